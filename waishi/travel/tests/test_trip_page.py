"""The application page as each role sees it: the rule findings (message and severity, not the rule's code),
the next-step card in each state (what the trip waits for and who acts; cancelling beside it, never as it)
and the message after a step (where the trip went, the approval number). Pages in the default language."""

import re
from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from waishi.core.money import money
from waishi.directory.choices import Rank
from waishi.directory.models import Country
from waishi.travel import selectors, services
from waishi.travel.choices import FIX_CONCERNS, BudgetKind, TripState
from waishi.travel.models import BudgetLine, Trip, TripEvent
from waishi.travel.tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
DEFAULT = "zh-hans"


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    f.speed_up(settings, tmp_path)


def open_page(client, user, trip):
    client.force_login(user)
    response = client.get(trip.get_absolute_url())
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def card(doc):
    """The next-step card: its text, its buttons' steps, the secondary ones, and whether it leads."""
    found = doc.xpath('//*[@id="steps"]')
    if not found:
        return None
    element = found[0]
    buttons = element.xpath(".//button[@data-step]")
    return {
        "text": " ".join(element.text_content().split()),
        "main": [b.get("data-step") for b in buttons if b.get("data-secondary") is None],
        "secondary": [b.get("data-step") for b in buttons if b.get("data-secondary") is not None],
        "waiting": " ".join(element.xpath('string(.//*[@id="waiting-for"])').split()),
        "leads": "border-primary" in element.get("class"),
    }


def waiting(trip) -> str:
    with translation.override(DEFAULT):
        return selectors.waiting_for(trip)


def senior_trip(world, state):
    """A trip with a deputy bureau-level member: its review sends the decision to the province."""
    return f.make_trip(world, ranks=[Rank.DEPUTY_BUREAU], positions=["副局长"], state=state)


# --- the rule findings -------------------------------------------------------------------------------------


def test_findings_show_the_message_and_severity_not_the_rules_code(client, world):
    trip = f.make_trip(world, plan=False)  # not in the unit's annual plan: a warning
    doc = open_page(client, f.clerk(world), trip)
    findings = doc.get_element_by_id("findings")
    finding = findings.xpath('.//*[@data-code="plan.outside"]')[0]
    text = finding.text_content()
    assert "plan.outside" not in findings.text_content()
    assert not findings.xpath(".//code")
    assert finding.get("title") == "plan.outside"  # for the curious, on hover
    with translation.override(DEFAULT):
        message = next(x.message for x in selectors.trip_findings(trip) if x.code == "plan.outside")
        assert _("warning") in text
    assert message in " ".join(text.split())


# --- the next-step card ------------------------------------------------------------------------------------


def test_an_escalated_trip_says_it_waits_for_the_province_and_offers_cancelling_aside(client, world):
    trip = senior_trip(world, TripState.ESCALATED)
    assert trip.deciding_office == world.province

    staff = open_page(client, f.staff(world), trip)
    seen = card(staff)
    assert seen["waiting"].startswith(waiting(trip)) and world.province.name in seen["waiting"]
    assert seen["main"] == [] and seen["secondary"] == ["cancel"]
    assert staff.xpath('//*[@id="nothing-to-do"]') and not seen["leads"]

    province = card(open_page(client, f.approver(world, world.province), trip))
    assert province["main"] == ["approve", "reject"] and province["secondary"] == []
    assert province["leads"] and not open_page(client, f.approver(world, world.province), trip).xpath(
        '//*[@id="nothing-to-do"]'
    )

    city_leader = card(open_page(client, f.approver(world), trip))  # nothing to do, but told who acts
    assert city_leader["main"] == city_leader["secondary"] == []
    assert world.province.name in city_leader["waiting"]


# Every state a trip can still move on from (the escalated one has a test of its own, above).
OPEN_STATES = [
    state
    for state in TripState
    if state not in {TripState.CLOSED, TripState.REJECTED, TripState.CANCELLED, TripState.ESCALATED}
]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_every_open_state_says_what_it_waits_for_and_cancelling_is_never_the_next_step(client, world, state):
    trip = f.make_trip(world, state=state)
    expected = waiting(trip)
    assert expected
    users = [f.clerk(world), f.leader(world), f.staff(world), f.approver(world)]
    acting = []
    for user in users:
        seen = card(open_page(client, user, trip))
        assert seen is not None, (state, user)
        assert seen["waiting"].startswith(expected), (state, user, seen["waiting"])
        assert "cancel" not in seen["main"], (state, user)
        if seen["main"]:
            acting.append(user)
    # Somebody among the unit's and the office's people acts in each open state.
    assert acting, state


def test_the_card_names_who_acts(client, world):
    submitted = f.make_trip(world, state=TripState.SUBMITTED)
    clerk = card(open_page(client, f.clerk(world), submitted))
    assert world.city_a.name in clerk["waiting"] and clerk["main"] == [] and clerk["secondary"] == ["cancel"]
    staff = card(open_page(client, f.staff(world), submitted))
    assert staff["main"] == ["return", "review"] and staff["secondary"] == ["cancel"]

    returned_home = f.make_trip(world, state=TripState.RETURNED_HOME)
    assert world.unit_a.name in card(open_page(client, f.staff(world), returned_home))["waiting"]
    assert card(open_page(client, f.clerk(world), returned_home))["main"] == ["report"]


@pytest.mark.parametrize("state", [TripState.CLOSED, TripState.REJECTED, TripState.CANCELLED])
def test_a_finished_trip_has_no_next_step_card(client, world, state):
    trip = f.make_trip(world, state=state)
    assert waiting(trip) == ""
    for user in (f.clerk(world), f.staff(world), f.approver(world)):
        assert card(open_page(client, user, trip)) is None


# --- the message after a step ------------------------------------------------------------------------------


def take_step(client, user, trip, step, data=None):
    client.force_login(user)
    response = client.post(reverse("travel:trip_step", args=[trip.pk, step]), data or {}, follow=True)
    assert response.status_code == 200
    trip.refresh_from_db()
    return [str(m) for m in response.context["messages"]]


def test_after_review_the_message_says_the_trip_went_to_the_province(client, world):
    trip = senior_trip(world, TripState.SUBMITTED)
    messages = take_step(client, f.staff(world), trip, "review", {"opinion": "拟同意，报省外办审批"})
    assert trip.state == TripState.ESCALATED
    with translation.override(DEFAULT):
        expected = _(
            "Reviewed and sent on to %(office)s for approval: a member's rank requires the decision of "
            "the superior office."
        ) % {"office": world.province.name}
    assert messages == [expected]
    assert messages[0] == f"审核完成，已报送{world.province.name}审批：团组成员职级须由上级外办审批。"


def test_after_review_by_the_city_the_message_names_its_leader(client, world):
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    messages = take_step(client, f.staff(world), trip, "review", {"opinion": "拟同意"})
    assert trip.state == TripState.REVIEWED
    with translation.override(DEFAULT):
        expected = _("Reviewed and sent to the leader of %(office)s for approval.") % {
            "office": world.city_a.name
        }
    assert messages == [expected]


def test_after_approval_the_message_gives_the_approval_number(client, world):
    trip = f.make_trip(world, state=TripState.REVIEWED)
    messages = take_step(client, f.approver(world), trip, "approve", {"opinion": "同意"})
    assert trip.state == TripState.APPROVED and trip.approval_number == f"甲外审〔{YEAR}〕1号"
    with translation.override(DEFAULT):
        done = _("Approved: approval document %(number)s issued.") % {"number": trip.approval_number}
        expected = pgettext("two sentences", "%(done)s %(next)s") % {
            "done": done,
            "next": selectors.waiting_for(trip),
        }
    assert messages == [expected]
    assert messages[0] == f"已批准，批件文号为甲外审〔{YEAR}〕1号。等待{world.city_a.name}登记行前教育。"


def test_after_the_province_approves_the_number_is_the_provinces(client, world):
    trip = senior_trip(world, TripState.ESCALATED)
    messages = take_step(client, f.approver(world, world.province), trip, "approve", {"opinion": "同意"})
    assert f"省外审〔{YEAR}〕1号" in messages[0]


def test_after_other_steps_the_message_says_what_the_trip_waits_for(client, world):
    trip = f.make_trip(world, state=TripState.SIGNED_OFF)
    messages = take_step(client, f.clerk(world), trip, "submit")
    assert trip.state == TripState.SUBMITTED
    assert messages[0].endswith(waiting(trip)) and world.city_a.name in messages[0]
    cancelled = take_step(client, f.clerk(world), trip, "cancel", {"reason": "任务取消"})
    assert trip.state == TripState.CANCELLED
    with translation.override(DEFAULT):
        from waishi.travel.views import STEP_LABELS

        assert cancelled == [_("%(step)s: done.") % {"step": STEP_LABELS["cancel"]}]


# --- what the unit changed since the application was returned ----------------------------------------------


def resubmitted(world, amount: Decimal) -> Trip:
    """A submitted trip returned for correction, its international travel set to ``amount`` and submitted
    again: the page compares the two submissions' snapshots."""
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    trip = services.trip_return(
        actor=f.staff(world), trip=trip, fixes=[{"field": "budget", "message": "预算有误"}]
    )
    budget = [
        {
            "kind": b.kind,
            "currency": b.currency,
            "amount": amount if b.kind == BudgetKind.INTERNATIONAL_TRAVEL else b.amount,
        }
        for b in trip.budget.all()
    ]
    application = f.rebuild(world, trip, budget=budget)
    trip = services.trip_update(
        actor=f.clerk(world), trip=trip, version=trip.version, application=application
    )
    return services.trip_submit(actor=f.clerk(world), trip=trip)


def changes_card(client, user, trip, language) -> dict:
    """The changes card's rows, field → (before, after), on the page in ``language``."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    doc = open_page(client, user, trip)
    rows = doc.get_element_by_id("changes").xpath(".//tbody/tr")
    return {r[0].text_content(): (r[1].text_content(), r[2].text_content()) for r in rows}


@pytest.mark.parametrize("language", [DEFAULT, "en"])
def test_the_changes_since_the_return_write_amounts_as_every_page_does(client, world, language):
    trip = resubmitted(world, Decimal("160000"))
    stored = TripEvent.objects.filter(trip=trip, action="submit").order_by("-at", "-id")[0].detail["snapshot"]
    with translation.override(DEFAULT):  # the snapshot holds the kind as the clerk's page named it
        kind = str(BudgetKind.INTERNATIONAL_TRAVEL.label)
    assert f"{kind} 160000.00 CNY" in stored["budget"]  # the snapshot keeps the decimal's text

    with translation.override(language):
        label = str(BudgetLine._meta.verbose_name_plural)
    before, after = changes_card(client, f.staff(world), trip, language)[label]
    assert f"{kind} 16,000.00 CNY" in before and f"{kind} 160,000.00 CNY" in after
    with translation.override(DEFAULT):
        lines = [f"{b.get_kind_display()} {money(b.amount)} {b.currency}" for b in trip.budget.all()]
    assert all(line in after for line in lines)  # the lines that did not change are written so too
    assert not re.search(r"\d{4}\.\d\d", before + after), (before, after)  # no amount without its groups


def test_a_budget_line_of_another_shape_is_shown_as_stored(world):
    """A snapshot's budget line that is not "<kind> <amount> <currency>" is left as it is."""
    trip = resubmitted(world, Decimal("1234.5"))
    event = TripEvent.objects.filter(trip=trip, action="submit").order_by("-at", "-id")[0]
    event.detail["snapshot"]["budget"].append("其他 待定 CNY")
    TripEvent.objects.filter(pk=event.pk).update(detail=event.detail)
    with translation.override(DEFAULT):
        rows = selectors.resubmission_changes(trip, f.staff(world))
        changes = {name: (before, after) for name, before, after in rows}
        before, after = changes[str(BudgetLine._meta.verbose_name_plural)]
    assert "其他 待定 CNY" in after and "其他 待定 CNY" not in before
    assert any(line.endswith(" 1,234.50 CNY") for line in after.split("；"))


@pytest.mark.parametrize("language", [DEFAULT, "en"])
def test_the_changes_since_the_return_name_each_field_and_write_each_value_as_the_page_does(
    client, world, language
):
    """Not the snapshot's keys and values (inviter_country_id, JP, 2027-01-02, ['张三 (团长)', …]): the
    fields' names in the page's language, the inviter's country by name, the date as the page writes it."""
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    fixes = [
        {"field": "inviter_country", "message": "邀请方"},
        {"field": "invitation_to", "message": "邀请有效期"},
    ]
    trip = services.trip_return(actor=f.staff(world), trip=trip, fixes=fixes)
    korea, until = Country.objects.get(code="KR"), trip.invitation_to + timedelta(days=30)
    application = f.rebuild(world, trip, fields={"inviter_country": korea, "invitation_to": until})
    trip = services.trip_update(
        actor=f.clerk(world), trip=trip, version=trip.version, application=application
    )
    trip = services.trip_submit(actor=f.clerk(world), trip=trip)

    card = changes_card(client, f.staff(world), trip, language)
    with translation.override(language):
        assert card[str(Trip._meta.get_field("inviter_country").verbose_name)][1] == str(korea)
        dates = card[str(Trip._meta.get_field("invitation_to").verbose_name)]
        assert dates == (date_format(until - timedelta(days=30)), date_format(until))
    assert not any("_" in name for name in card), card  # no snapshot key
    assert not any("[" in before + after for before, after in card.values()), card  # no Python list


@pytest.mark.parametrize("language", [DEFAULT, "en"])
def test_the_corrections_asked_name_what_they_concern_in_the_pages_language(client, world, language):
    """Not the form's key (mission): its label, as the return form showed it to the reviewer."""
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    services.trip_return(actor=f.staff(world), trip=trip, fixes=[{"field": "mission", "message": "写明论坛"}])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    doc = open_page(client, f.clerk(world), trip)
    badges = [b.text_content() for b in doc.xpath("//ol/li/span[contains(@class, 'badge')]")]
    with translation.override(language):
        assert badges == [str(FIX_CONCERNS["mission"])]
    if language == DEFAULT:
        assert badges != ["mission"]
