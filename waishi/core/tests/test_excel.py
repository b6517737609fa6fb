"""Excel export and import (ARCHITECTURE.md Interfaces; QUALITY.md Security line 12, Reliability line 2).

Export: what the list shows, formula cells escaped, personal numbers masked. Import: every row validated
first, then all rows written in one transaction or none; each bad row reported by number, column and
reason; a good file imported twice creates nothing the second time."""

import datetime as dt
import gc
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from waishi.core.errors import ApplicationError
from waishi.core.excel import safe_cell, stream_xlsx, write_xlsx
from waishi.core.generic import ExportView
from waishi.core.models import AuditLog, ChangeLog
from waishi.core.testing.factories import OrganizationFactory, PersonFactory
from waishi.directory.choices import Gender, Rank
from waishi.directory.importers import PersonImporter
from waishi.directory.models import Person, PersonToken
from waishi.directory.search import index_people, person_search
from waishi.directory.tables import PersonTable

ID_NUMBER = "11010519491231002X"

# --- escaping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ('=HYPERLINK("http://evil","点我")', '\'=HYPERLINK("http://evil","点我")'),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("a=1", "a=1"),
        ("", ""),
        (None, None),
        (-5, -5),
        (3.5, 3.5),
        (Decimal("-1.20"), Decimal("-1.20")),
        (dt.date(2024, 10, 1), dt.date(2024, 10, 1)),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_cell_makes_aware_datetimes_naive_and_other_objects_text():
    aware = dt.datetime(2024, 10, 1, 8, 30, tzinfo=dt.UTC)
    with timezone.override("Asia/Shanghai"):
        assert safe_cell(aware) == dt.datetime(2024, 10, 1, 16, 30)
    assert safe_cell(dt.datetime(2024, 10, 1, 8, 30)) == dt.datetime(2024, 10, 1, 8, 30)
    assert safe_cell(["a"]) == "['a']"


@given(st.text(max_size=30))
def test_safe_cell_never_returns_a_formula_and_loses_nothing(value):
    escaped = safe_cell(value)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert escaped in (value, "'" + value)
    assert (escaped != value) == value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_written_workbook_holds_no_formula():
    out = write_xlsx(["=title", "名称"], [["=1+1", "+cmd|' /C calc'!A0"], ["@x", -3], ["-2+3", "正常"]])
    sheet = load_workbook(out).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.value for cell in cells] == [
        "'=title",
        "名称",
        "'=1+1",
        "'+cmd|' /C calc'!A0",
        "'@x",
        -3,
        "'-2+3",
        "正常",
    ]
    assert all(cell.data_type != "f" for cell in cells)


def test_a_workbook_streams_numbers_dates_and_text_that_openpyxl_reads_back():
    rows = [
        [1, 2.5, Decimal("-1.20"), float("nan"), True],
        [dt.date(2024, 10, 1), dt.datetime(2024, 10, 1, 8, 30), 'a<b>&"c"', "控制\x01字符", None],
    ]
    data = b"".join(stream_xlsx(["整数", "小数", "金额", "非数", "是否"], rows, title="表[1]"))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert sheet.title == "表 1"
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        (1, 2.5, -1.2, "nan", True),
        (dt.datetime(2024, 10, 1), dt.datetime(2024, 10, 1, 8, 30), 'a<b>&"c"', "控制字符", None),
    ]
    assert sheet["A3"].is_date and sheet["B3"].is_date


# --- export through the generic view -----------------------------------------------------------------


def exported_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def people(world):
    return {
        "zhang": PersonFactory(
            organization=world.unit_a, name="张三", id_number=ID_NUMBER, phone="13800138000"
        ),
        "li": PersonFactory(organization=world.unit_a2, name="李四", id_number="110105194912310037"),
        "wang": PersonFactory(organization=world.unit_b, name="王芳", id_number="110105194912310053"),
    }


def test_export_is_the_table_with_masked_numbers(client, world, people):
    client.force_login(world.user("fao_staff"))
    rows = exported_rows(client.get(reverse("directory:person_export")))
    with translation.override("zh-hans"):
        headers = [str(column.header) for column in PersonTable(Person.objects.none()).columns]
    assert list(rows[0]) == headers
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == ["张三", "李四"]  # 王芳 is in the other city
    zhang = dict(zip(headers, rows[1 + names.index("张三")], strict=True))
    with translation.override("zh-hans"):
        id_label = str(Person._meta.get_field("id_number").verbose_name)
        phone_label = str(Person._meta.get_field("phone").verbose_name)
    assert zhang[id_label] == "110***********002X"
    assert zhang[phone_label] == "138****8000"
    cells = " ".join(str(value) for row in rows for value in row)
    for secret in (ID_NUMBER, "110105194912310037", "13800138000"):
        assert secret not in cells


def test_export_applies_the_filters_on_screen(client, world, people):
    client.force_login(world.user("fao_staff"))
    by_pinyin = exported_rows(client.get(reverse("directory:person_export"), {"q": "zs"}))
    assert [row[0] for row in by_pinyin[1:]] == ["张三"]
    by_unit = exported_rows(
        client.get(reverse("directory:person_export"), {"organization": world.unit_a2.pk})
    )
    assert [row[0] for row in by_unit[1:]] == ["李四"]
    nothing = exported_rows(client.get(reverse("directory:person_export"), {"q": "不存在的人"}))
    assert len(nothing) == 1  # the header only


def test_export_link_on_the_list_carries_the_filters(client, world, people):
    client.force_login(world.user("fao_staff"))
    page = client.get(reverse("directory:person_list"), {"q": "zs", "page": "1"})
    assert page.context["export_url"] == reverse("directory:person_export") + "?q=zs"


def test_export_is_audited_with_its_filters(client, world, people):
    user = world.user("fao_staff")
    client.force_login(user)
    exported_rows(client.get(reverse("directory:person_export"), {"q": "zs"}))
    row = AuditLog.objects.get(action="data.export")
    assert row.user == user
    assert row.detail == {"model": "directory.person", "filters": {"q": "zs"}}


def test_an_export_asked_with_a_full_number_is_audited_with_the_number_masked(client, world, people):
    """QUALITY.md Security 9 and 7: the audit row of an export records its filters, but not a full number
    typed into them, and the audit administrator's page does not show one."""
    client.force_login(world.user("fao_staff"))
    spaced = f"{ID_NUMBER[:6]} {ID_NUMBER[6:]}".lower()  # the same number as typed
    exported_rows(client.get(reverse("directory:person_export"), {"q": spaced, "gender": "male"}))
    row = AuditLog.objects.get(action="data.export")
    assert row.detail["filters"] == {"q": people["zhang"].id_number_masked, "gender": "male"}
    client.force_login(world.user("audit_admin", world.province))
    page = client.get(reverse("core:auditlog_list")).content.decode()
    assert people["zhang"].id_number_masked in page and ID_NUMBER not in page


def test_unit_clerk_exports_only_his_unit(client, world, people):
    client.force_login(world.user("unit_clerk"))
    rows = exported_rows(client.get(reverse("directory:person_export")))
    assert [row[0] for row in rows[1:]] == ["张三"]


def test_export_escapes_formulas_in_data(client, world):
    PersonFactory(organization=world.unit_a, name="=HYPERLINK(1)", position="@SUM(1)")
    client.force_login(world.user("fao_staff"))
    response = client.get(reverse("directory:person_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.worksheets[0].iter_rows() for cell in row]
    assert "'=HYPERLINK(1)" in [cell.value for cell in cells]
    assert "'@SUM(1)" in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_export_with_a_nul_in_the_query_string_is_not_an_error(client, world, people):
    client.force_login(world.user("fao_staff"))
    rows = exported_rows(client.get(reverse("directory:person_export") + "?q=%00"))
    assert len(rows) >= 1
    assert AuditLog.objects.get(action="data.export").detail["filters"] == {"q": ""}


def test_export_streams_with_a_chinese_file_name_and_dates_as_dates(client, world):
    PersonFactory(organization=world.unit_a, name="张三", birth_date=dt.date(1970, 1, 2))
    client.force_login(world.user("fao_staff"))
    with translation.override("zh-hans"):
        response = client.get(reverse("directory:person_export"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BA%BA%E5%91%98.xlsx"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.title == "人员"
    birth = sheet.cell(row=2, column=4)
    assert (birth.value, birth.is_date) == (dt.datetime(1970, 1, 2), True)


def many_people(organization, count: int) -> None:
    Person.objects.bulk_create(
        Person(organization=organization, name=f"人员{n}", pinyin=f"renyuan{n}", initials="ry", gender="male")
        for n in range(count)
    )


def test_the_first_bytes_leave_before_the_records_are_all_read(client, world, monkeypatch, settings):
    settings.WAISHI_EXPORT_CHUNK_ROWS = 100
    many_people(world.unit_a, 3000)
    read = []
    rows = ExportView.rows

    def counting(table, columns, related, language):
        for row in rows(table, columns, related, language):
            read.append(row)
            yield row

    monkeypatch.setattr(ExportView, "rows", staticmethod(counting))
    client.force_login(world.user("fao_staff"))
    chunks = iter(client.get(reverse("directory:person_export")).streaming_content)
    first = next(chunks)
    assert first and len(read) < 3000
    sheet = load_workbook(io.BytesIO(first + b"".join(chunks))).worksheets[0]
    assert len(read) == 3000 and sheet.max_row == 3001


def export_peak(client, url) -> tuple[int, int]:
    """Peak traced memory while the whole export streams (chunks are counted, not kept), and its size."""
    gc.collect()
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in client.get(url).streaming_content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_export_memory_stays_flat_as_rows_grow(client, world, settings):
    """QUALITY.md: peak memory at 100k rows ≤ 1.2× at 10k; here 1k against 10k rows, read in chunks of 500."""
    settings.WAISHI_EXPORT_CHUNK_ROWS = 500
    client.force_login(world.user("fao_staff"))
    url = reverse("directory:person_export")
    many_people(world.unit_a, 1000)
    export_peak(client, url)  # once before measuring: what the first request loads (catalogues, templates)
    small, small_size = export_peak(client, url)
    many_people(world.unit_a2, 9000)
    large, large_size = export_peak(client, url)
    assert large_size > 5 * small_size
    assert large <= 1.2 * small, (small, large)


# --- import ------------------------------------------------------------------------------------------


def labels(language: str) -> dict[str, str]:
    """Field name → column header in ``language``, from the importer itself."""
    with translation.override(language):
        return dict(zip([c.field for c in PersonImporter.columns], PersonImporter().headers(), strict=True))


def choice_label(choice, language: str) -> str:
    with translation.override(language):
        return str(choice.label)


def xlsx(header: list, rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


FIELDS = ["name", "gender", "birth_date", "organization", "position", "rank", "id_number", "phone"]


def person_row(world, language="zh-hans", **overrides) -> list:
    values = {
        "name": "张三",
        "gender": choice_label(Gender.MALE, language),
        "birth_date": dt.datetime(1970, 1, 2),
        "organization": world.unit_a.name,
        "position": "处长",
        "rank": choice_label(Rank.DIVISION, language),
        "id_number": ID_NUMBER,
        "phone": "13800138000",
    }
    values.update(overrides)
    return [values[name] for name in FIELDS]


def good_rows(world, language="zh-hans") -> list[list]:
    return [
        person_row(world, language),
        person_row(
            world,
            language,
            name="李四",
            gender=choice_label(Gender.FEMALE, language),
            birth_date=dt.datetime(1980, 5, 6),
            organization=world.unit_a2.name,
            id_number="110105194912310037",
        ),
        person_row(
            world,
            language,
            name="欧阳明",
            birth_date=dt.date(1990, 12, 31),
            rank=choice_label(Rank.OTHER, language),
            id_number=None,
            phone=None,
        ),
    ]


def run_import(actor, fileobj, language="zh-hans"):
    with translation.override(language):
        return PersonImporter().run(actor=actor, fileobj=fileobj)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_good_file_creates_everyone_and_twice_creates_nothing(world, language):
    actor = world.user("fao_staff")
    header = [labels(language)[name] for name in FIELDS]
    report = run_import(actor, xlsx(header, good_rows(world, language)), language)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)

    zhang = Person.objects.get(name="张三")
    assert (zhang.gender, zhang.birth_date, zhang.organization, zhang.position, zhang.rank) == (
        "male",
        dt.date(1970, 1, 2),
        world.unit_a,
        "处长",
        "division",
    )
    assert zhang.id_number == ID_NUMBER and zhang.phone == "13800138000"
    li = Person.objects.get(name="李四")
    assert (li.gender, li.organization) == ("female", world.unit_a2)
    ouyang = Person.objects.get(name="欧阳明")
    assert (ouyang.rank, ouyang.id_number, ouyang.phone) == ("other", "", "")
    assert ChangeLog.objects.filter(action="create", content_type__model="person").count() == 3
    audit_row = AuditLog.objects.get(action="data.import")
    assert (audit_row.user, audit_row.detail) == (
        actor,
        {"model": "directory.person", "created": 3, "updated": 0, "unchanged": 0},
    )

    again = run_import(actor, xlsx(header, good_rows(world, language)), language)
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Person.objects.count() == 3
    assert ChangeLog.objects.count() == 3
    assert all(p.version == 1 for p in Person.objects.all())


def test_changed_row_is_updated_and_the_rest_left_alone(world):
    actor = world.user("fao_staff")
    header = [labels("zh-hans")[name] for name in FIELDS]
    run_import(actor, xlsx(header, good_rows(world)))
    rows = good_rows(world)
    rows[1][FIELDS.index("position")] = "副处长"
    report = run_import(actor, xlsx(header, rows))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    li = Person.objects.get(name="李四")
    assert (li.position, li.version) == ("副处长", 2)
    assert li.id_number == "110105194912310037"
    assert ChangeLog.objects.filter(action="update").count() == 1


def test_a_row_updates_its_own_person_and_reads_no_namesake(world, monkeypatch):
    """People who share a row's name in other units, or in its unit with another birth date, are neither
    matched nor read: only the person the row's key names is built (and its numbers decrypted)."""
    actor = world.user("fao_staff")
    header = [labels("zh-hans")[name] for name in FIELDS]
    run_import(actor, xlsx(header, good_rows(world)))
    zhang = Person.objects.get(name="张三")
    for n in range(5):
        PersonFactory(name="张三", organization=world.unit_b)
        PersonFactory(name="张三", organization=zhang.organization, birth_date=dt.date(1990, 1, 1 + n))
    built = []
    from_db = Person.from_db.__func__
    monkeypatch.setattr(Person, "from_db", classmethod(lambda cls, *a: built.append(1) or from_db(cls, *a)))
    rows = good_rows(world)
    rows[0][FIELDS.index("position")] = "副处长"
    report = run_import(actor, xlsx(header, rows))
    assert len(built) == 3  # the file's three people, read once each
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Person.objects.get(pk=zhang.pk).position == "副处长"
    assert not Person.objects.filter(name="张三", position="副处长").exclude(pk=zhang.pk).exists()


def test_a_person_deleted_while_the_file_is_read_is_created_again(world, monkeypatch):
    """Between reading the stored keys and the records, another user deleted the row's person: the row is
    a new person, not a server error."""
    from django.db.models import QuerySet

    actor = world.user("fao_staff")
    header = [labels("zh-hans")[name] for name in FIELDS]
    run_import(actor, xlsx(header, good_rows(world)))
    zhang = Person.objects.get(name="张三")
    in_bulk = QuerySet.in_bulk

    def deleted_meanwhile(self, *args, **kwargs):
        Person.objects.filter(pk=zhang.pk).delete()
        return in_bulk(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "in_bulk", deleted_meanwhile)
    report = run_import(actor, xlsx(header, good_rows(world)))
    assert (report.created, report.updated, report.unchanged) == (1, 0, 2)
    assert Person.objects.filter(name="张三").exclude(pk=zhang.pk).count() == 1


def test_headers_in_any_order_and_field_names_are_accepted(world):
    header = ["organization", "name", "性别"]
    report = run_import(world.user("fao_staff"), xlsx(header, [[world.unit_a.name, "赵敏", "女"]]))
    assert report.ok, report.errors
    assert Person.objects.get(name="赵敏").gender == "female"


def test_blank_rows_are_skipped(world):
    header = [labels("zh-hans")[name] for name in FIELDS]
    rows = good_rows(world)
    rows.insert(1, [None] * len(FIELDS))
    report = run_import(world.user("fao_staff"), xlsx(header, rows))
    assert report.ok and report.created == 3


def test_bad_rows_are_each_reported_and_nothing_is_written(world):
    actor = world.user("fao_staff")
    zh = labels("zh-hans")
    rows = [
        person_row(world),  # row 2: good
        person_row(world, name="甲", organization="不存在的单位"),  # row 3
        person_row(world, name="乙", gender="未知"),  # row 4
        person_row(world, name=None, birth_date=dt.datetime(1960, 1, 1)),  # row 5
        person_row(world, name="丙", organization=world.unit_b.name),  # row 6: another city's unit
        person_row(world, name="丁", birth_date=dt.datetime(1961, 1, 1)),  # row 7: good
    ]
    report = run_import(actor, xlsx([zh[name] for name in FIELDS], rows))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, zh["organization"]),
        (4, zh["gender"]),
        (5, zh["name"]),
        (6, zh["organization"]),
    ]
    assert "不存在的单位" in report.errors[0].message
    assert "未知" in report.errors[1].message
    assert report.errors[2].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()
    assert not AuditLog.objects.filter(action="data.import").exists()


def test_same_record_twice_in_one_file_is_reported(world):
    zh = labels("zh-hans")
    rows = [person_row(world), person_row(world, position="科员")]
    report = run_import(world.user("fao_staff"), xlsx([zh[name] for name in FIELDS], rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "")]
    assert "2" in report.errors[0].message
    assert not Person.objects.exists()


@pytest.mark.parametrize("missing", ["name", "gender", "organization"])
def test_missing_required_column_is_reported_as_row_one(world, missing):
    zh = labels("zh-hans")
    fields = [name for name in FIELDS if name != missing]
    rows = [
        [value for name, value in zip(FIELDS, row, strict=True) if name != missing]
        for row in good_rows(world)
    ]
    report = run_import(world.user("fao_staff"), xlsx([zh[name] for name in fields], rows))
    assert [(e.row, e.column) for e in report.errors] == [(1, zh[missing])]
    assert not Person.objects.exists()


def test_unit_clerk_cannot_import_into_another_unit(world):
    zh = labels("zh-hans")
    rows = [person_row(world), person_row(world, name="李四", organization=world.unit_a2.name)]
    report = run_import(world.user("unit_clerk"), xlsx([zh[name] for name in FIELDS], rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, zh["organization"])]
    assert not Person.objects.exists()


def test_an_organization_name_shared_by_two_units_is_reported(world):
    OrganizationFactory(code="dup-1", name="商务局", parent=world.city_a)
    OrganizationFactory(code="dup-2", name="商务局", parent=world.unit_a2)
    zh = labels("zh-hans")
    report = run_import(
        world.user("fao_staff"), xlsx([zh[n] for n in FIELDS], [person_row(world, organization="商务局")])
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, zh["organization"])]
    assert not Person.objects.exists()


def test_too_many_rows_are_refused(world):
    class SmallImporter(PersonImporter):
        max_rows = 2

    zh = labels("zh-hans")
    with translation.override("zh-hans"):
        report = SmallImporter().run(
            actor=world.user("fao_staff"), fileobj=xlsx([zh[n] for n in FIELDS], good_rows(world))
        )
    assert [e.row for e in report.errors] == [4]
    assert not Person.objects.exists()


def test_an_exception_while_writing_leaves_the_database_as_it_was(world, settings, monkeypatch):
    settings.WAISHI_IMPORT_BATCH_ROWS = 2
    calls = []

    def failing(people):
        calls.append(list(people))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        index_people(calls[-1])

    monkeypatch.setattr("waishi.directory.importers.index_people", failing)
    zh = labels("zh-hans")
    with pytest.raises(RuntimeError):
        run_import(world.user("fao_staff"), xlsx([zh[n] for n in FIELDS], good_rows(world)))
    assert [len(batch) for batch in calls] == [2, 1]  # the first batch was written, the second failed
    assert not Person.objects.exists()
    assert not PersonToken.objects.exists()
    assert not ChangeLog.objects.exists()
    assert not AuditLog.objects.filter(action="data.import").exists()


def many_rows(world, count: int) -> list[list]:
    return [
        person_row(world, name=f"人员{n:03d}", birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=n))
        for n in range(count)
    ]


def queries_per_batch(world, monkeypatch, rows) -> list[int]:
    counts = []
    save_batch = PersonImporter.save_batch

    def counting(self, actor, batch):
        with CaptureQueriesContext(connection) as queries:
            save_batch(self, actor, batch)
        counts.append(len(queries))

    monkeypatch.setattr(PersonImporter, "save_batch", counting)
    zh = labels("zh-hans")
    report = run_import(world.user("fao_staff"), xlsx([zh[n] for n in FIELDS], rows))
    monkeypatch.undo()
    assert report.ok, report.errors
    return counts


def test_an_import_writes_with_the_same_queries_per_batch_however_many_rows(world, settings, monkeypatch):
    """QUALITY.md: constant queries per batch. 20 rows are one batch, 200 rows ten batches of as many
    queries each; a second import that changes every row updates them in batches of as many queries."""
    settings.WAISHI_IMPORT_BATCH_ROWS = 20
    ContentType.objects.get_for_model(Person)  # the change log's, read once a process and then cached
    one = queries_per_batch(world, monkeypatch, many_rows(world, 20))
    Person.objects.all().delete()
    ten = queries_per_batch(world, monkeypatch, many_rows(world, 200))
    assert len(one) == 1 and ten == one * 10
    assert Person.objects.count() == 200 and ChangeLog.objects.filter(action="create").count() == 220
    assert set(Person.objects.values_list("initials", flat=True)) == {"ry"}

    changed = many_rows(world, 200)
    for row in changed:
        row[FIELDS.index("position")] = "科长"
    updates = queries_per_batch(world, monkeypatch, changed)
    assert len(updates) == 10 and len(set(updates)) == 1
    assert set(Person.objects.values_list("position", "version")) == {("科长", 2)}
    assert ChangeLog.objects.filter(action="update").count() == 200
    assert queries_per_batch(world, monkeypatch, changed) == []  # the same file again writes nothing


def validation_queries(actor, monkeypatch, rows) -> int:
    """The queries of an import that reads and validates ``rows`` but writes nothing."""
    monkeypatch.setattr(PersonImporter, "save_batch", lambda self, actor, batch: None)
    zh = labels("zh-hans")
    with CaptureQueriesContext(connection) as queries:
        report = run_import(actor, xlsx([zh[n] for n in FIELDS], rows))
    monkeypatch.undo()
    assert report.ok, report.errors
    return len(queries)


def two_units(world, count: int) -> list[list]:
    rows = many_rows(world, count)
    for row in rows[::2]:
        row[FIELDS.index("organization")] = world.unit_a2.name
    return rows


def test_validating_people_reads_the_same_queries_however_many_rows(world, settings, monkeypatch):
    """QUALITY.md: the rows are checked with PersonForm, but its rank choices and its organization field
    are worked out once a file, not once a row: 500 rows read no more than 50, new or updated."""
    settings.WAISHI_IMPORT_BATCH_ROWS = 1000
    actor = world.user("fao_staff")
    validation_queries(actor, monkeypatch, two_units(world, 1))  # the caches of a process: permissions
    assert validation_queries(actor, monkeypatch, two_units(world, 50)) == validation_queries(
        actor, monkeypatch, two_units(world, 500)
    )
    assert (
        run_import(actor, xlsx([labels("zh-hans")[n] for n in FIELDS], two_units(world, 500))).created == 500
    )
    changed = two_units(world, 500)
    for row in changed:  # an empty number cell keeps the stored number
        row[FIELDS.index("position")], row[FIELDS.index("id_number")] = "科长", None
    assert validation_queries(actor, monkeypatch, changed[:50]) == validation_queries(
        actor, monkeypatch, changed
    )
    assert run_import(actor, xlsx([labels("zh-hans")[n] for n in FIELDS], changed)).updated == 500
    assert {(p.position, p.id_number) for p in Person.objects.all()} == {("科长", ID_NUMBER)}


def test_the_record_choices_are_narrowed_once_a_file_not_once_a_row(world, monkeypatch):
    """Every row's form takes the organization choices the importer narrowed once (ModelForm's
    ``querysets``): 2 rows and 40 narrow as many times."""
    from waishi.core.models import RestrictedQuerySet

    calls = []
    restrict = RestrictedQuerySet.restrict

    def counting(self, *args, **kwargs):
        calls.append(self.model)
        return restrict(self, *args, **kwargs)

    monkeypatch.setattr(RestrictedQuerySet, "restrict", counting)
    actor, zh = world.user("fao_staff"), labels("zh-hans")
    counts = []
    for rows in (many_rows(world, 2), many_rows(world, 40)):
        calls.clear()
        assert run_import(actor, xlsx([zh[n] for n in FIELDS], rows)).ok
        counts.append(len(calls))
        Person.objects.all().delete()
    assert counts[0] == counts[1]


def test_a_form_given_narrowed_querysets_offers_what_it_narrows_itself(world):
    from waishi.directory.forms import PersonForm

    clerk = world.user("unit_clerk")
    own = PersonForm(user=clerk).fields["organization"].queryset
    given = PersonForm(user=clerk, querysets=PersonForm.restricted_querysets(clerk))
    assert list(given.fields["organization"].queryset) == list(own)
    assert list(own) != list(PersonForm.base_fields["organization"].queryset)


# Per field of PersonForm: values it accepts and values it refuses (organizations by world unit: a and a2 are
# the clerk's choices, b is not).
FORM_VALUES = {
    "name": (["张三", "O'Brien", "名" * 50], ["", " ", "名" * 51]),
    "gender": ([Gender.MALE, Gender.FEMALE], ["", "其它"]),
    "birth_date": (["1970-01-02", ""], ["1970-02-30", "昨天"]),
    "organization": (["a", "a2"], ["b", "", "99999999", "x"]),
    "position": (["处长", ""], ["职" * 101]),
    "rank": ([Rank.DIVISION, Rank.OTHER], ["", "大官"]),
    "id_number": ([ID_NUMBER, ""], ["1" * 19]),
    "phone": (["13800138000", ""], ["1" * 21]),
    "is_active": ([True, False], []),
}


@st.composite
def form_rows(draw) -> dict:
    """A row of good values with none, one or a few of them replaced by values the form refuses."""
    row = {name: draw(st.sampled_from(good)) for name, (good, _bad) in FORM_VALUES.items()}
    spoiled = draw(st.sets(st.sampled_from([n for n, (_g, bad) in FORM_VALUES.items() if bad]), max_size=3))
    return row | {name: draw(st.sampled_from(FORM_VALUES[name][1])) for name in sorted(spoiled)}


def form_outcome(form) -> tuple:
    """What validating ``form`` gives: its errors, cleaned values, and the record it would save."""
    valid = form.is_valid()
    instance = form.instance
    return (
        valid,
        form.errors.get_json_data(),
        form.cleaned_data,
        {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields},
        instance.pk,
    )


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(form_rows(), min_size=1, max_size=5))
def test_a_new_records_form_copied_from_the_files_first_validates_as_a_fresh_form(world, rows):
    """``make_form`` builds a new record's form once a file and copies it for each row: every copy, valid or
    not and whatever rows came before, has the errors, cleaned values and record of a form built for the
    row alone (without the importer's remembered record choices)."""
    from waishi.directory.forms import PersonForm

    actor = world.user("unit_clerk")  # of unit_a: unit_b is not among the choices
    units = {"a": world.unit_a.pk, "a2": world.unit_a2.pk, "b": world.unit_b.pk}
    importer = PersonImporter()
    importer._form_options = importer.form_options(actor)
    built = []
    init = PersonForm.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    for row in rows:
        data = importer._complete(
            None, row | {"organization": units.get(row["organization"], row["organization"])}
        )
        PersonForm.__init__ = counting
        try:
            copied = importer.make_form(actor, dict(data), None)
        finally:
            PersonForm.__init__ = init
        assert form_outcome(copied) == form_outcome(PersonForm(data=dict(data), user=actor))
    assert len(built) == 1  # one form built for the file, a copy for each row


def test_imported_people_are_found_by_name(world):
    zh = labels("zh-hans")
    run_import(world.user("fao_staff"), xlsx([zh[n] for n in FIELDS], good_rows(world)))
    found = person_search(Person.objects.all(), "oym")
    assert [p.name for p in found] == ["欧阳明"]


def zip_file(names: dict[str, bytes]) -> io.BytesIO:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    out.seek(0)
    return out


def test_a_zip_that_is_not_a_workbook_is_a_bad_file(world):
    with pytest.raises(ApplicationError) as caught:
        run_import(world.user("fao_staff"), zip_file({"readme.txt": b"hello"}))
    assert caught.value.code == "bad_file"


@pytest.mark.parametrize(
    "content",
    ["name,gender\n张三,男\n".encode(), b"%PDF-1.4\n", b"", b"PK\x03\x04 truncated"],
    ids=["csv", "pdf", "empty", "truncated-zip"],
)
def test_a_file_that_is_not_xlsx_is_a_bad_file(world, content):
    with pytest.raises(ApplicationError) as caught:
        run_import(world.user("fao_staff"), io.BytesIO(content))
    assert caught.value.code == "bad_file"


def test_good_file_without_birth_dates_imported_twice_creates_nothing(world):
    actor = world.user("fao_staff")
    zh = labels("zh-hans")
    rows = [person_row(world, birth_date=None), person_row(world, name="李四", birth_date=None)]
    assert run_import(actor, xlsx([zh[n] for n in FIELDS], rows)).created == 2
    again = run_import(actor, xlsx([zh[n] for n in FIELDS], rows))
    assert (again.created, again.unchanged) == (0, 2)
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1970/01/02", dt.date(1970, 1, 2)), ("1970年1月2日", dt.date(1970, 1, 2)), ("1970-13-45", None)],
)
def test_birth_date_typed_as_text_is_parsed_or_reported(world, cell, expected):
    zh = labels("zh-hans")
    report = run_import(
        world.user("fao_staff"), xlsx([zh[n] for n in FIELDS], [person_row(world, birth_date=cell)])
    )
    if expected is None:
        assert [(e.row, e.column) for e in report.errors] == [(2, zh["birth_date"])]
        assert not Person.objects.exists()
    else:
        assert report.ok and Person.objects.get().birth_date == expected


@pytest.mark.parametrize(
    "cell", [dt.datetime(1970, 1, 2), dt.datetime(1970, 1, 2, 13, 45), dt.date(1970, 1, 2)]
)
def test_a_date_cell_and_the_same_date_typed_as_text_are_the_same_birth_date(world, cell):
    actor, zh = world.user("fao_staff"), labels("zh-hans")
    assert run_import(actor, xlsx([zh[n] for n in FIELDS], [person_row(world, birth_date=cell)])).created == 1
    assert Person.objects.get().birth_date == dt.date(1970, 1, 2)
    again = run_import(actor, xlsx([zh[n] for n in FIELDS], [person_row(world, birth_date="1970-01-02")]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


# --- import through the generic view -----------------------------------------------------------------


def upload(fileobj, name="people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fileobj.getvalue())


def test_import_view_reports_bad_rows_with_status_400(client, world):
    client.force_login(world.user("fao_staff"))
    zh = labels("zh-hans")
    rows = [person_row(world), person_row(world, name="乙", gender="未知")]
    response = client.post(
        reverse("directory:person_import"), {"file": upload(xlsx([zh[n] for n in FIELDS], rows))}
    )
    assert response.status_code == 400
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(3, zh["gender"])]
    page = response.content.decode()
    assert "未知" in page and zh["gender"] in page
    assert not Person.objects.exists()


def test_import_view_writes_a_good_file_and_redirects(client, world):
    client.force_login(world.user("fao_staff"))
    zh = labels("zh-hans")
    response = client.post(
        reverse("directory:person_import"), {"file": upload(xlsx([zh[n] for n in FIELDS], good_rows(world)))}
    )
    assert response.status_code == 302
    assert response.url == reverse("directory:person_list")
    assert Person.objects.count() == 3


def test_import_view_shows_a_zip_that_is_not_a_workbook_as_a_form_error(client, world):
    client.force_login(world.user("fao_staff"))
    response = client.post(reverse("directory:person_import"), {"file": upload(zip_file({"a.txt": b"x"}))})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_import_view_shows_a_file_that_is_not_a_zip_as_a_form_error(client, world):
    client.force_login(world.user("fao_staff"))
    fake = SimpleUploadedFile("people.xlsx", "姓名,性别\n张三,男\n".encode())
    response = client.post(reverse("directory:person_import"), {"file": fake})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_import_view_refuses_a_file_over_the_size_limit_and_writes_nothing(client, world, settings):
    """QUALITY.md Security 12: an imported file is size-limited like an attachment."""
    client.force_login(world.user("fao_staff"))
    zh = labels("zh-hans")
    content = xlsx([zh[n] for n in FIELDS], good_rows(world)).getvalue()
    settings.WAISHI_UPLOAD_MAX_BYTES = len(content) - 1
    response = client.post(
        reverse("directory:person_import"), {"file": SimpleUploadedFile("people.xlsx", content)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not Person.objects.exists()
    settings.WAISHI_UPLOAD_MAX_BYTES = len(content)
    response = client.post(
        reverse("directory:person_import"), {"file": SimpleUploadedFile("people.xlsx", content)}
    )
    assert response.status_code == 302 and Person.objects.count() == 3


def test_a_workbook_that_would_unpack_too_large_is_not_read(world, monkeypatch):
    """An archive is not expanded: a workbook whose members add up to more than the limit (a zip bomb) is
    refused from the zip's directory, before openpyxl unpacks anything."""
    content = xlsx([labels("zh-hans")[n] for n in FIELDS], good_rows(world))
    monkeypatch.setattr("waishi.core.excel.MAX_UNPACKED_BYTES", 1000)

    def unpacked(*args, **kwargs):
        raise AssertionError("the workbook was unpacked")

    monkeypatch.setattr("waishi.core.excel.load_workbook", unpacked)
    with pytest.raises(ApplicationError) as caught:
        run_import(world.user("fao_staff"), content)
    assert caught.value.code == "too_large"
    assert not Person.objects.exists()


def test_import_view_needs_the_add_permission(client, world):
    client.force_login(world.user("viewer"))
    zh = labels("zh-hans")
    response = client.post(
        reverse("directory:person_import"), {"file": upload(xlsx([zh[n] for n in FIELDS], good_rows(world)))}
    )
    assert response.status_code == 403
    assert not Person.objects.exists()


# --- all or nothing, for any mix of rows -------------------------------------------------------------

ROW_KINDS = {
    "good": {},
    "unknown_organization": {"organization": "不存在的单位"},
    "bad_gender": {"gender": "其它"},
    "no_name": {"name": None},
    "bad_rank": {"rank": "大官"},
}


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(sorted(ROW_KINDS)), min_size=1, max_size=6))
def test_any_mix_of_rows_is_written_entirely_or_not_at_all(world, kinds):
    actor = world.user("fao_staff")
    zh = labels("zh-hans")
    rows = []
    for index, kind in enumerate(kinds):
        values = {"name": f"人员{index}", "birth_date": dt.datetime(1970, 1, 1) + dt.timedelta(days=index)}
        values.update(ROW_KINDS[kind])
        rows.append(person_row(world, **values))
    with transaction.atomic():
        before = Person.objects.count()
        report = run_import(actor, xlsx([zh[n] for n in FIELDS], rows))
        bad = [number for number, kind in enumerate(kinds, start=2) if kind != "good"]
        assert sorted({e.row for e in report.errors}) == bad
        if bad:
            assert Person.objects.count() == before
            assert report.created == 0
        else:
            assert Person.objects.count() == before + len(kinds)
            assert report.created == len(kinds)
        transaction.set_rollback(True)
