"""The rules and limits of sister-city work: defaults from DOMAIN.md, editable per office."""

from django.utils.translation import gettext_lazy as _

from waishi.core.config import define

ACTIVE_MONTHS = define(
    "partners.activity.active_months",
    12,
    _("Active: a substantive exchange within this many months"),
    _("An exchange counts when it lies after the same day this many months before the date."),
    source="DOMAIN.md",
)
DORMANT_MONTHS = define(
    "partners.activity.dormant_months",
    36,
    _("Dormant: no exchange of any kind within this many months"),
    _("Between the two the partnership is occasional."),
    source="DOMAIN.md",
)
SIGNING_COUNTS = define(
    "partners.activity.signing_counts_as",
    "substantive",
    _("Signing a letter of intent or an agreement counts as: substantive (a substantive exchange) or "
      "contact (an exchange that keeps the partnership out of dormancy, not active)"),
)  # fmt: skip
ACTIVE_SHARE_LEVELS = define(
    "partners.active_share.levels",
    ["sister"],
    _("Levels counted in the active share of the statistics (intent, friendly, sister)"),
    source="景德镇市外办: 活跃友城占比",
)
ANNIVERSARY_YEARS = define(
    "partners.anniversary.every_years", 10, _("Mark anniversaries every this many years"), source="DOMAIN.md"
)
ANNIVERSARY_NOTICE_DAYS = define(
    "partners.anniversary.notice_days", 90, _("Show an anniversary in the work queue this many days before")
)
DORMANT_WARNING_DAYS = define(
    "partners.dormant.warning_days",
    90,
    _("Warn this many days before a partnership turns dormant"),
)
OFF_LIMITS = define(
    "partners.off_limits.countries",
    [],
    _('Further countries off limits for this office\'s partnerships (ISO codes, e.g. ["XX"])'),
    _("In addition to the countries the administrator marks off limits for everyone."),
)
SISTER_NEEDS_APPROVAL = define(
    "partners.sister.requires_approval",
    True,
    _("A partnership becomes a sister city only after the national friendship association approved it"),
    source="DOMAIN.md",
)
