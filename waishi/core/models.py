"""Base models and the cross-cutting records every module shares.

No business domain lives here: timestamps and the compare-and-set version, tenancy (`restrict`),
the change log, the audit chain, attachments, journal entries, notifications, the working-day
override table and per-office settings.
"""

import functools

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from waishi.core.choices import AuditResult, ChangeAction, DayKind, JournalKind
from waishi.core.fields import BlindIndexField


def field_path(model, names) -> list | None:
    """The fields that ``names`` (``["person", "organization"]``) follow from ``model`` when they name a
    column of it or of a record it refers to, else None (a reverse or many-to-many relation, an unknown
    name, a name after a column): one value a row, read without a join to many."""
    fields, opts = [], model._meta
    for index, name in enumerate(names):
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.many_to_many:
            return None
        fields.append(field)
        if field.is_relation:
            opts = field.related_model._meta
        elif index < len(names) - 1:
            return None
    return fields or None


def record_url(viewname: str, pk) -> str:
    """``reverse(viewname, args=[pk])``, the page of one record: the pattern is resolved once a view (and
    URL configuration and script prefix), then the key written into it. A list links each of its rows, and
    resolving the pattern a row was a tenth of writing them."""
    if type(pk) is not int or pk < 0:
        return reverse(viewname, args=[pk])
    head, tail = _record_url_parts(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{head}{pk}{tail}"


@functools.lru_cache(maxsize=512)
def _record_url_parts(viewname: str, _prefix: str, _urlconf: str) -> tuple[str, str]:
    head, _, tail = reverse(viewname, args=[_URL_KEY]).rpartition(str(_URL_KEY))
    return head, tail


_URL_KEY = 9_876_543_210  # a key no record has, where record_url writes the record's


def permission_name(model, action: str) -> str:
    """The permission to ``action`` rows of ``model`` ("app.action_model"), named after its
    ``permission_model`` when its rows belong to another record (a partnership's contacts)."""
    app_label, model_name = getattr(model, "permission_model", model._meta.label_lower).split(".")
    return f"{app_label}.{action}_{model_name}"


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what one user may see or do.

    A model says where its owning organization is with ``scope_field``:
    ``None`` for reference data everyone with the permission sees (countries, cities),
    ``"self"`` for the Organization model itself, or a lookup path to an Organization
    (``"organization"``, ``"trip__applicant_unit"``). Rows that belong to another record (a trip's
    members, a document's ledger) name it in ``permission_model`` and are governed by its permissions;
    rows that belong to one user name the field in ``user_field``.
    """

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        user_field = getattr(self.model, "user_field", None)
        if user_field is not None:
            return self.filter(**{user_field: user})
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        scope = getattr(self.model, "scope_field", None)
        if scope is None:
            return self
        organization = getattr(user, "organization", None)
        if organization is None:
            return self.none()
        lookup = "path__startswith" if scope == "self" else f"{scope}__path__startswith"
        return self.filter(**{lookup: organization.path})

    def blind_match(self, field_name: str, value: str):
        """Rows whose encrypted ``field_name`` equals ``value``, found through its blind index."""
        for field in self.model._meta.fields:
            if isinstance(field, BlindIndexField) and field.source == field_name:
                return self.filter(**{field.name: field.digest(value)})
        raise FieldError(f"{self.model.__name__}.{field_name} has no blind index")


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    """The manager of every Waishi model: ``Model.objects.restrict(user, action)``."""


class BaseModel(models.Model):
    """Timestamps and the version that services compare-and-set on."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = RestrictedManager()

    scope_field: str | None = None

    class Meta:
        abstract = True


class ChangeLog(models.Model):
    """Before/after of every write a service makes to a registered model."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL
    )
    request_id = models.CharField(_("request id"), max_length=36, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("change log entry")
        verbose_name_plural = _("change log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(name, before, after) for each field this change touched, as the snapshots hold them (the page
        writes them with ``core.changes.readable_changes``)."""
        before, after = self.before or {}, self.after or {}
        return [
            (name, before.get(name), after.get(name))
            for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name) and name not in {"updated_at", "version"}
        ]


class AuditLogQuerySet(RestrictedQuerySet):
    """Rows are never changed nor deleted through the ORM in bulk either; only ``core.audit.purge`` removes
    the oldest, past their retention, and re-anchors the chain."""

    def update(self, **kwargs):
        raise PermissionError("audit rows are append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("audit rows are append-only")

    def delete(self):
        raise PermissionError("audit rows are append-only")

    delete.queryset_only = True


class AuditLog(models.Model):
    """Append-only security audit trail, chained with HMAC-SM3 (see core.audit).

    ``seq`` is dense and unique; ``prev_hash`` of row n is ``hash`` of row n-1, so an altered,
    deleted, inserted or reordered row breaks the chain at that row.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=36, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=AuditResult.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RestrictedManager.from_queryset(AuditLogQuerySet)()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-seq"]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit rows are append-only")


class AuditHead(models.Model):
    """The newest row of the audit chain, with its own MAC: deleting the newest rows is then detectable."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    objects = RestrictedManager()
    permission_model = "core.auditlog"

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.seq}"


class AuditAnchor(models.Model):
    """Where the chain starts after old rows were purged: the first kept row and its predecessor's hash,
    with a MAC, so that a purge is not mistaken for a deletion and a deletion is not hidden by one."""

    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    objects = RestrictedManager()
    permission_model = "core.auditlog"

    class Meta:
        verbose_name = _("audit chain anchor")

    def __str__(self):
        return f"#{self.seq}"


class Attachment(BaseModel):
    """A file attached to any record; content type and size are checked on upload."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=30,
        blank=True,
        help_text=_("What the file is for within its module, e.g. invitation."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.name


class JournalEntry(BaseModel):
    """A dated note on any record, written by a user (the record's journal)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=10, choices=JournalKind.choices, default=JournalKind.INFO)
    comments = models.TextField(_("comments"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.comments[:50]


class Notification(models.Model):
    """An in-app message to one user, listed on the notifications page until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        related_name="notifications",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedManager()
    user_field = "recipient"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class WorkdayOverride(BaseModel):
    """Overrides the chinese-calendar package for one date (a local holiday or make-up workday)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"

    def get_absolute_url(self):
        return record_url("core:workdayoverride", self.pk)


class OfficeSetting(BaseModel):
    """One configured value of a rule, deadline or limit for an office and the offices below it.

    Definitions and defaults live in code (``core.config``); a row here overrides the default.
    """

    organization = models.ForeignKey(
        "directory.Organization", verbose_name=_("office"), on_delete=models.CASCADE, related_name="settings"
    )
    key = models.CharField(_("setting"), max_length=100)
    value = models.JSONField(_("value"))

    scope_field = "organization"

    class Meta:
        verbose_name = _("office setting")
        verbose_name_plural = _("office settings")
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="uniq_office_setting")]

    def __str__(self):
        return f"{self.organization} {self.key}"
