"""A passport leaves the safe for an approved trip and comes back, recorded by the passport officer."""

import datetime

from django.utils import timezone

from tests.e2e.conftest import login, open_form
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Organization
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.travel.models import Trip, TripMember

NUMBER = "SE7654321"


def test_check_out_and_return_in_the_browser(page, shot):
    unit = Organization.objects.get(code="jdz-commerce")
    holder = PersonFactory(organization=unit, name="程晓东", position="科长", rank="section")
    today = timezone.localdate()
    trip = Trip.objects.create(
        applicant_unit=unit,
        office=unit.office(),
        deciding_office=unit.office(),
        category="abroad",
        mission="赴韩国利川参加陶瓷双年展",
        state="approved",
        depart_date=today + datetime.timedelta(days=5),
        return_date=today + datetime.timedelta(days=9),
        approved_on=today,
        approval_number="景外审〔2026〕99号",
    )
    TripMember.objects.create(trip=trip, person=holder, role="head")
    document = TravelDocument.objects.create(
        person=holder,
        kind="service",
        number=NUMBER,
        issued=datetime.date(2022, 3, 1),
        expires=datetime.date(2032, 3, 1),
        custodian=unit.office(),
    )

    login(page, "passport")
    page.goto(page.base_url + document.get_absolute_url())
    assert "S*****321" in page.content() and NUMBER not in page.content()
    open_form(page, "button[data-movement=check_out]", "#move-check_out")
    page.select_option("#move-check_out select[name=trip]", str(trip.pk))
    with page.expect_navigation():
        page.click("#move-check_out button[type=submit]")
    document.refresh_from_db()
    assert (document.custody, document.trip_id) == ("checked_out", trip.pk)
    assert document.due_date == trip.return_date + datetime.timedelta(days=7)
    shot(page, "custody-01-checked-out")

    receipt = CustodyMovement.objects.filter(document=document, kind="check_out").get()
    page.goto(page.base_url + receipt.get_absolute_url())
    assert "因公证照交接单" in page.content() and "程晓东" in page.content() and NUMBER not in page.content()
    shot(page, "custody-02-receipt")

    page.goto(page.base_url + "/passports/")
    assert page.locator("a", has_text="程晓东").count() == 1
    page.fill("input[name=q]", NUMBER)  # exact number, found through the blind index
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.locator("a", has_text="程晓东").count() == 1
    shot(page, "custody-03-out-on-a-trip")

    page.goto(page.base_url + document.get_absolute_url())
    open_form(page, "button[data-movement=return]", "#move-return")
    with page.expect_navigation():
        page.click("#move-return button[type=submit]")
    document.refresh_from_db()
    assert document.custody == "in_custody" and document.trip is None
    assert receipt.__class__.objects.get(pk=receipt.pk).returned_on == today
    shot(page, "custody-04-returned")
