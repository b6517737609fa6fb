"""An outbound trip from application to closing, in the browser, each step by the role that takes it."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from docx import Document

from tests.e2e.conftest import login, open_form
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Organization
from waishi.travel.models import PerDiemRate, Trip

PDF = Path(__file__).with_name("invitation.pdf")


def logout(page):
    page.context.clear_cookies()


def step(page, name: str):
    """Open a workflow step's form on the application page and confirm it."""
    open_form(page, f"button[data-step={name}]", f"#step-{name}")
    with page.expect_navigation():
        page.click(f"#step-{name} button[type=submit]")


def test_trip_from_application_to_closing(page, shot, tmp_path):
    unit = Organization.objects.get(code="jdz-jcu")
    head = PersonFactory(organization=unit, name="林雪梅", position="国际交流处处长", rank="division")
    member = PersonFactory(organization=unit, name="郭志远", position="科长", rank="section")
    PerDiemRate.objects.get_or_create(
        country_id="JP",
        city_name="东京",
        defaults={
            "currency": "JPY",
            "lodging": Decimal(20000),
            "meals": Decimal(10000),
            "incidentals": Decimal(5000),
        },
    )
    today = timezone.localdate()
    depart = today + datetime.timedelta(days=60)
    back = depart + datetime.timedelta(days=4)
    iso = datetime.date.isoformat

    # The unit clerk fills in the application.
    login(page, "clerk")
    page.goto(page.base_url + "/travel/trips/add/")
    page.select_option("#id_category", "abroad")
    page.fill("#id_mission", "赴日本东京参加国际陶瓷艺术教育论坛并洽谈校际合作。")
    page.fill("#id_depart_date", iso(depart))
    page.fill("#id_return_date", iso(back))
    page.fill("#id_inviter_name", "东京艺术大学")
    page.select_option("#id_inviter_country", "JP")
    page.select_option("#id_inviter_kind", "university")
    page.fill("#id_invitation_from", iso(depart - datetime.timedelta(days=1)))
    page.fill("#id_invitation_to", iso(back + datetime.timedelta(days=1)))
    page.fill("#id_invitation_invitees", "林雪梅、郭志远")
    page.check("#id_invitation_signed")
    page.set_input_files("#id_invitation_file", str(PDF))
    page.fill("#id_notice_from", iso(today + datetime.timedelta(days=1)))
    page.fill("#id_notice_to", iso(today + datetime.timedelta(days=10)))
    page.select_option("#id_members-0-person", str(head.pk))
    page.select_option("#id_members-0-role", "head")
    page.click("[data-prefix=members] [data-formset-add]")
    page.select_option("#id_members-1-person", str(member.pk))
    page.select_option("#id_legs-0-country", "JP")
    page.fill("#id_legs-0-city", "东京")
    page.fill("#id_legs-0-arrive", iso(depart))
    page.fill("#id_legs-0-depart", iso(back))
    page.select_option("#id_budget-0-kind", "lodging")
    page.fill("#id_budget-0-currency", "JPY")
    page.fill("#id_budget-0-amount", "160000")
    shot(page, "trip-01-application-form")
    with page.expect_navigation():
        page.click("#trip-form button[type=submit]")
    trip = Trip.objects.get(mission__startswith="赴日本东京参加国际陶瓷艺术教育论坛")
    assert page.url.endswith(trip.get_absolute_url())
    assert not page.locator("#findings .alert-danger").count(), page.inner_text("#findings")
    assert page.locator("[data-code='plan.outside']").count() == 1  # a warning only
    shot(page, "trip-02-draft")
    logout(page)

    login(page, "leader")
    page.goto(page.base_url + trip.get_absolute_url())
    step(page, "sign_off")
    assert Trip.objects.get(pk=trip.pk).state == "signed_off", page.inner_text("main")[:2000]
    logout(page)

    login(page, "clerk")
    page.goto(page.base_url + trip.get_absolute_url())
    step(page, "submit")
    assert Trip.objects.get(pk=trip.pk).state == "submitted"
    logout(page)

    # The office returns it once, with every correction listed.
    login(page, "staff")
    page.goto(page.base_url + trip.get_absolute_url())
    open_form(page, "button[data-step=return]", "#step-return")
    page.select_option("#id_fixes-0-field", "mission")
    page.fill("#id_fixes-0-message", "请写明论坛名称和主办单位。")
    page.fill("#id_fixes-1-message", "请补充校际合作协议草案。")
    with page.expect_navigation():
        page.click("#step-return button[type=submit]")
    assert Trip.objects.get(pk=trip.pk).state == "returned"
    logout(page)

    login(page, "clerk")
    page.goto(page.base_url + trip.get_absolute_url())
    assert "请写明论坛名称和主办单位。" in page.content()
    shot(page, "trip-03-returned")
    page.goto(page.base_url + trip.get_absolute_url() + "edit/")
    page.fill("#id_mission", "赴日本东京参加东京艺术大学主办的国际陶瓷艺术教育论坛并洽谈校际合作。")
    with page.expect_navigation():
        page.click("#trip-form button[type=submit]")
    assert page.url.endswith(trip.get_absolute_url()), page.inner_text("main")[:1500]
    step(page, "submit")
    logout(page)

    login(page, "staff")
    page.goto(page.base_url + trip.get_absolute_url())
    assert "东京艺术大学主办" in page.inner_text(".border-info")  # what changed since the return
    shot(page, "trip-04-resubmitted-changes")
    step(page, "review")
    logout(page)

    login(page, "director")
    page.goto(page.base_url + trip.get_absolute_url())
    step(page, "approve")
    trip.refresh_from_db()
    assert trip.state == "approved"
    assert trip.approval_number.startswith(f"景外审〔{today.year}〕")
    assert trip.approval_number in page.content()
    shot(page, "trip-05-approved")
    page.goto(page.base_url + f"/travel/trips/{trip.pk}/documents/approval.print")
    assert "批复" in page.content()
    shot(page, "trip-06-approval-document")
    response = page.request.get(page.base_url + f"/travel/trips/{trip.pk}/documents/approval.docx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.body()))
    assert any(trip.approval_number in p.text for p in document.paragraphs)
    logout(page)

    # Before and after the trip.
    login(page, "staff")
    page.goto(page.base_url + trip.get_absolute_url())
    step(page, "brief")
    open_form(page, "button[data-step=depart]", "#step-depart")
    page.fill("#step-depart input[name=date]", iso(depart))
    with page.expect_navigation():
        page.click("#step-depart button[type=submit]")
    open_form(page, "button[data-step=come_back]", "#step-come_back")
    page.fill(f"#id_entry_{member.pk}", iso(back + datetime.timedelta(days=2)))
    with page.expect_navigation():
        page.click("#step-come_back button[type=submit]")
    assert Trip.objects.get(pk=trip.pk).state == "returned_home"
    assert page.locator("#border-flags").count() == 1  # the member came back two days late
    shot(page, "trip-07-came-back-flagged")
    logout(page)

    login(page, "clerk")
    page.goto(page.base_url + trip.get_absolute_url())
    open_form(page, "button[data-step=report]", "#step-report")
    page.fill(
        "#step-report textarea[name=text]", "代表团出席论坛并作主旨发言，与东京艺术大学达成交换生合作意向。"
    )
    with page.expect_navigation():
        page.click("#step-report button[type=submit]")
    logout(page)

    login(page, "staff")
    page.goto(page.base_url + trip.get_absolute_url())
    open_form(page, "button[data-step=evaluate]", "#step-evaluate")
    page.fill("#step-evaluate input[name=score]", "92")
    page.fill("#id_follow_ups-0-item", "落实交换生合作协议签署")
    page.fill("#id_follow_ups-0-owner", "景德镇陶瓷大学国际交流处")
    page.fill("#id_follow_ups-0-due", iso(back + datetime.timedelta(days=90)))
    with page.expect_navigation():
        page.click("#step-evaluate button[type=submit]")
    step(page, "close")
    trip.refresh_from_db()
    assert trip.state == "closed"
    assert list(trip.events.values_list("action", flat=True)) == [
        "create",
        "sign_off",
        "submit",
        "return",
        "submit",
        "review",
        "approve",
        "brief",
        "depart",
        "come_back",
        "report",
        "evaluate",
        "close",
    ]
    assert trip.follow_ups.get().item == "落实交换生合作协议签署"
    shot(page, "trip-08-closed")
