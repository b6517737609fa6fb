import datetime
import functools
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from waishi.core.testing.factories import PersonFactory
from waishi.travel.choices import TripCategory, TripState
from waishi.travel.importers import TripImporter
from waishi.travel.models import ApprovalCounter, Trip


def workbook(rows, headers=None):
    with translation.override("zh-hans"):
        headers = headers or TripImporter().headers()
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def row(unit, **changes):
    values = {
        "unit": unit.name,
        "category": zh(TripCategory.ABROAD.label),
        "cross": "否",
        "mission": "赴意大利法恩扎参加国际陶瓷节",
        "depart": datetime.date(2021, 6, 20),
        "back": datetime.date(2021, 6, 24),
        "countries": "意大利",
        "head": "王建华",
        "members": "李丽、张伟",
        "number": "甲外审〔2021〕7号",
        "approved": datetime.date(2021, 6, 1),
        "state": zh(TripState.CLOSED.label),
    }
    values.update(changes)
    return list(values.values())


def people(unit):
    for name in ("王建华", "李丽", "张伟"):
        PersonFactory(organization=unit, name=name)


def test_template_has_chinese_headers(client, world):
    client.force_login(world.user("unit_clerk"))
    response = client.get(reverse("travel:trip_import_template"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [c.value for c in sheet[1]]
    importer = TripImporter()
    assert headers == [zh(importer.label(c.field)) for c in importer.columns]
    assert headers[:3] == ["申报单位", "类别", "双跨团组"]


def test_past_trips_import_once_and_numbers_continue(world):
    people(world.unit_a)
    clerk = world.user("unit_clerk")
    report = TripImporter().run(actor=clerk, fileobj=workbook([row(world.unit_a)]))
    assert report.ok, report.errors
    assert report.created == 1
    trip = Trip.objects.get()
    assert (trip.state, trip.approval_number, trip.approval_seq) == ("closed", "甲外审〔2021〕7号", 7)
    assert [m.person.name for m in trip.members.order_by("order")] == ["王建华", "李丽", "张伟"]
    assert trip.members.get(person__name="王建华").role == "head"
    assert ApprovalCounter.objects.get(office=world.city_a, year=2021).last == 7
    again = TripImporter().run(actor=clerk, fileobj=workbook([row(world.unit_a)]))
    assert (again.created, again.unchanged) == (0, 1)
    assert Trip.objects.count() == 1


def test_bad_rows_are_reported_and_nothing_is_written(world):
    people(world.unit_a)
    clerk = world.user("unit_clerk")
    report = TripImporter().run(
        actor=clerk,
        fileobj=workbook(
            [
                row(world.unit_a),
                row(world.unit_a, mission="赴法国", countries="法兰西王国"),
                row(world.unit_a, mission="赴德国", head="查无此人"),
                row(world.unit_b, mission="赴英国"),
            ]
        ),
    )
    assert not report.ok
    importer = TripImporter()
    assert {(e.row, e.column) for e in report.errors} == {
        (3, zh(importer.label("countries"))),
        (4, zh(importer.label("head"))),
        (5, zh(importer.label("applicant_unit"))),
    }
    assert not Trip.objects.exists()


def simple_workbook(importer, rows):
    with translation.override("zh-hans"):
        headers = importer.headers()
    book = Workbook()
    book.active.append(headers)
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_per_diem_table_imports_from_excel(world):
    from waishi.travel.importers import PerDiemRateImporter
    from waishi.travel.models import PerDiemRate

    staff = world.user("fao_staff")
    rows = [["日本", "东京", "jpy", 20000, 10000, 5000], ["KR", "首尔", "USD", 180, 70, 35]]
    report = PerDiemRateImporter().run(actor=staff, fileobj=simple_workbook(PerDiemRateImporter(), rows))
    assert report.ok, report.errors
    tokyo = PerDiemRate.objects.get(country_id="JP", city_name="东京")
    assert (tokyo.currency, tokyo.lodging, tokyo.meals, tokyo.incidentals) == ("JPY", 20000, 10000, 5000)
    assert PerDiemRate.objects.get(country_id="KR", city_name="首尔").currency == "USD"
    again = PerDiemRateImporter().run(actor=staff, fileobj=simple_workbook(PerDiemRateImporter(), rows))
    assert (again.created, again.unchanged) == (0, 2)


def test_annual_plan_imports_from_excel(world):
    from waishi.travel.importers import PlanEntryImporter
    from waishi.travel.models import PlanEntry

    clerk = world.user("unit_clerk")
    rows = [
        [world.unit_a.name, 2027, "赴意大利法恩扎参加国际陶瓷节", 4, 6, ""],
        [world.unit_b.name, 2027, "赴日本濑户交流", 3, 5, ""],
    ]
    report = PlanEntryImporter().run(actor=clerk, fileobj=simple_workbook(PlanEntryImporter(), rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, zh(PlanEntryImporter().label("unit")))]
    assert not PlanEntry.objects.exists()
    report = PlanEntryImporter().run(actor=clerk, fileobj=simple_workbook(PlanEntryImporter(), rows[:1]))
    assert report.ok and PlanEntry.objects.get().planned_members == 4


def validation_queries(importer_class, actor, monkeypatch, rows) -> int:
    """The queries of an import that reads and validates ``rows`` but writes nothing."""
    monkeypatch.setattr(importer_class, "save_batch", lambda self, actor, batch: None)
    with CaptureQueriesContext(connection) as queries:
        report = importer_class().run(actor=actor, fileobj=simple_workbook(importer_class(), rows))
    monkeypatch.undo()
    assert report.ok, report.errors
    return len(queries)


def plan_rows(world, count):
    units = (world.unit_a.name, world.unit_a2.name)
    return [[units[n % 2], 2027, f"出访计划{n:04d}", 3, 1 + n % 12, ""] for n in range(count)]


def rate_rows(count):
    return [["日本" if n % 2 else "KR", f"城市{n:04d}", "USD", 180, 70, 35] for n in range(count)]


def test_validating_plans_and_rates_reads_the_same_queries_however_many_rows(world, settings, monkeypatch):
    """Each row is checked with its form, whose unit or country is looked up once a file, not once a row."""
    from waishi.travel.importers import PerDiemRateImporter, PlanEntryImporter

    settings.WAISHI_IMPORT_BATCH_ROWS = 1000
    staff = world.user("fao_staff")
    for importer_class, rows in ((PlanEntryImporter, plan_rows), (PerDiemRateImporter, rate_rows)):
        rows = functools.partial(rows, world) if rows is plan_rows else rows
        validation_queries(importer_class, staff, monkeypatch, rows(1))  # the caches of a process
        assert validation_queries(importer_class, staff, monkeypatch, rows(50)) == validation_queries(
            importer_class, staff, monkeypatch, rows(500)
        ), importer_class


def test_every_row_naming_an_organization_that_is_not_a_unit_is_reported(world):
    """The plan form takes units only: the office named on two rows is refused on both, with the form's
    own message."""
    from waishi.travel.importers import PlanEntryImporter
    from waishi.travel.models import PlanEntry

    rows = plan_rows(world, 3)
    rows[0][0] = rows[2][0] = world.city_a.name
    with translation.override("en"):
        report = PlanEntryImporter().run(
            actor=world.user("fao_staff"), fileobj=simple_workbook(PlanEntryImporter(), rows)
        )
        label = PlanEntryImporter().label("unit")
    assert [(e.row, e.column) for e in report.errors] == [(2, label), (4, label)]
    assert {e.message for e in report.errors} == {
        "Select a valid choice. That choice is not one of the available choices."
    }
    assert not PlanEntry.objects.exists()
