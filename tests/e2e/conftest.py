"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Screenshots go to test-results/screenshots/ (look at them: that is what a user sees).
"""

import base64
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("WAISHI_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def page(browser, live_server, demo):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="en-US"
    )
    page = context.new_page()
    # A step that generates documents can take longer than Playwright's 30 s on a busy two-core machine.
    page.set_default_timeout(90_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


def open_form(page, button: str, panel: str):
    """Click the button that unfolds a form (a Bootstrap collapse) and wait until it has unfolded: a click
    on the submit button of a form still sliding open could miss it and never submit (a journey timed out
    on its navigation now and then)."""
    page.click(button)
    page.wait_for_selector(f"{panel}.collapse.show")


def login(page, username: str, password: str = "Waishi@2026"):
    """The login form, then for FAO and administrator accounts the code of their authenticator app (the
    first login sets the key up, as a person scanning the QR code would)."""
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    if "/users/second-factor/enrol/" in page.url:  # the key is stored with the first good code
        page.fill("#id_code", enrolment_code(page))
        with page.expect_navigation():
            page.press("#id_code", "Enter")
    elif "/users/second-factor/" in page.url:
        page.fill("#id_code", next_code(username))
        with page.expect_navigation():
            page.press("#id_code", "Enter")
    page.wait_for_url(page.base_url + "/")


def enrolment_code(page) -> str:
    """What a person scanning the enrolment page's QR code reads in the app: the code of the key shown."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waishi.core.testing.factories import totp_code

    key = base64.b32decode(page.inner_text("#second-factor-key").replace(" ", ""))
    return totp_code(TOTPDevice(key=key.hex()))


def next_code(username: str) -> str:
    """A code the server has not accepted yet: now, or the next time step (within django-otp's tolerance of
    one step) when this step's code was used by an earlier login; waits for a new step if both were."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waishi.core.testing.factories import totp_code

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "pk").first()
    while True:
        now = time.time()
        step = (int(now) - device.t0) // device.step + device.drift
        for ahead in range(device.tolerance + 1):
            if step + ahead > device.last_t:
                return totp_code(device, now + ahead * device.step)
        time.sleep(device.step - (now - device.t0) % device.step + 0.1)
