"""Login hardening (QUALITY.md Security 1, 3, 5); the second factor and password age have their own files."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from waishi.core.middleware import SESSION_RENEWED, SESSION_STARTED
from waishi.core.models import AuditLog
from waishi.core.testing.factories import enrolled_device, totp_code
from waishi.users import services

PASSWORD = "Waishi@2026"


def attempt(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_and_the_lock_is_audited(client, world):
    user = world.user("fao_staff")
    for _ in range(4):
        assert attempt(client, user.username, "wrong-Password1").status_code == 200
    locked = attempt(client, user.username, "wrong-Password1")
    assert locked.status_code == 429
    refused = attempt(client, user.username, PASSWORD)  # the right password, while locked
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="auth.lockout", username=user.username).count() >= 1
    assert AuditLog.objects.filter(action="auth.login", user=user).count() == 0
    other = world.user("unit_clerk")  # by username: another account is not locked
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, world, settings):
    from axes.models import AccessAttempt

    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    user = world.user("fao_staff")
    for _ in range(5):
        attempt(client, user.username, "wrong-Password1")
    locked_at = AccessAttempt.objects.get().attempt_time
    AccessAttempt.objects.update(attempt_time=locked_at - settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    assert attempt(client, user.username, PASSWORD).status_code == 429  # a minute before the end
    AccessAttempt.objects.update(attempt_time=locked_at - settings.AXES_COOLOFF_TIME)
    assert attempt(client, user.username, PASSWORD).status_code == 302


def test_a_new_session_key_at_login_and_idle_and_absolute_limits(client, world):
    user = world.user("fao_staff")
    client.get(reverse("login"))
    before = client.session.session_key
    assert attempt(client, user.username, PASSWORD).status_code == 302
    assert client.session.session_key != before
    code = totp_code(enrolled_device(user))
    assert client.post(reverse("users:second_factor"), {"code": code}).status_code == 302
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert client.get(reverse("home")).status_code == 200
    # The idle expiry is renewed by a request once the last renewal is a minute old, not on every page.
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expiry
    session = client.session
    session[SESSION_RENEWED] -= settings.WAISHI_SESSION_RENEW_SECONDS
    session.save()
    expiry = Session.objects.get(session_key=key).expire_date
    time.sleep(0.01)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date > expiry
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.WAISHI_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_logout_and_disabling_end_the_sessions(client, world):
    user = world.user("unit_clerk")
    attempt(client, user.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302

    attempt(client, user.username, PASSWORD)
    assert Session.objects.count() == 1
    user.is_active = False
    services.user_update(actor=None, user=user)
    assert Session.objects.count() == 0
    assert client.get(reverse("home")).status_code == 302
    assert AuditLog.objects.filter(action="user.disable").count() == 1


def test_production_settings_pass_check_deploy():
    root = Path(settings.BASE_DIR)
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "WAISHI_ENV": "production",
        "DJANGO_SECRET_KEY": "p" * 20 + "roduction-secret-key-" + "x" * 30,
        "DJANGO_ALLOWED_HOSTS": "waishi.example.gov.cn",
        "WAISHI_CRYPTO_KEYS": "k1:" + "0f" * 16,
        "WAISHI_CRYPTO_ACTIVE_KEY": "k1",
        "WAISHI_BLIND_INDEX_KEY": "ab" * 32,
        "WAISHI_AUDIT_KEY": "cd" * 32,
        "DATABASE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("password", ["Sh0rt!", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "password"])
def test_weak_passwords_are_refused(world, password):
    from waishi.core.errors import ApplicationError

    user = world.user("viewer")
    with pytest.raises(ApplicationError):
        services.user_update(actor=None, user=user, password=password)


def test_passwords_are_stored_as_argon2_hashes_and_older_hashes_are_upgraded_at_login(client, world):
    from django.contrib.auth.hashers import make_password

    from waishi.users.models import User

    user = world.user("unit_clerk")
    assert user.password.startswith("argon2$argon2id$")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert attempt(client, user.username, PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$") and user.check_password(PASSWORD)


def test_an_idle_session_ends_and_no_session_outlives_eight_hours_on_a_page_or_the_api(client, world):
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.WAISHI_SESSION_ABSOLUTE_SECONDS == 8 * 3600
    assert not settings.SESSION_SAVE_EVERY_REQUEST  # renewed by the middleware, at most once a minute
    user = world.user("unit_clerk")
    assert attempt(client, user.username, PASSWORD).status_code == 302
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("search"))  # idle past its expiry
    assert response.status_code == 302 and response.url.startswith(reverse("login"))

    assert attempt(client, user.username, PASSWORD).status_code == 302
    assert client.get(reverse("api:person-list")).status_code == 200
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.WAISHI_SESSION_ABSOLUTE_SECONDS - 1
    session[SESSION_RENEWED] = int(time.time())  # active a moment ago: the absolute limit still applies
    session.save()
    assert client.get(reverse("api:person-list")).status_code in (401, 403)
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_disabling_a_user_on_the_account_page_signs_him_out(client, world):
    from waishi.core.testing.factories import UserFactory

    user = UserFactory(username="disabled-clerk", organization=world.unit_a, roles=["unit_clerk"])
    attempt(client, user.username, PASSWORD)
    assert client.get(reverse("search")).status_code == 200
    admin = client.__class__()
    admin.force_login(world.user("system_admin", world.province))
    response = admin.post(
        reverse("users:user_edit", args=[user.pk]),
        {"username": user.username, "organization": user.organization_id},
    )  # is_active left unticked
    assert response.status_code == 302, response.content.decode()[:800]
    user.refresh_from_db()
    assert not user.is_active
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert client.get(reverse("search")).status_code == 302
