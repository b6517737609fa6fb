"""TOTP second factor (QUALITY.md Security 4): who needs it, enrolment, the code step, replay, wrong codes,
lockout, enforcement on every page and the API, and the security administrator's reset."""

import base64
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from waishi.core.models import AuditLog
from waishi.core.testing.factories import enrolled_device, totp_code
from waishi.users.choices import Role
from waishi.users.policy import needs_second_factor

PASSWORD = "Waishi@2026"
UNIT_ROLES = {Role.UNIT_CLERK, Role.UNIT_LEADER}
NEEDING = sorted(set(Role.values) - UNIT_ROLES)


def password_step(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_step(client, code, next_url="/"):
    return client.post(reverse("users:second_factor"), {"code": code, "next": next_url})


def audit_actions(user):
    return list(
        AuditLog.objects.filter(username=user.username).order_by("seq").values_list("action", flat=True)
    )


@pytest.mark.parametrize("role", Role.values)
def test_who_needs_a_second_factor(world, role):
    """Every account of an FAO and every FAO or administrator role; unit accounts do not."""
    assert needs_second_factor(world.user(role)) == (role not in UNIT_ROLES)
    in_a_unit = world.user(role, world.unit_a2)
    assert needs_second_factor(in_a_unit) == (role not in UNIT_ROLES | {Role.VIEWER})
    in_an_office = world.user(role, world.city_b)
    assert needs_second_factor(in_an_office)


@pytest.mark.parametrize("role", NEEDING)
def test_an_unverified_session_reaches_no_page_and_no_api(client, world, role):
    user = world.user(role)
    password_step(client, user)
    for url in ("/", reverse("users:user_list"), reverse("directory:person_list"), reverse("search")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("users:second_factor")), url
    assert client.get(reverse("users:second_factor")).url.startswith(reverse("users:second_factor_enrol"))
    refusals = AuditLog.objects.filter(action="access.denied", username=user.username).count()
    api = client.get(reverse("api:person-list"))
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    refused = AuditLog.objects.filter(action="access.denied", username=user.username).order_by("-seq")
    assert refused.count() == refusals + 1  # one audit row, as for every refused request
    assert refused[0].detail["code"] == "second_factor_required"
    enrolled_device(user)  # once enrolled, the code page itself is shown
    assert client.get(reverse("users:second_factor")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302  # leaving always works
    assert "_auth_user_id" not in client.session


def test_a_unit_clerk_is_not_asked_for_a_code(client, world):
    user = world.user("unit_clerk")
    password_step(client, user)
    assert client.get("/").status_code == 200
    assert client.get(reverse("api:person-list")).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("users:second_factor")).status_code == 302  # nothing to do there


def test_first_login_enrols_with_a_qr_code_and_a_good_code(client, world):
    user = world.user("fao_staff")
    password_step(client, user, next_url=reverse("search"))
    page = client.get(reverse("users:second_factor_enrol"), {"next": reverse("search")})
    assert page.status_code == 200
    html = page.content.decode()
    key = re.search(r'id="second-factor-key"[^>]*>([A-Z2-7 ]+)<', html).group(1)
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(qr).startswith(b"<svg")
    again = client.get(reverse("users:second_factor_enrol")).content.decode()
    assert key in again  # the same key until it is confirmed
    assert not TOTPDevice.objects.filter(user=user).exists()  # showing the page writes nothing

    wrong = client.post(reverse("users:second_factor_enrol"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 200 and "_auth_user_id" in client.session
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert base64.b32decode(key.replace(" ", "")) == device.bin_key  # the key shown is the key stored
    assert key in wrong.content.decode()
    device.throttle_reset()
    done = client.post(
        reverse("users:second_factor_enrol"), {"code": totp_code(device), "next": reverse("search")}
    )
    assert done.status_code == 302 and done.url == reverse("search")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert audit_actions(user) == ["auth.login", "auth.second_factor_failed", "auth.second_factor_enrol"]


def test_the_code_step_then_a_replayed_code_is_refused(client, world):
    user = world.user("fao_leader")
    device = enrolled_device(user)
    password_step(client, user)
    code = totp_code(device)
    response = code_step(client, code, next_url=reverse("search"))
    assert response.status_code == 302 and response.url == reverse("search")
    assert client.get("/").status_code == 200

    client.post(reverse("logout"))
    password_step(client, user)
    replay = code_step(client, code)
    assert replay.status_code == 200
    again = code_step(client, code)
    assert "验证码错误或已被使用" in again.content.decode()  # the page speaks the user's language
    assert client.get("/").status_code == 302
    assert audit_actions(user)[-2:] == ["auth.second_factor_failed", "auth.second_factor_failed"]


def test_each_wrong_code_is_one_audit_row_and_five_lock_the_account(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the device's own growing delay is tested above; here: axes
    user = world.user("system_admin", world.province)
    enrolled_device(user)
    password_step(client, user)
    start = AuditLog.objects.count()
    for attempt in range(1, 5):
        assert code_step(client, "123456").status_code == 200
        rows = list(AuditLog.objects.order_by("seq")[start:].values_list("action", "result", "user_id"))
        assert rows == [("auth.second_factor_failed", "failure", user.pk)] * attempt
    locked = code_step(client, "123456")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session  # signed out
    assert AuditLog.objects.filter(action="auth.lockout", username=user.username).exists()
    refused = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert refused.status_code == 429  # the right password too, until the cool-off


def test_the_device_delays_retries_after_a_wrong_code(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code (1 s by default)
    user = world.user("passport_officer")
    device = enrolled_device(user)
    password_step(client, user)
    assert code_step(client, "999999").status_code == 200
    assert code_step(client, totp_code(device)).status_code == 200  # too soon after the wrong one
    device.refresh_from_db()
    device.throttle_reset()
    assert code_step(client, totp_code(device)).status_code == 302


def test_the_security_administrator_resets_a_second_factor(client, world):
    user = world.user("fao_staff")
    enrolled_device(user)
    user_client = client.__class__()
    user_client.force_login(user)
    assert user_client.get("/").status_code == 200

    admin = world.user("security_admin", world.province)
    client.force_login(admin)
    with translation.override("en"):
        page = client.get(reverse("users:user", args=[user.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert reverse("users:second_factor_reset", args=[user.pk]) in page.content.decode()
    url = reverse("users:second_factor_reset", args=[user.pk])
    assert client.get(url).status_code == 405  # a change is a POST
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    row = AuditLog.objects.get(action="auth.second_factor_reset")
    assert (row.user_id, row.object_id) == (admin.pk, str(user.pk))
    # the user's session is no longer verified: the next page is the enrolment
    assert user_client.get("/").url.startswith(reverse("users:second_factor"))


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "fao_leader"])
def test_only_the_security_administrator_may_reset(client, world, role):
    user = world.user("fao_staff")
    enrolled_device(user)
    actor = world.user(role, world.province)
    client.force_login(actor)
    page = client.get(reverse("users:user", args=[user.pk]))
    assert reverse("users:second_factor_reset", args=[user.pk]) not in page.content.decode()
    client.post(reverse("users:second_factor_reset", args=[user.pk]))
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not AuditLog.objects.filter(action="auth.second_factor_reset").exists()


def test_reset_from_the_command_line(world, capsys):
    user = world.user("security_admin", world.province)
    enrolled_device(user)
    call_command("reset_second_factor", user.username)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditLog.objects.get(action="auth.second_factor_reset").username == "manage.py"
