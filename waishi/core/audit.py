"""The audit chain (QUALITY.md line 8): append-only rows linked by HMAC-SM3.

``audit()`` appends one row; ``verify()`` walks the chain and names the first row that was
altered, deleted, inserted or reordered. Rows are appended under a lock (a transaction-scoped
advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), so two
concurrent events never share a predecessor.
"""

import contextvars
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waishi.core import context
from waishi.core.choices import AuditResult
from waishi.core.crypto import provider
from waishi.core.models import AuditAnchor, AuditHead, AuditLog


class AuditEvent(models.TextChoices):
    """Every code ``audit()`` is called with, and its label on the audit log page (the catalogue that
    ``core/tests/test_audit_events.py`` compares with the code base both ways)."""

    LOGIN = "auth.login", _("Login")
    LOGIN_FAILED = "auth.login_failed", _("Failed login")
    LOGOUT = "auth.logout", _("Logout")
    LOCKOUT = "auth.lockout", _("Account locked after failed logins")
    TOKEN_CREATE = "auth.token_create", _("API token created")
    SECOND_FACTOR_FAILED = "auth.second_factor_failed", _("Wrong second-factor code")
    SECOND_FACTOR_ENROL = "auth.second_factor_enrol", _("Second factor enrolled")
    SECOND_FACTOR_RESET = "auth.second_factor_reset", _("Second factor reset")
    PASSWORD_CHANGE = "password.change", _("Password changed")
    USER_CREATE = "user.create", _("Account created")
    USER_DISABLE = "user.disable", _("Account disabled")
    ROLES_CHANGE = "user.roles_change", _("Roles changed")
    ACCESS_DENIED = "access.denied", _("Access denied")
    REVEAL = "personal_data.reveal", _("Personal data revealed")
    EXPORT = "data.export", _("Data exported")
    IMPORT = "data.import", _("Data imported")
    CONFIG_CHANGE = "config.change", _("Configuration changed")
    AUDIT_PURGE = "audit.purge", _("Old audit rows purged")
    TRIP_CREATE = "trip.create", _("Trip application created")
    TRIP_SIGN_OFF = "trip.sign_off", _("Trip signed off by the unit")
    TRIP_SUBMIT = "trip.submit", _("Trip submitted")
    TRIP_RETURN = "trip.return", _("Trip returned for correction")
    TRIP_REVIEW = "trip.review", _("Trip reviewed (or escalated)")
    TRIP_APPROVE = "trip.approve", _("Trip approved")
    TRIP_REJECT = "trip.reject", _("Trip rejected")
    TRIP_CANCEL = "trip.cancel", _("Trip cancelled")
    TRIP_BRIEF = "trip.brief", _("Pre-departure briefing held")
    TRIP_BRIEF_INCOMPLETE = "trip.brief_incomplete", _("Members absent from the briefing")
    TRIP_DEPART = "trip.depart", _("Delegation departed")
    TRIP_COME_BACK = "trip.come_back", _("Delegation came back")
    TRIP_BORDER_FLAGS = "trip.border_flags", _("Border dates differ from the approval")
    TRIP_REPORT = "trip.report", _("Trip report filed")
    TRIP_EVALUATE = "trip.evaluate", _("Trip evaluated")
    TRIP_CLOSE = "trip.close", _("Trip closed")
    DOCUMENT_DEPOSIT = "passport.deposit", _("Travel document deposited")
    DOCUMENT_CHECK_OUT = "passport.check_out", _("Travel document checked out")
    DOCUMENT_RETURN = "passport.return", _("Travel document returned")
    DOCUMENT_LOST = "passport.lost", _("Travel document reported lost")
    DOCUMENT_CANCEL = "passport.cancel", _("Travel document cancelled")
    PARTNERSHIP_CREATE = "partnership.create", _("Partnership recorded")
    PARTNERSHIP_LEVEL = "partnership.change_level", _("Partnership level changed")
    PARTNERSHIP_APPROVAL = "partnership.approval", _("Partnership approval stage recorded")


GENESIS = "0" * 64
# The request whose refusal is already audited (see audit_refusal): the request id, not a database query.
_refused_request: contextvars.ContextVar[str] = contextvars.ContextVar("waishi_refused_request", default="")
_LOCK_KEY = 0x5741495348  # "WAISH": the advisory lock that serialises appends on PostgreSQL

CHAINED_FIELDS = (
    "seq", "at", "user_id", "username", "ip", "request_id", "action",
    "object_type", "object_id", "object_repr", "result", "detail", "prev_hash",
)  # fmt: skip


def _canonical(row: AuditLog) -> bytes:
    values = {name: getattr(row, name) for name in CHAINED_FIELDS}
    values["at"] = row.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _text_safe(value):
    """JSON that every database stores and returns as it was given: NUL characters (PostgreSQL rejects them
    in text) removed, and numbers other than integers kept as text (jsonb rewrites 1e16 and -0.0)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {_text_safe(k): _text_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_text_safe(v) for v in value]
    return value


def audit(
    action: str,
    *,
    user=None,
    result: str = AuditResult.SUCCESS,
    obj=None,
    detail: dict | None = None,
    username: str = "",
) -> AuditLog:
    """Append one audit row; ``obj`` is the record concerned, ``detail`` any JSON-safe facts."""
    ctx = context.current()
    if user is not None and not user.is_authenticated:
        user = None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        # After a purge of every row the chain goes on from its head (the anchor expects that row).
        last = (
            AuditLog.objects.order_by("-seq").only("seq", "hash").first()
            or AuditHead.objects.filter(pk=1).first()
        )
        row = AuditLog(
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            user=user,
            username=_text_safe(username or (user.get_username() if user else "")),
            ip=str(ipaddress.ip_address(ctx.ip)) if ctx.ip else None,
            request_id=ctx.request_id,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=_text_safe(str(obj)[:200]) if obj is not None else "",
            result=result,
            detail=_text_safe(detail or {}),
            prev_hash=last.hash if last else GENESIS,
        )
        row.hash = provider().audit_mac(_canonical(row))
        row.save(force_insert=True)
        AuditHead.objects.update_or_create(
            pk=1, defaults={"seq": row.seq, "hash": row.hash, "mac": _head_mac(row.seq, row.hash)}
        )
    if action == AuditEvent.ACCESS_DENIED and ctx.request_id:
        _refused_request.set(ctx.request_id)
    return row


def audit_refusal(user, detail: dict) -> None:
    """The ``access.denied`` row of a refused request (403 page or API answer), unless the code that refused
    already wrote one with its own detail: one row per refused request."""
    request_id = context.current().request_id
    if request_id and _refused_request.get() == request_id:
        return
    audit(AuditEvent.ACCESS_DENIED, user=user, result=AuditResult.DENIED, detail=detail)


def _anchor_mac(seq: int, prev_hash: str) -> str:
    return provider().audit_mac(f"anchor\x00{seq}\x00{prev_hash}".encode())


def purge(before, minimum_days: int) -> int:
    """Delete the rows older than ``before`` (never rows younger than ``minimum_days``), keeping the chain
    verifiable: the first kept row and its predecessor's hash become the chain's anchor."""
    if before > timezone.now() - timedelta(days=minimum_days):
        raise ValueError(f"audit rows younger than {minimum_days} days are never deleted")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        # A prefix of the chain, up to the first row younger than ``before`` (a clock set back can put
        # older-looking rows after it: they are kept with it).
        old = AuditLog.objects.filter(at__lt=before)
        first_young = AuditLog.objects.filter(at__gte=before).order_by("seq").values_list("seq").first()
        if first_young is not None:
            old = old.filter(seq__lt=first_young[0])
        last_old = old.order_by("-seq").only("seq", "hash").first()
        if last_old is None:
            return 0
        # the one deletion of audit rows (AuditLogQuerySet refuses every other)
        count, _ = models.QuerySet.delete(AuditLog.objects.filter(seq__lte=last_old.seq))
        AuditAnchor.objects.update_or_create(
            pk=1,
            defaults={
                "seq": last_old.seq + 1,
                "prev_hash": last_old.hash,
                "mac": _anchor_mac(last_old.seq + 1, last_old.hash),
            },
        )
    audit(
        "audit.purge", detail={"deleted": count, "before": before.isoformat(), "first_kept": last_old.seq + 1}
    )
    return count


def _head_mac(seq: int, row_hash: str) -> str:
    return provider().audit_mac(f"head\x00{seq}\x00{row_hash}".encode())


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify() -> Verification:
    """Walk the chain in sequence order; stop at the first row that does not follow from the one before."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    mac = provider()
    anchor = AuditAnchor.objects.filter(pk=1).first()
    if anchor is not None:
        if not mac.constant_time_equal(_anchor_mac(anchor.seq, anchor.prev_hash), anchor.mac):
            return Verification(False, 0, anchor.seq, "the chain's anchor record was altered")
        expected_prev, expected_seq = anchor.prev_hash, anchor.seq
    for row in AuditLog.objects.order_by("seq").iterator(chunk_size=2000):
        if row.seq != expected_seq:
            return Verification(
                False, checked, row.seq, f"sequence jumps from {expected_seq - 1} to {row.seq}"
            )
        if row.prev_hash != expected_prev:
            return Verification(False, checked, row.seq, "does not link to the row before it")
        if not mac.constant_time_equal(mac.audit_mac(_canonical(row)), row.hash):
            return Verification(False, checked, row.seq, "content does not match its hash")
        expected_prev, expected_seq, checked = row.hash, row.seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None:
        if checked:
            return Verification(False, checked, last_seq, "the chain's head record is missing")
        return Verification(True, 0)
    if not mac.constant_time_equal(_head_mac(head.seq, head.hash), head.mac):
        return Verification(False, checked, head.seq, "the chain's head record was altered")
    if head.seq > last_seq:
        return Verification(False, checked, last_seq + 1, f"rows #{last_seq + 1} to #{head.seq} are missing")
    if head.seq < last_seq or head.hash != expected_prev:
        return Verification(False, checked, head.seq + 1, "rows were added after the chain's head")
    return Verification(True, checked)
