"""Import of an office's existing partner list (QUALITY.md Reliability 2): every row checked first, bad rows
reported by row and column with nothing written, cities found or created and geocoded, a second import of
the same file creates nothing."""

import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from waishi.core.errors import ApplicationError
from waishi.core.models import AuditLog
from waishi.directory.models import City, Country
from waishi.partners.importers import PartnershipImporter, level_of
from waishi.partners.models import LevelChange, Partnership
from waishi.partners.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Column names in the reports are the headers in the user's language: English here."""
    with translation.override("en"):
        yield


HEADERS = ["partner city", "English name", "country", "level", "date signed"]
GOOD = [
    ["法恩扎", "Faenza", "意大利", "国际友好城市", dt.datetime(1994, 10, 20)],
    ["濑户", "Seto", "JP", "sister", "1995-05-12"],
    ["特罗扬", "Troyan", "Bulgaria", "意向书", "2023/9/19"],
    ["Lampang", "", "泰国", "Letter of intent", dt.date(2019, 5, 21)],
]


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def run(world, rows, **kwargs):
    return PartnershipImporter().run(actor=world.user("fao_staff"), fileobj=xlsx(rows, **kwargs))


def test_a_good_list_creates_the_partnerships_and_geocoded_cities_then_nothing_again(world):
    report = run(world, GOOD)
    assert report.ok and report.created == 4
    rows = {p.city.name_en: p for p in Partnership.objects.select_related("city")}
    assert set(rows) == {"Faenza", "Seto", "Troyan", "Lampang"}
    assert all(p.office == world.city_a for p in rows.values())
    assert rows["Faenza"].signed_on == dt.date(1994, 10, 20) and rows["Faenza"].level == "sister"
    assert rows["Troyan"].level == "intent" and rows["Troyan"].signed_on == dt.date(2023, 9, 19)
    assert rows["Lampang"].city.name_zh == "Lampang"
    assert all(p.city.latitude is not None for p in rows.values())
    assert LevelChange.objects.count() == 4
    counts = (Partnership.objects.count(), City.objects.count(), LevelChange.objects.count())
    again = run(world, GOOD)
    assert again.ok and (again.created, again.unchanged) == (0, 4)
    assert (Partnership.objects.count(), City.objects.count(), LevelChange.objects.count()) == counts
    assert AuditLog.objects.filter(action="data.import").count() == 2


def test_an_existing_city_of_the_directory_is_reused(world):
    seto = f.city("JP", "Seto", "濑户")
    run(world, GOOD[1:2])
    assert Partnership.objects.get().city == seto


def test_bad_rows_are_reported_and_nothing_is_written(world):
    Country.objects.filter(code="BG").update(off_limits=True)
    cities = City.objects.count()
    report = run(
        world,
        [
            GOOD[0],
            ["亚特兰蒂斯", "Atlantis", "Atlantis", "sister", "2000-01-01"],  # row 3: unknown country
            ["某市", "", "日本", "twin town", "2000-01-01"],  # row 4: level
            ["某市", "", "日本", "sister", "not a date"],  # row 5: date
            ["特罗扬", "Troyan", "BG", "intent", "2023-09-19"],  # row 6: off limits
            ["香港", "Hong Kong", "HK", "sister", "2000-01-01"],  # row 7: a region of China
            ["法恩扎", "Faenza", "IT", "sister", "1994-10-20"],  # row 8: same as row 2
        ],
    )
    assert not report.ok
    by_row = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "country"),
        (4, "level"),
        (5, "date signed"),
        (6, "country"),
        (7, "country"),
        (8, ""),
    } <= by_row
    assert 2 not in {e.row for e in report.errors}
    assert Partnership.objects.count() == 0 and City.objects.count() == cities


def test_a_row_that_contradicts_the_record_is_refused(world):
    run(world, GOOD[:1])
    report = run(world, [["法恩扎", "Faenza", "IT", "intent", "1994-10-20"]])
    assert not report.ok and report.errors[0].column == "level"


def test_a_missing_column_and_a_user_without_office(world):
    report = run(world, [["法恩扎", "意大利"]], headers=["partner city", "country"])
    assert {e.column for e in report.errors} == {"level", "date signed"}
    with pytest.raises(ApplicationError):
        PartnershipImporter().run(actor=world.user("audit_admin", organization=None), fileobj=xlsx(GOOD))


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("友城", "sister"),
        ("友好交流城市", "friendly"),
        ("Sister city", "sister"),
        ("INTENT", "intent"),
        ("x", None),
    ],
)
def test_level_words(text, level):
    assert level_of(text) == level
