"""Writes to user accounts: creation, edits and role changes (each role change audited)."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.core.audit import audit
from waishi.core.choices import ChangeAction
from waishi.core.errors import ApplicationError, NotAllowed
from waishi.core.services import record_change, require, service, snapshot
from waishi.users.choices import Role
from waishi.users.models import User


def _roles(codes) -> list[Group]:
    codes = set(codes)
    unknown = codes - set(Role.values)
    if unknown:
        raise ApplicationError(
            "unknown_role", _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}
        )
    return list(Group.objects.filter(name__in=codes))


def _set_password(user: User, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            "weak_password", " ".join(exc.messages), {"errors": {"password": exc.messages}}
        ) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()


def set_roles(*, actor, user: User, roles) -> None:
    """Give ``user`` exactly ``roles``; ``actor`` None means the command line (the bootstrap)."""
    if actor is not None and not actor.has_perm("users.assign_roles"):
        raise NotAllowed("not_allowed", _("You are not allowed to assign roles."))
    groups = _roles(roles)
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(groups)
    after = sorted(g.name for g in groups)
    if before != after:
        audit(
            "user.roles_change",
            user=actor,
            obj=user,
            detail={"before": before, "after": after},
            username="" if actor else "manage.py",
        )


@service
def user_create(*, actor, user: User, password: str | None = None, roles=()) -> User:
    if actor is not None:
        require(actor, User, "add")
    if password:
        _set_password(user, password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if roles:
        set_roles(actor=actor, user=user, roles=roles)
    record_change(actor=actor, obj=user, action=ChangeAction.CREATE)
    audit("user.create", user=actor, obj=user, username="" if actor else "manage.py")
    return user


@service
def user_update(*, actor, user: User, password: str | None = None, roles=None) -> User:
    """Save edits (``actor`` None: the command line); ``roles`` None leaves the roles as they are."""
    if actor is not None:
        require(actor, User, "change", user)
    before = snapshot(User.objects.get(pk=user.pk))
    if password:
        _set_password(user, password)
    user.full_clean(exclude=["password"])
    user.save()
    if roles is not None:
        set_roles(actor=actor, user=user, roles=roles)
    if before.get("is_active") and not user.is_active:
        end_sessions(user)
        audit("user.disable", user=actor, obj=user, username="" if actor else "manage.py")
    record_change(actor=actor, obj=user, action=ChangeAction.UPDATE, before=before)
    return user


def end_sessions(user: User) -> int:
    """Delete every session of ``user`` (a disabled account is signed out everywhere at once)."""
    from django.contrib.sessions.models import Session

    ended = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
