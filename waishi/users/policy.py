"""Who must do what before using the application (QUALITY.md Security 2 and 4).

Two rules, each one function, used by the gate middleware, the views and the tests:

- ``needs_second_factor``: a TOTP code after the password for every account of a Foreign Affairs Office
  (the account's organization is an FAO, whatever its roles) and for every account holding an FAO role
  (FAO staff, FAO leader, passport officer) or one of the three administrator roles, wherever it sits.
  Unit accounts (unit clerk, unit leader, a viewer in a unit) log in with the password alone.
- ``password_expired``: the password was set more than WAISHI_PASSWORD_MAX_AGE_DAYS ago, or never by the
  user himself (an initial password chosen by an administrator leaves ``password_changed_at`` empty).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from waishi.users.choices import ADMIN_ROLES, Role

FAO_ROLES = frozenset({Role.FAO_STAFF, Role.FAO_LEADER, Role.PASSPORT_OFFICER})
SECOND_FACTOR_ROLES = FAO_ROLES | ADMIN_ROLES


def needs_second_factor(user) -> bool:
    """True when ``user`` must confirm each login with a TOTP code (see the module docstring)."""
    if user is None or not user.is_authenticated:
        return False
    organization = user.organization
    if organization is not None and organization.is_fao:
        return True
    return user.has_role(*SECOND_FACTOR_ROLES)


def password_expired(user, now=None) -> bool:
    """True when ``user`` must choose a new password before going on."""
    changed = user.password_changed_at
    if changed is None:
        return True
    now = now or timezone.now()
    return now - changed > timedelta(days=settings.WAISHI_PASSWORD_MAX_AGE_DAYS)
