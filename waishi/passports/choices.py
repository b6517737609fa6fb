from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    DIPLOMATIC = "diplomatic", _("Diplomatic passport")
    SERVICE = "service", _("Service passport")
    OFFICIAL_ORDINARY = "official_ordinary", _("Official ordinary passport")
    HKMO_PERMIT = "hkmo_permit", _("Official Hong Kong and Macao permit")


PASSPORT_KINDS = frozenset({DocumentKind.DIPLOMATIC, DocumentKind.SERVICE, DocumentKind.OFFICIAL_ORDINARY})


class Custody(models.TextChoices):
    """Where the document is, as the ledger records it."""

    IN_CUSTODY = "in_custody", _("In custody")
    CHECKED_OUT = "checked_out", _("Checked out")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentState(models.TextChoices):
    """The state shown to users: the ledger's custody, with overdue and expired derived from the dates."""

    IN_CUSTODY = "in_custody", _("In custody")
    CHECKED_OUT = "checked_out", _("Checked out")
    OVERDUE = "overdue", _("Overdue")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class MovementKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposited")
    CHECK_OUT = "check_out", _("Checked out")
    RETURN = "return", _("Returned")
    LOST = "lost", _("Reported lost")
    CANCEL = "cancel", _("Cancelled")


class DueRule(models.TextChoices):
    AFTER_RETURN = "after_return", _("Approved return date plus the grace days")
    AFTER_DEPARTURE = "after_departure", _("Departure plus the approved days plus the grace days")
