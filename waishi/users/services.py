"""Writes to user accounts: creation, edits, role changes, passwords and second factors (each audited)."""

import django_otp
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from waishi.core.audit import audit
from waishi.core.choices import AuditResult, ChangeAction
from waishi.core.errors import ApplicationError
from waishi.core.services import deny, record_change, require, service, snapshot
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


def _set_password(user: User, password: str, *, actor) -> None:
    """Validate and set ``password``. Chosen by the user himself or on the command line, it is dated now;
    chosen by an administrator it is an initial password, left undated so that the user must replace it
    at his next login (policy.password_expired)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            "weak_password", " ".join(exc.messages), {"errors": {"password": exc.messages}}
        ) from exc
    user.set_password(password)
    chosen_by_owner = actor is None or actor.pk == user.pk
    user.password_changed_at = timezone.now() if chosen_by_owner else None


def set_roles(*, actor, user: User, roles) -> None:
    """Give ``user`` exactly ``roles``; ``actor`` None means the command line (the bootstrap)."""
    if actor is not None and not actor.has_perm("users.assign_roles"):
        raise deny(
            actor,
            user,
            {"model": "users.user", "action": "assign_roles"},
            message=_("You are not allowed to assign roles."),
        )
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
        _set_password(user, password, actor=actor)
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
        _set_password(user, password, actor=actor)
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


@service
def password_change(*, user: User, password: str) -> User:
    """The user replaces his own password (the old one was checked by the form)."""
    _set_password(user, password, actor=user)
    user.save(update_fields=["password", "password_changed_at"])
    audit("password.change", user=user, obj=user)
    return user


def second_factor_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's TOTP device: the confirmed one, or (``confirmed=False``) the one being enrolled."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("pk").first()


def second_factor_new_device(user: User, key: str) -> TOTPDevice:
    """The device being enrolled: the stored unconfirmed one, else an unsaved one with ``key`` (a page
    showing the key writes nothing; the key waits in the session until the user sends a code)."""
    return second_factor_device(user, confirmed=False) or TOTPDevice(
        user=user, name="Waishi", key=key, confirmed=False
    )


@service
def second_factor_enrolment(*, user: User, key: str) -> TOTPDevice:
    """Store the key the user is enrolling (one unconfirmed device, kept until it is confirmed or reset)."""
    device = second_factor_new_device(user, key)
    if device.pk is None:
        device.save()
    return device


@service
def second_factor_verify(*, user: User, code: str) -> TOTPDevice | None:
    """The device that accepts ``code`` (the confirmed one; while enrolling, the new one), or None.

    A code is accepted once: django-otp keeps the time step of the last accepted code (``last_t``) and
    refuses any code of that step or earlier, and it delays each retry after a wrong code. The first good
    code of a new device confirms it (the enrolment); every wrong code is an audit row.
    """
    device = second_factor_device(user) or second_factor_device(user, confirmed=False)
    verified = device and django_otp.verify_token(user, device.persistent_id, code.replace(" ", ""))
    if not verified:
        audit(
            "auth.second_factor_failed",
            user=user,
            result=AuditResult.FAILURE,
            detail={"enrolment": bool(device and not device.confirmed)},
        )
        return None
    if not verified.confirmed:
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        audit("auth.second_factor_enrol", user=user, obj=user)
    return verified


@service
def second_factor_reset(*, actor, user: User) -> int:
    """Remove ``user``'s TOTP devices (a lost phone): his sessions lose their verification and his next
    login enrols a new key. ``actor`` None means the command line."""
    if actor is not None:
        require(actor, User, "reset_second_factor", user)
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    audit(
        "auth.second_factor_reset",
        user=actor,
        obj=user,
        detail={"devices": removed},
        username="" if actor else "manage.py",
    )
    return removed
