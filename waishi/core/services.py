"""Writes shared by every module: generic create/update/delete with the change log, reveal of
personal data, journal entries, attachments, notifications and office settings.

Domain services call ``record_change`` and ``audit`` themselves; registered models without a domain
service of their own are written through ``model_create``/``model_update``/``model_delete``.
"""

import contextvars
import functools
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.attachments import check_upload
from waishi.core.audit import audit
from waishi.core.choices import AuditResult, ChangeAction
from waishi.core.errors import ApplicationError, Conflict, NotAllowed
from waishi.core.fields import EncryptedCharField, mask
from waishi.core.models import (
    Attachment,
    ChangeLog,
    JournalEntry,
    Notification,
    OfficeSetting,
    permission_name,
)

from . import context


def snapshot(obj: models.Model, many_to_many: dict | None = None) -> dict:
    """A JSON-safe picture of a record for the change log; encrypted values appear masked only.
    ``many_to_many``: the many-to-many values when the caller knows them (no query per record)."""
    data = {}
    excluded = getattr(obj, "changelog_exclude", ())
    for field in obj._meta.concrete_fields:
        if field.attname in excluded:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, EncryptedCharField):
            value = mask(value, field.mask_head, field.mask_tail)
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[field.attname] = value
    for field in obj._meta.many_to_many:
        if many_to_many is not None:
            data[field.name] = many_to_many.get(field.name, [])
        elif obj.pk is not None:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def record_change(*, actor, obj: models.Model, action: str, before: dict | None = None) -> ChangeLog:
    entry = _change_entry(
        actor=actor,
        obj=obj,
        action=action,
        before=before,
        after=None if action == ChangeAction.DELETE else snapshot(obj),
    )
    entry.save(force_insert=True)
    return entry


def _change_entry(*, actor, obj, action: str, before: dict | None, after: dict | None) -> ChangeLog:
    return ChangeLog(
        user=actor if actor is not None and actor.is_authenticated else None,
        request_id=context.current().request_id,
        content_type_id=_content_type_id(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        before=before,
        after=after,
    )


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def require(actor, model: type[models.Model], action: str, obj: models.Model | None = None) -> None:
    """Raise NotAllowed unless ``actor`` may ``action`` this model (and this record, when given)."""
    opts = model._meta
    allowed = bool(actor and actor.is_authenticated and actor.has_perm(permission_name(model, action)))
    if allowed and obj is not None:
        allowed = model.objects.restrict(actor, action).filter(pk=obj.pk).exists()
    if not allowed:
        raise deny(actor, obj, {"model": opts.label_lower, "action": action})


def deny(actor, obj, detail: dict, code: str = "not_allowed", message=None) -> NotAllowed:
    """The refusal to raise: audited now outside a service, or by the outermost service after its rollback."""
    error = NotAllowed(code, message or _("You are not allowed to do this."))
    error.denial = {"user": actor, "obj": obj, "detail": detail}
    if _service_depth.get() == 0:
        audit_denial(error)
    return error


def audit_denial(error: NotAllowed) -> None:
    """Write the refusal's audit row once; outside any transaction, so no rollback takes it away."""
    denial = getattr(error, "denial", None)
    if denial:
        error.denial = None
        audit("access.denied", result=AuditResult.DENIED, **denial)


_service_depth = contextvars.ContextVar("waishi_service_depth", default=0)


def service(function):
    """A write: one transaction. A refusal inside it is audited once the outermost service has rolled back,
    so the audit row stays."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        outermost = _service_depth.get() == 0
        token = _service_depth.set(_service_depth.get() + 1)
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except NotAllowed as error:
            if outermost:
                audit_denial(error)
            raise
        finally:
            _service_depth.reset(token)

    return wrapper


def _full_clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "invalid", _("Please correct the errors below."), {"errors": exc.message_dict}
        ) from exc


@service
def model_create(*, actor, obj: models.Model, m2m: dict | None = None) -> models.Model:
    """Validate and insert ``obj`` (built from a form or serializer), then its many-to-many values."""
    require(actor, type(obj), "add")
    _full_clean(obj)
    obj.save(force_insert=True)
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    _check_scope(actor, obj)
    record_change(actor=actor, obj=obj, action=ChangeAction.CREATE)
    return obj


def _check_scope(actor, obj) -> None:
    """A user may not create or move a record outside what he is allowed to see."""
    if not type(obj).objects.restrict(actor, "view").filter(pk=obj.pk).exists():
        raise _out_of_scope(actor, type(obj))


def _out_of_scope(actor, model) -> NotAllowed:
    return deny(
        actor,
        None,
        {"model": model._meta.label_lower, "action": "scope"},
        "out_of_scope",
        _("The record would fall outside your organization."),
    )


@service
def model_update(*, actor, obj: models.Model, version: int, m2m: dict | None = None) -> models.Model:
    """Save edits to ``obj`` if nobody saved it since ``version`` was read (compare-and-set)."""
    model = type(obj)
    require(actor, model, "change", obj)
    before = snapshot(model.objects.get(pk=obj.pk))
    _full_clean(obj)
    if not model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1):
        raise Conflict(
            "changed", _("Someone else changed this record after you opened it. Reload and try again.")
        )
    obj.version = version + 1
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    _check_scope(actor, obj)
    record_change(actor=actor, obj=obj, action=ChangeAction.UPDATE, before=before)
    return obj


@service
def model_bulk_write(*, actor, model: type[models.Model], created: list, updated: list[tuple]) -> None:
    """Insert ``created`` and save ``updated`` (pairs of a record and its snapshot taken when it was read)
    with a constant number of queries: the records, a compare-and-set of their versions, a scope check and
    their change-log rows, each in one statement. Many-to-many values are left as they are. The objects
    are saved as they are: ``save()`` is not called, so derived fields are the caller's to fill."""
    if created:
        require(actor, model, "add")
        model.objects.bulk_create(created)
    if updated:
        require(actor, model, "change")
        versions = {obj.pk: before["version"] for obj, before in updated}
        current = dict(
            model.objects.restrict(actor, "change")
            .select_for_update()
            .filter(pk__in=versions)
            .values_list("pk", "version")
        )
        if current != versions:
            raise Conflict(
                "changed", _("Someone else changed these records while they were imported. Try again.")
            )
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.auto_created]
        for obj, before in updated:
            obj.version = before["version"] + 1
            for field in fields:
                field.pre_save(obj, False)  # what save() does: timestamps, blind indexes
        model.objects.bulk_update([obj for obj, _before in updated], [f.name for f in fields])
    written = created + [obj for obj, _before in updated]
    if model.objects.restrict(actor, "view").filter(pk__in=[obj.pk for obj in written]).count() != len(
        written
    ):
        raise _out_of_scope(actor, model)
    empty = {field.name: [] for field in model._meta.many_to_many}
    _insert_change_entries(
        [
            _change_entry(
                actor=actor, obj=obj, action=ChangeAction.CREATE, before=None, after=snapshot(obj, empty)
            )
            for obj in created
        ]
        + [
            _change_entry(
                actor=actor,
                obj=obj,
                action=ChangeAction.UPDATE,
                before=before,
                after=snapshot(obj, {name: before.get(name, []) for name in empty}),
            )
            for obj, before in updated
        ]
    )


def _insert_change_entries(entries: list[ChangeLog]) -> None:
    """Insert change-log rows in one statement (``insert_rows``: COPY on PostgreSQL, where ``bulk_create``
    quoted the snapshots' JSON character by character in Python, half of writing the change log of an
    import). The rows get the values ``bulk_create`` would write; their ids are not read back (nobody
    reads them)."""
    if not entries:
        return
    connection = connections[router.db_for_write(ChangeLog)]
    fields = [field for field in ChangeLog._meta.concrete_fields if not field.primary_key]
    insert_rows(
        ChangeLog,
        [field.column for field in fields],
        ([f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields] for entry in entries),
    )


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (values prepared for the database, in the order of ``columns``) into ``model``'s
    table in one statement, as plain values rather than model instances (writes of thousands of rows:
    imports, the name search's tokens): COPY on PostgreSQL, where psycopg formats the rows in C; elsewhere
    one prepared statement run for each row (SQLite: in process, no round trips)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608


@service
def model_delete(*, actor, obj: models.Model) -> None:
    require(actor, type(obj), "delete", obj)
    before = snapshot(obj)
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except models.ProtectedError as exc:
        raise ApplicationError(
            "in_use", _("This record is still used by other records and cannot be deleted.")
        ) from exc
    obj.pk = pk
    record_change(actor=actor, obj=obj, action=ChangeAction.DELETE, before=before)


def reveal(*, actor, obj: models.Model, field: str, reason: str) -> str:
    """The plaintext of an encrypted field, for a user with the reveal permission and a stated reason."""
    model = type(obj)
    reason = (reason or "").strip()
    if not isinstance(model._meta.get_field(field), EncryptedCharField):
        raise ApplicationError("not_sensitive", _("This field is not protected."))
    require(actor, model, "reveal", obj)
    if len(reason) < 2:
        raise ApplicationError("reason_required", _("State why you need to see the full number."))
    audit("personal_data.reveal", user=actor, obj=obj, detail={"field": field, "reason": reason})
    return getattr(obj, field)


@service
def journal_add(*, actor, obj: models.Model, comments: str, kind: str) -> JournalEntry:
    require(actor, type(obj), "view", obj)
    entry = JournalEntry(content_object=obj, comments=comments.strip(), kind=kind, author=actor)
    _full_clean(entry)
    entry.save()
    record_change(actor=actor, obj=entry, action=ChangeAction.CREATE)
    return entry


@service
def attachment_add(
    *, actor, obj: models.Model, upload, description: str = "", purpose: str = ""
) -> Attachment:
    """Attach an uploaded file to a record the actor may change; the content decides the type."""
    require(actor, type(obj), "change", obj)
    mime_type = check_upload(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        content_object=obj,
        file=upload,
        name=upload.name[:255],
        mime_type=mime_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description,
        purpose=purpose,
        uploaded_by=actor,
    )
    attachment.save()
    record_change(actor=actor, obj=attachment, action=ChangeAction.CREATE)
    return attachment


def notify(*, recipients, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Put one message in each recipient's notification list (side effects such as mail come later)."""
    return Notification.objects.bulk_create(
        Notification(recipient=user, title=title[:200], body=body, url=url) for user in recipients
    )


def notification_mark_read(*, actor, notification_ids=None) -> int:
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


@service
def office_setting_set(*, actor, office, key: str, value) -> OfficeSetting:
    """Configure one rule, deadline or limit for an office (and the offices below it)."""
    definition = config.definition(key)
    require(actor, OfficeSetting, "change")
    require(actor, type(office), "view", office)
    if not isinstance(value, definition.kind) or isinstance(value, bool) != isinstance(
        definition.default, bool
    ):
        raise ApplicationError(
            "invalid", _("The value must be of the same kind as the default."), {"key": key}
        )
    setting, created = OfficeSetting.objects.get_or_create(
        organization=office, key=key, defaults={"value": value}
    )
    before = None if created else snapshot(setting)
    if not created:
        setting.value = value
        setting.version += 1
        setting.save()
    record_change(
        actor=actor,
        obj=setting,
        action=ChangeAction.CREATE if created else ChangeAction.UPDATE,
        before=before,
    )
    audit("config.change", user=actor, obj=setting, detail={"key": key, "value": value})
    config.forget()
    return setting
