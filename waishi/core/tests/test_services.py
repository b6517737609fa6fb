"""Core services: generic writes with permission, scope and compare-and-set, the change log, reveal of
personal data, journal, attachments, notifications and office settings."""

import contextlib
import hashlib
import io
import threading
import zipfile
import zlib
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from waishi.core import config, services
from waishi.core.errors import ApplicationError, Conflict, NotAllowed
from waishi.core.models import Attachment, AuditLog, ChangeLog, JournalEntry, Notification, OfficeSetting
from waishi.core.testing.factories import OrganizationFactory, PersonFactory
from waishi.core.tests.concurrency import retry_locked, run_in_threads
from waishi.directory.models import Organization, Person
from waishi.users.models import User

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def new_person(organization, **fields) -> Person:
    values = {"name": "王五", "gender": "male", "id_number": ID_NUMBER, "phone": "13800138000"}
    return Person(organization=organization, **{**values, **fields})


def with_permissions(user, *codes) -> User:
    for code in codes:
        app_label, codename = code.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


def changes(obj, action=None):
    entries = ChangeLog.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
    return entries.filter(action=action) if action else entries


def audit_actions() -> list[str]:
    return list(AuditLog.objects.order_by("seq").values_list("action", flat=True))


# --- create / update / delete ------------------------------------------------------------------------


def test_create_writes_the_record_and_its_change_log(world):
    actor = world.user("unit_clerk")
    person = services.model_create(actor=actor, obj=new_person(world.unit_a))
    assert Person.objects.get(pk=person.pk).name == "王五"
    [entry] = changes(person)
    assert (entry.action, entry.user, entry.object_repr, entry.before) == ("create", actor, "王五", None)
    assert entry.after["name"] == "王五"
    assert entry.after["organization_id"] == world.unit_a.pk
    assert entry.after["version"] == 1


def test_create_validates(world):
    with pytest.raises(ApplicationError) as caught:
        services.model_create(actor=world.user("unit_clerk"), obj=new_person(world.unit_a, gender="robot"))
    assert caught.value.code == "invalid"
    assert "gender" in caught.value.extra["errors"]
    assert not Person.objects.exists() and not ChangeLog.objects.exists()


def denied_operations(world):
    person = PersonFactory(organization=world.unit_a)
    return {
        "create person without add_person": lambda: services.model_create(
            actor=world.user("viewer"), obj=new_person(world.unit_a)
        ),
        "update person without change_person": lambda: services.model_update(
            actor=world.user("unit_leader"), obj=Person.objects.get(pk=person.pk), version=1
        ),
        "delete person without delete_person": lambda: services.model_delete(
            actor=world.user("fao_staff"), obj=Person.objects.get(pk=person.pk)
        ),
        "create organization without add_organization": lambda: services.model_create(
            actor=world.user("unit_clerk"),
            obj=Organization(code="new-unit", name="新单位", kind="unit", level="city", parent=world.unit_a),
        ),
        "admin changes a person": lambda: services.model_update(
            actor=world.user("system_admin", world.province), obj=Person.objects.get(pk=person.pk), version=1
        ),
    }


DENIED = [
    "create person without add_person",
    "update person without change_person",
    "delete person without delete_person",
    "create organization without add_organization",
    "admin changes a person",
]


@pytest.mark.parametrize("name", DENIED)
def test_denied_write_raises_not_allowed_and_writes_nothing(world, name):
    operation = denied_operations(world)[name]
    people, organizations = Person.objects.count(), Organization.objects.count()
    with pytest.raises(NotAllowed) as caught:
        operation()
    assert caught.value.code == "not_allowed" and caught.value.status == 403
    assert (Person.objects.count(), Organization.objects.count()) == (people, organizations)
    assert Person.objects.get().version == 1
    assert not ChangeLog.objects.exists()


@pytest.mark.parametrize("name", DENIED)
def test_denied_write_is_audited(world, name):
    operation = denied_operations(world)[name]
    with pytest.raises(NotAllowed):
        operation()
    assert audit_actions() == ["access.denied"]


def test_unit_clerk_cannot_create_in_another_unit(world):
    with pytest.raises(NotAllowed) as caught:
        services.model_create(actor=world.user("unit_clerk"), obj=new_person(world.unit_b))
    assert caught.value.code == "out_of_scope"
    assert not Person.objects.exists()
    assert not ChangeLog.objects.exists()


def test_city_staff_cannot_create_an_organization_under_another_city(world):
    actor = world.user("fao_staff")
    unit = services.model_create(
        actor=actor,
        obj=Organization(code="a-new", name="甲新单位", kind="unit", level="city", parent=world.city_a),
    )
    assert Organization.objects.get(pk=unit.pk).path == "prov.city-a.a-new."
    with pytest.raises(NotAllowed) as caught:
        services.model_create(
            actor=actor,
            obj=Organization(code="b-new", name="乙新单位", kind="unit", level="city", parent=world.city_b),
        )
    assert caught.value.code == "out_of_scope"
    assert not Organization.objects.filter(code="b-new").exists()


def test_moving_a_record_out_of_scope_is_refused_and_undone(world):
    child = OrganizationFactory(code="a-child", parent=world.unit_a)
    person = PersonFactory(organization=child)
    actor = world.user("fao_staff")
    unit = Organization.objects.get(pk=world.unit_a.pk)
    unit.parent = world.city_b
    with pytest.raises(NotAllowed) as caught:
        services.model_update(actor=actor, obj=unit, version=unit.version)
    assert caught.value.code == "out_of_scope"
    assert Organization.objects.get(pk=world.unit_a.pk).parent_id == world.city_a.pk
    assert Organization.objects.get(pk=world.unit_a.pk).version == 1
    assert Organization.objects.get(pk=child.pk).path == "prov.city-a.unit-a.a-child."
    moved = Person.objects.get(pk=person.pk)
    moved.organization = world.unit_b
    with pytest.raises(NotAllowed):
        services.model_update(actor=actor, obj=moved, version=1)
    assert Person.objects.get(pk=person.pk).organization_id == child.pk


def test_unit_clerk_cannot_update_another_units_person(world):
    person = PersonFactory(organization=world.unit_b)
    with pytest.raises(NotAllowed):
        services.model_update(actor=world.user("unit_clerk"), obj=person, version=1)


def test_second_update_from_the_same_version_conflicts(world):
    person = PersonFactory(organization=world.unit_a, position="科员")
    first, second = Person.objects.get(pk=person.pk), Person.objects.get(pk=person.pk)
    first.position = "处长"
    second.position = "局长"
    services.model_update(actor=world.user("unit_clerk"), obj=first, version=1)
    with pytest.raises(Conflict) as caught:
        services.model_update(actor=world.user("fao_staff"), obj=second, version=1)
    assert (caught.value.code, caught.value.status) == ("changed", 409)
    stored = Person.objects.get(pk=person.pk)
    assert (stored.position, stored.version) == ("处长", 2)
    assert changes(person, "update").count() == 1
    # Reloaded, the second user can save.
    again = Person.objects.get(pk=person.pk)
    again.position = "局长"
    services.model_update(actor=world.user("fao_staff"), obj=again, version=again.version)
    assert Person.objects.get(pk=person.pk).version == 3
    assert changes(person, "update").count() == 2


def test_change_log_holds_before_and_after(world):
    person = PersonFactory(organization=world.unit_a, name="张三", position="科员")
    actor = world.user("unit_clerk")
    edited = Person.objects.get(pk=person.pk)
    edited.name, edited.position = "张三丰", "处长"
    services.model_update(actor=actor, obj=edited, version=1)
    [entry] = changes(person, "update")
    assert entry.user == actor
    assert (entry.before["name"], entry.after["name"]) == ("张三", "张三丰")
    assert (entry.before["version"], entry.after["version"]) == (1, 2)
    diff = {name: (old, new) for name, old, new in entry.changes}
    assert diff["name"] == ("张三", "张三丰")
    assert diff["position"] == ("科员", "处长")
    assert diff["pinyin"] == ("zhangsan", "zhangsanfeng")
    assert "version" not in diff and "updated_at" not in diff and "gender" not in diff
    assert entry.object_repr == "张三丰"


def test_a_bulk_write_logs_what_writes_one_by_one_log(world):
    """``model_bulk_write``'s change-log rows (COPY on PostgreSQL) hold what ``model_create``'s and
    ``model_update``'s hold, with values COPY's text format and JSON escape."""
    actor = world.user("unit_clerk")
    awkward = {"name": '王"五\\N\t\n\r', "position": "{a,b} NULL \\ 处长"}
    one = services.model_create(actor=actor, obj=new_person(world.unit_a, **awkward))
    bulk = new_person(world.unit_a, **awkward)
    bulk.fill_names()
    services.model_bulk_write(actor=actor, model=Person, created=[bulk], updated=[])
    for person in (one, bulk):
        edited = Person.objects.get(pk=person.pk)
        edited.position = '"科长"'
        if person is one:
            services.model_update(actor=actor, obj=edited, version=1)
        else:
            before = services.snapshot(Person.objects.get(pk=person.pk), {})
            services.model_bulk_write(actor=actor, model=Person, created=[], updated=[(edited, before)])

    def logged(entry):
        def same(picture):  # what two records written alike have in common
            return picture and {
                k: v for k, v in picture.items() if k not in {"id", "created_at", "updated_at"}
            }

        assert entry.at is not None
        fields = (entry.user, entry.request_id, entry.content_type_id, entry.object_repr, entry.action)
        return (*fields, same(entry.before), same(entry.after))

    for action in ("create", "update"):
        [by_one], [by_bulk] = changes(one, action), changes(bulk, action)
        assert logged(by_bulk) == logged(by_one)
        assert by_bulk.after["name"] == awkward["name"] and by_bulk.object_id == str(bulk.pk)
    assert changes(bulk, "update")[0].after["position"] == '"科长"'


def test_invalid_update_writes_nothing(world):
    person = PersonFactory(organization=world.unit_a)
    edited = Person.objects.get(pk=person.pk)
    edited.gender = "robot"
    with pytest.raises(ApplicationError) as caught:
        services.model_update(actor=world.user("unit_clerk"), obj=edited, version=1)
    assert caught.value.code == "invalid"
    stored = Person.objects.get(pk=person.pk)
    assert (stored.gender, stored.version) == ("male", 1)
    assert not ChangeLog.objects.exists()


def test_delete_with_permission_logs_the_last_state(world):
    person = PersonFactory(organization=world.unit_a, name="赵敏")
    actor = with_permissions(world.user("unit_clerk"), "directory.delete_person")
    services.model_delete(actor=actor, obj=Person.objects.get(pk=person.pk))
    assert not Person.objects.filter(pk=person.pk).exists()
    [entry] = changes(person)
    assert (entry.action, entry.after, entry.before["name"]) == ("delete", None, "赵敏")
    assert entry.before["id_number"] == "110***********002X"


def test_delete_of_a_record_in_use_is_refused(world):
    PersonFactory(organization=world.unit_a)
    actor = with_permissions(world.user("fao_staff"), "directory.delete_organization")
    with pytest.raises(ApplicationError) as caught:
        services.model_delete(actor=actor, obj=Organization.objects.get(pk=world.unit_a.pk))
    assert caught.value.code == "in_use"
    assert Organization.objects.filter(pk=world.unit_a.pk).exists()
    assert not ChangeLog.objects.exists()


def test_delete_outside_scope_is_refused_even_with_permission(world):
    person = PersonFactory(organization=world.unit_b)
    actor = with_permissions(world.user("unit_clerk"), "directory.delete_person")
    with pytest.raises(NotAllowed):
        services.model_delete(actor=actor, obj=person)
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_from_the_same_version_exactly_one_wins(world):
    """QUALITY.md Reliability line 1: two saves at the same moment, 25 rounds, one winner each."""
    person = PersonFactory(organization=world.unit_a, position="起始")
    actors = [world.user("unit_clerk"), world.user("fao_staff")]
    for actor in actors:
        assert actor.has_perm("directory.change_person")  # fill the permission cache before threading
    rounds = 25
    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def contender(index):
        for round_ in range(rounds):
            barrier.wait()  # both finished the previous round
            obj = Person.objects.get(pk=person.pk)
            version = obj.version
            barrier.wait()  # both hold the same version
            obj.position = f"线程{index}-第{round_}轮"
            try:
                retry_locked(services.model_update, actor=actors[index], obj=obj, version=version)
                outcome = "won"
            except Conflict:
                outcome = "conflict"
            with lock:
                outcomes.append((round_, index, outcome))

    errors = run_in_threads(2, contender)
    assert errors == []
    per_round = Counter((round_, outcome) for round_, _index, outcome in outcomes)
    for round_ in range(rounds):
        assert per_round[(round_, "won")] == 1, round_
        assert per_round[(round_, "conflict")] == 1, round_
    stored = Person.objects.get(pk=person.pk)
    assert stored.version == rounds + 1
    winners = {r: i for r, i, outcome in outcomes if outcome == "won"}
    assert stored.position == f"线程{winners[rounds - 1]}-第{rounds - 1}轮"
    assert changes(person, "update").count() == rounds
    assert sorted(changes(person, "update").values_list("after__version", flat=True)) == list(
        range(2, rounds + 2)
    )


# --- reveal ------------------------------------------------------------------------------------------


def test_reveal_returns_the_plaintext_and_audits_the_reason(world):
    person = PersonFactory(organization=world.unit_a, id_number=ID_NUMBER, phone="13800138000")
    actor = world.user("fao_staff")
    loaded = Person.objects.get(pk=person.pk)
    assert services.reveal(actor=actor, obj=loaded, field="id_number", reason="  办理护照  ") == ID_NUMBER
    assert services.reveal(actor=actor, obj=loaded, field="phone", reason="联系本人") == "13800138000"
    rows = list(AuditLog.objects.order_by("seq"))
    assert [(r.action, r.user_id, r.object_type, r.object_id) for r in rows] == [
        ("personal_data.reveal", actor.pk, "directory.person", str(person.pk)),
        ("personal_data.reveal", actor.pk, "directory.person", str(person.pk)),
    ]
    assert rows[0].detail == {"field": "id_number", "reason": "办理护照"}
    assert rows[1].detail == {"field": "phone", "reason": "联系本人"}
    assert ID_NUMBER not in str(rows[0].detail)


def test_reveal_needs_the_permission_and_the_refusal_is_audited(world):
    person = PersonFactory(organization=world.unit_a)
    actor = world.user("unit_clerk")
    assert actor.has_perm("directory.view_person") and not actor.has_perm("directory.reveal_person")
    with pytest.raises(NotAllowed):
        services.reveal(actor=actor, obj=person, field="id_number", reason="好奇")
    row = AuditLog.objects.get()
    assert (row.action, row.result, row.user_id, row.object_id) == (
        "access.denied",
        "denied",
        actor.pk,
        str(person.pk),
    )
    assert row.detail == {"model": "directory.person", "action": "reveal"}


def test_reveal_outside_scope_is_refused(world):
    person = PersonFactory(organization=world.unit_b)
    with pytest.raises(NotAllowed):
        services.reveal(actor=world.user("fao_staff"), obj=person, field="id_number", reason="核对")
    assert audit_actions() == ["access.denied"]
    assert services.reveal(
        actor=world.user("fao_leader", world.province), obj=person, field="id_number", reason="核对"
    ) == (ID_NUMBER)


@pytest.mark.parametrize("reason", ["", "   ", "a", None])
def test_reveal_needs_a_reason(world, reason):
    person = PersonFactory(organization=world.unit_a)
    with pytest.raises(ApplicationError) as caught:
        services.reveal(actor=world.user("fao_staff"), obj=person, field="id_number", reason=reason)
    assert caught.value.code == "reason_required"
    assert "personal_data.reveal" not in audit_actions()


def test_reveal_of_an_ordinary_field_is_refused(world):
    person = PersonFactory(organization=world.unit_a)
    with pytest.raises(ApplicationError) as caught:
        services.reveal(actor=world.user("fao_staff"), obj=person, field="name", reason="核对身份")
    assert caught.value.code == "not_sensitive"
    assert not AuditLog.objects.exists()


# --- journal -----------------------------------------------------------------------------------------


def test_journal_add(world):
    person = PersonFactory(organization=world.unit_a)
    actor = world.user("unit_clerk")
    entry = services.journal_add(actor=actor, obj=person, comments="  已电话确认出访意向。 ", kind="success")
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.content_object, stored.author, stored.kind) == (person, actor, "success")
    assert stored.comments == "已电话确认出访意向。"
    [entry_log] = changes(stored)
    assert entry_log.action == "create" and entry_log.after["comments"] == "已电话确认出访意向。"


@pytest.mark.parametrize(("comments", "kind"), [("   ", "info"), ("说明", "shouting")])
def test_journal_add_validates(world, comments, kind):
    person = PersonFactory(organization=world.unit_a)
    with pytest.raises(ApplicationError) as caught:
        services.journal_add(actor=world.user("unit_clerk"), obj=person, comments=comments, kind=kind)
    assert caught.value.code == "invalid"
    assert not JournalEntry.objects.exists()


def test_journal_add_needs_to_see_the_record(world):
    person = PersonFactory(organization=world.unit_b)
    with pytest.raises(NotAllowed):
        services.journal_add(actor=world.user("unit_clerk"), obj=person, comments="看不到", kind="info")
    assert not JournalEntry.objects.exists()


# --- attachments -------------------------------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def zip_bytes(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["姓名", "单位"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachment_add_stores_a_pdf(world, media):
    person = PersonFactory(organization=world.unit_a)
    actor = world.user("fao_staff")
    upload = SimpleUploadedFile("出访报告.pdf", PDF, content_type="application/pdf")
    attachment = services.attachment_add(actor=actor, obj=person, upload=upload, description="报告")
    stored = Attachment.objects.get(pk=attachment.pk)
    assert (stored.name, stored.mime_type, stored.size) == ("出访报告.pdf", "application/pdf", len(PDF))
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.content_object, stored.uploaded_by, stored.description) == (person, actor, "报告")
    with stored.file.open("rb") as handle:
        assert handle.read() == PDF
    assert (media / stored.file.name).is_file()
    assert changes(stored, "create").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "mime_type"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "application/x-ole-storage"),
        (
            "letter.docx",
            zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("公文.ofd", zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"}), "application/ofd"),
        # The name does not decide: a PDF called .docx is a PDF.
        ("misnamed.docx", PDF, "application/pdf"),
    ],
)
def test_attachment_type_is_decided_by_content(world, media, name, content, mime_type):
    person = PersonFactory(organization=world.unit_a)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = services.attachment_add(actor=world.user("fao_staff"), obj=person, upload=upload)
    assert attachment.mime_type == mime_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
        ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("invoice.pdf", b" %PDF-1.4 preceded by a space"),
        ("empty.pdf", b""),
        ("archive.docx", zip_bytes({"readme.txt": b"hello", "payload.exe": b"MZ"})),
        ("slides.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 40),
    ],
    ids=["exe", "html", "pdf-not-at-start", "empty", "plain-zip", "pptx", "broken-zip"],
)
def test_attachment_of_a_refused_type_writes_nothing(world, media, name, content):
    person = PersonFactory(organization=world.unit_a)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ApplicationError) as caught:
        services.attachment_add(actor=world.user("fao_staff"), obj=person, upload=upload)
    assert caught.value.code == "bad_type"
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_archives_are_not_expanded(world, media):
    """The sniffer reads the zip directory only: a member whose data is garbage is never inflated."""
    content = bytearray(
        zip_bytes({"[Content_Types].xml": b"<Types/>" * 200, "word/document.xml": b"<w:document/>" * 200})
    )
    start = 30 + len("[Content_Types].xml")  # the first member's compressed data
    content[start : start + 20] = b"\xff" * 20
    with (
        zipfile.ZipFile(io.BytesIO(bytes(content))) as archive,
        pytest.raises((zipfile.BadZipFile, zlib.error)),
    ):
        archive.read("[Content_Types].xml")
    upload = SimpleUploadedFile("letter.docx", bytes(content))
    attachment = services.attachment_add(
        actor=world.user("fao_staff"), obj=PersonFactory(organization=world.unit_a), upload=upload
    )
    assert attachment.mime_type.endswith("wordprocessingml.document")


def test_attachment_size_is_limited(world, media, settings):
    settings.WAISHI_UPLOAD_MAX_BYTES = len(PDF)
    person = PersonFactory(organization=world.unit_a)
    actor = world.user("fao_staff")
    with pytest.raises(ApplicationError) as caught:
        services.attachment_add(
            actor=actor,
            obj=person,
            upload=SimpleUploadedFile("big.pdf", PDF + b"\n", content_type="application/pdf"),
        )
    assert caught.value.code == "too_large"
    assert not Attachment.objects.exists()
    at_limit = services.attachment_add(actor=actor, obj=person, upload=SimpleUploadedFile("ok.pdf", PDF))
    assert at_limit.size == len(PDF)


def test_attachment_needs_change_permission_on_the_record(world, media):
    mine, theirs = PersonFactory(organization=world.unit_a), PersonFactory(organization=world.unit_b)
    with pytest.raises(NotAllowed):
        services.attachment_add(actor=world.user("viewer"), obj=mine, upload=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(NotAllowed):
        services.attachment_add(
            actor=world.user("fao_staff"), obj=theirs, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert not Attachment.objects.exists()


# --- notifications -----------------------------------------------------------------------------------


def test_notify_and_mark_read(world):
    alice, bob = world.user("fao_staff"), world.user("unit_clerk")
    sent = services.notify(
        recipients=[alice, bob], title="出访申请待审批" + "长" * 300, url="/directory/people/"
    )
    assert len(sent) == 2
    assert {n.recipient for n in Notification.objects.all()} == {alice, bob}
    assert all(len(n.title) == 200 for n in Notification.objects.all())
    services.notify(recipients=[alice], title="第二条")
    bobs = Notification.objects.get(recipient=bob)

    # Nobody marks another user's notification as read.
    assert services.notification_mark_read(actor=alice, notification_ids=[bobs.pk]) == 0
    assert Notification.objects.get(pk=bobs.pk).read_at is None

    first = Notification.objects.filter(recipient=alice).order_by("id").first()
    assert services.notification_mark_read(actor=alice, notification_ids=[first.pk]) == 1
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1
    assert services.notification_mark_read(actor=alice, notification_ids=[first.pk]) == 0  # already read
    assert services.notification_mark_read(actor=alice) == 1
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=bobs.pk).read_at is None


# --- office settings ---------------------------------------------------------------------------------

SETTING = "test.some_limit"
with contextlib.suppress(ValueError):  # already defined by an earlier import of this module
    config.define(SETTING, 5, "a limit for the tests")


@pytest.mark.parametrize("within_a_request", [False, True])
def test_setting_on_the_province_applies_below_and_the_citys_own_wins(world, within_a_request):
    """The same answers whether each read goes to the database or, as in a request, each office's settings
    are remembered (a write forgets them)."""
    if within_a_request:
        with config.remembered():
            check_setting_on_the_province_applies_below(world)
    else:
        check_setting_on_the_province_applies_below(world)


def check_setting_on_the_province_applies_below(world):
    province_leader = world.user("fao_leader", world.province)
    city_leader = world.user("fao_leader", world.city_a)
    assert config.get(SETTING) == 5
    assert config.get(SETTING, world.unit_a) == 5

    services.office_setting_set(actor=province_leader, office=world.province, key=SETTING, value=7)
    assert [config.get(SETTING, o) for o in (world.province, world.city_a, world.unit_a, world.city_b)] == [
        7,
        7,
        7,
        7,
    ]

    services.office_setting_set(actor=city_leader, office=world.city_a, key=SETTING, value=3)
    assert config.get(SETTING, world.unit_a) == 3
    assert config.get(SETTING, world.unit_a2) == 3
    assert config.get(SETTING, world.city_a) == 3
    assert config.get(SETTING, world.city_b) == 7
    assert config.get(SETTING, world.unit_b) == 7
    assert config.get(SETTING, world.province) == 7
    assert config.get(SETTING) == 5


def test_a_request_reads_an_offices_settings_once(world, django_assert_num_queries):
    other = "test.other_limit"
    with contextlib.suppress(ValueError):
        config.define(other, 2, "another limit for the tests")
    services.office_setting_set(
        actor=world.user("fao_leader", world.city_a), office=world.city_a, key=other, value=4
    )
    with django_assert_num_queries(2):  # a query a read
        assert (config.get(SETTING, world.unit_a), config.get(other, world.unit_a)) == (5, 4)
    with config.remembered(), django_assert_num_queries(2):  # one an office
        for _ in range(3):
            assert (config.get(SETTING, world.unit_a), config.get(other, world.unit_a)) == (5, 4)
            assert config.get(other, world.city_b) == 2
    with django_assert_num_queries(1):  # outside, read again
        config.get(other, world.unit_a)


def test_setting_change_is_versioned_logged_and_audited(world):
    leader = world.user("fao_leader", world.city_a)
    first = services.office_setting_set(actor=leader, office=world.city_a, key=SETTING, value=8)
    second = services.office_setting_set(actor=leader, office=world.city_a, key=SETTING, value=9)
    assert first.pk == second.pk
    stored = OfficeSetting.objects.get()
    assert (stored.value, stored.version) == (9, 2)
    logs = list(changes(stored).order_by("id"))
    assert [entry.action for entry in logs] == ["create", "update"]
    assert (logs[1].before["value"], logs[1].after["value"]) == (8, 9)
    rows = AuditLog.objects.filter(action="config.change").order_by("seq")
    assert [row.detail for row in rows] == [{"key": SETTING, "value": 8}, {"key": SETTING, "value": 9}]


@pytest.mark.parametrize("value", ["7", 7.5, True, None, [7]])
def test_setting_value_must_be_of_the_defaults_kind(world, value):
    with pytest.raises(ApplicationError) as caught:
        services.office_setting_set(
            actor=world.user("fao_leader", world.city_a), office=world.city_a, key=SETTING, value=value
        )
    assert caught.value.code == "invalid"
    assert not OfficeSetting.objects.exists()


def test_setting_needs_the_permission_and_the_office_in_scope(world):
    with pytest.raises(NotAllowed):
        services.office_setting_set(actor=world.user("fao_staff"), office=world.city_a, key=SETTING, value=1)
    with pytest.raises(NotAllowed):
        services.office_setting_set(
            actor=world.user("fao_leader", world.city_a), office=world.city_b, key=SETTING, value=1
        )
    with pytest.raises(NotAllowed):
        services.office_setting_set(
            actor=world.user("fao_leader", world.city_a), office=world.province, key=SETTING, value=1
        )
    assert not OfficeSetting.objects.exists()
    assert config.get(SETTING, world.city_b) == 5


def test_config_registry():
    with pytest.raises(ValueError):
        config.define(SETTING, 6, "again")
    assert config.definition(SETTING).default == 5
    assert config.definition(SETTING).kind is int
    keys = [d.key for d in config.definitions()]
    assert SETTING in keys and keys == sorted(keys)
    assert config.ancestor_paths("prov.city-a.unit-a.") == ["prov.city-a.unit-a.", "prov.city-a.", "prov."]
