from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")
    DENIED = "denied", _("denied")


class JournalKind(models.TextChoices):
    INFO = "info", _("note")
    SUCCESS = "success", _("done")
    WARNING = "warning", _("attention")
    DANGER = "danger", _("problem")


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("working day")
    HOLIDAY = "holiday", _("holiday")
