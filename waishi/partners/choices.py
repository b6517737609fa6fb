from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerLevel(models.TextChoices):
    """The three levels of a partnership (DOMAIN.md), lowest first."""

    INTENT = "intent", _("Letter of intent")
    FRIENDLY = "friendly", _("Friendly-exchange city")
    SISTER = "sister", _("Sister city")

    @classmethod
    def rank(cls, level: str) -> int:
        """0 for no level yet, then 1, 2, 3: compare ranks for an upgrade."""
        return list(cls.values).index(level) + 1 if level in cls.values else 0


# (from, to) pairs that raise a partnership: its creation (from nothing) and every upgrade.
UPGRADES = frozenset(
    (a, b)
    for a in ("", *PartnerLevel.values)
    for b in PartnerLevel.values
    if PartnerLevel.rank(b) > PartnerLevel.rank(a)
)


class ApprovalStage(models.TextChoices):
    """The approvals a partnership goes through before it becomes a sister city, in order."""

    GOVERNMENT = "government", _("Government agreed")
    PROVINCIAL_FAO = "provincial_fao", _("Provincial Foreign Affairs Office reviewed")
    NATIONAL_ASSOCIATION = "national_association", _("National friendship association approved")

    @classmethod
    def previous(cls, stage: str) -> str | None:
        values = list(cls.values)
        index = values.index(stage)
        return values[index - 1] if index else None


class ExchangeKind(models.TextChoices):
    VISIT_OUT = "visit_out", _("Visit abroad")
    VISIT_IN = "visit_in", _("Visit received")
    LETTER = "letter", _("Letter")
    CONDOLENCE = "condolence", _("Condolence or greetings")
    ONLINE_MEETING = "online_meeting", _("Online meeting")
    JOINT_EVENT = "joint_event", _("Joint event")
    EXHIBITION = "exhibition", _("Exhibition")
    FORUM = "forum", _("Forum")
    PROJECT = "project", _("Cooperation project")
    EDUCATION = "education", _("Education exchange")
    CULTURE = "culture", _("Cultural exchange")


class Activity(models.TextChoices):
    """A partnership's activity class as of a date (DOMAIN.md defaults in partners.config)."""

    ACTIVE = "active", _("Active")
    OCCASIONAL = "occasional", _("Occasional")
    DORMANT = "dormant", _("Dormant")


class ContactSide(models.TextChoices):
    OURS = "ours", _("Our side")
    THEIRS = "theirs", _("Partner's side")


class TargetMetric(models.TextChoices):
    ACTIVE_SHARE = "active_share", _("Share of partnerships active (%)")
    REACTIVATED_SHARE = "reactivated_share", _("Share of occasional and dormant partnerships reactivated (%)")
    NEW_INTENTS = "new_intents", _("New letters of intent")
    NEW_FRIENDLY = "new_friendly", _("New friendly-exchange cities")
    NEW_SISTERS = "new_sisters", _("New sister cities")

    @classmethod
    def is_share(cls, metric: str) -> bool:
        return metric in {cls.ACTIVE_SHARE, cls.REACTIVATED_SHARE}


# The level each counting metric counts.
METRIC_LEVELS = {
    TargetMetric.NEW_INTENTS: PartnerLevel.INTENT,
    TargetMetric.NEW_FRIENDLY: PartnerLevel.FRIENDLY,
    TargetMetric.NEW_SISTERS: PartnerLevel.SISTER,
}
