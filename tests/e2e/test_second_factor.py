"""An FAO officer's first login: the password, then the authenticator app is set up from the QR code and a
code confirms it; the next login asks for the code only."""

import base64
import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.conftest import next_code
from waishi.core.models import AuditLog


def test_an_fao_officer_enrols_then_logs_in_with_a_code(page, shot):
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", "passport")
    page.fill("#id_password", "Waishi@2026")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/users/second-factor/enrol/" in page.url
    qr = page.locator("#second-factor-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the QR code is drawn
    assert page.locator("nav.navbar").count() == 0  # nothing else to reach before the code
    shot(page, "20-second-factor-enrol")

    # What a person with an authenticator app does: take the key (here typed from the page), read the code.
    key = page.inner_text("#second-factor-key").replace(" ", "")
    code = totp(base64.b32decode(key))
    page.fill("#id_code", f"{code:06d}")
    with page.expect_navigation():
        page.press("#id_code", "Enter")
    assert page.url == page.base_url + "/"
    assert "我的待办" in page.content()
    shot(page, "21-second-factor-home")
    assert TOTPDevice.objects.get(user__username="passport").confirmed
    assert AuditLog.objects.filter(action="auth.second_factor_enrol", username="passport").count() == 1

    page.click("nav .dropdown-toggle >> nth=-1")
    with page.expect_navigation():
        page.click("text=退出登录")
    page.fill("#id_username", "passport")
    page.fill("#id_password", "Waishi@2026")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.url.startswith(page.base_url + "/users/second-factor/?")  # the code only, no new key
    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.press("#id_code", "Enter")
    assert page.locator(".invalid-feedback").count() == 1
    shot(page, "22-second-factor-wrong-code")
    assert AuditLog.objects.filter(action="auth.second_factor_failed", username="passport").count() == 1

    time.sleep(1.1)  # the device accepts no code for a second after a wrong one
    page.fill("#id_code", next_code("passport"))
    with page.expect_navigation():
        page.press("#id_code", "Enter")
    assert page.url == page.base_url + "/"
