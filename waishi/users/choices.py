from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    UNIT_CLERK = "unit_clerk", _("Unit foreign-affairs clerk")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    FAO_STAFF = "fao_staff", _("FAO staff")
    FAO_LEADER = "fao_leader", _("FAO leader")
    PASSPORT_OFFICER = "passport_officer", _("Passport officer")
    VIEWER = "viewer", _("Viewer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Every role of an office or unit: the administrators hold none of the business rights.
BUSINESS_ROLES = [role for role in Role if role not in ADMIN_ROLES]
