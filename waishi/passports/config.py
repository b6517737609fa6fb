"""Custody deadlines and limits: defaults from DOMAIN.md, editable per office."""

from django.utils.translation import gettext_lazy as _

from waishi.core.config import define

RETURN_GRACE = define(
    "passports.return.grace",
    "7d",
    _("Documents are due back this long after the trip (e.g. 7d)"),
    source="省外办《关于做好公务护照催收与上缴工作的通知》",
)
DUE_RULE = define(
    "passports.return.rule",
    "after_return",
    _("Due date counted from: after_return (approved return date) or after_departure (departure + days)"),
)
LOCK_AFTER_DAYS = define(
    "passports.lock.days",
    30,
    _("A unit holding a document overdue more than this many days cannot file trips"),
    source="北京市外办",
)
CHECKOUT_WINDOW_DAYS = define(
    "passports.checkout.window_days",
    15,
    _("Documents are checked out at most this many days before departure"),
)
VALID_MONTHS = define(
    "passports.valid.months",
    6,
    _("A document must stay valid this many months after the return"),
    source="国家规定",
)
EXPIRY_WARNING_MONTHS = define(
    "passports.expiry.warning_months", 6, _("Flag documents that expire within this many months")
)
