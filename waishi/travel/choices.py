from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TripCategory(models.TextChoices):
    ABROAD = "abroad", _("Abroad")
    HKMO = "hkmo", _("Hong Kong or Macao")


class TripState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED_OFF = "signed_off", _("Signed off by the unit")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    REVIEWED = "reviewed", _("Reviewed")
    ESCALATED = "escalated", _("Escalated to the superior office")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled (did not travel)")
    BRIEFED = "briefed", _("Briefed")
    DEPARTED = "departed", _("Departed")
    RETURNED_HOME = "returned_home", _("Came back")
    REPORTED = "reported", _("Report filed")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")


# States in which the clerk may still edit the application.
EDITABLE_STATES = frozenset({TripState.DRAFT, TripState.RETURNED})
# States of a trip that was approved (whatever happened after): these count in statistics.
APPROVED_STATES = frozenset({
    TripState.APPROVED, TripState.BRIEFED, TripState.DEPARTED, TripState.RETURNED_HOME, TripState.REPORTED,
    TripState.EVALUATED, TripState.CLOSED,
})  # fmt: skip
# States of a trip that may still travel or is travelling: members cannot be on two of these at once.
LIVE_STATES = frozenset({
    TripState.SIGNED_OFF, TripState.SUBMITTED, TripState.RETURNED, TripState.REVIEWED, TripState.ESCALATED,
    TripState.APPROVED, TripState.BRIEFED, TripState.DEPARTED,
})  # fmt: skip
# States before departure, in which a trip may be cancelled.
CANCELLABLE_STATES = frozenset({
    TripState.DRAFT, TripState.SIGNED_OFF, TripState.SUBMITTED, TripState.RETURNED, TripState.REVIEWED,
    TripState.ESCALATED, TripState.APPROVED, TripState.BRIEFED,
})  # fmt: skip


class MemberRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    MEMBER = "member", pgettext_lazy("delegation", "Member")


class InviterKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    UNIVERSITY = "university", _("University or research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    ASSOCIATION = "association", _("Association or society")
    OVERSEAS_CHINESE = "overseas_chinese", _("Overseas Chinese group")
    FOREIGN_MISSION = "foreign_mission", _("Foreign mission in China")
    INTERMEDIARY = "intermediary", _("Intermediary or travel agency")
    OTHER = "other", _("Other")


class BudgetKind(models.TextChoices):
    INTERNATIONAL_TRAVEL = "international_travel", _("International travel")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals")
    INCIDENTALS = "incidentals", _("Incidentals")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    BLOCK = "block", _("Blocks submission")
    WARN = "warn", _("Warning")


# What a correction asked of the unit concerns (the trip page names it so).
FIX_CONCERNS = {
    "mission": _("mission"),
    "members": _("members"),
    "legs": _("itinerary"),
    "budget": _("budget"),
    "invitation": _("invitation"),
    "inviter": _("inviting organization"),
    "notice": _("public notice"),
    "depart_date": _("dates"),
    "other": _("other"),
}
