"""The workflow of an outbound trip through its services (API.md action table, DOMAIN.md lifecycle):
each step with its role and scope, its history row and audit row, its conflicts, escalation and numbering."""

import contextlib
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from waishi.core.audit import verify
from waishi.core.errors import ApplicationError, Conflict, NotAllowed
from waishi.core.models import AuditLog
from waishi.core.services import office_setting_set
from waishi.directory.choices import Rank
from waishi.travel import selectors, services
from waishi.travel.choices import FIX_CONCERNS, TripState
from waishi.travel.models import ApprovalCounter, Briefing, FollowUp, Trip, TripEvent, TripMember, TripReport
from waishi.travel.tests import factories as f
from waishi.travel.tests.factories import DEPART

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    f.speed_up(settings, tmp_path)


def trip_audit(trip) -> list[AuditLog]:
    return list(
        AuditLog.objects.filter(
            object_type="travel.trip", object_id=str(trip.pk), action__startswith="trip."
        ).order_by("seq")
    )


def history(trip) -> list[tuple[str, str, str]]:
    return list(
        TripEvent.objects.filter(trip=trip)
        .order_by("at", "id")
        .values_list("action", "from_state", "to_state")
    )


class Recorder:
    """Checks that a step wrote exactly one history row and one audit row ``trip.<action>``."""

    def __init__(self, trip):
        self.trip = trip
        self.events = TripEvent.objects.filter(trip=trip).count()
        self.audits = len(trip_audit(trip))

    def took(
        self, action: str, from_state: str, to_state: str, actor, also: tuple[str, ...] = ()
    ) -> TripEvent:
        """``also``: other audit rows the step writes besides ``trip.<action>`` (e.g. border flags)."""
        events = list(TripEvent.objects.filter(trip=self.trip).order_by("at", "id"))[self.events :]
        audits = trip_audit(self.trip)[self.audits :]
        assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
            (action, from_state, to_state, actor.pk)
        ]
        assert sorted(a.action for a in audits) == sorted([f"trip.{action}", *also])
        row = next(a for a in audits if a.action == f"trip.{action}")
        assert (row.user_id, row.result, row.detail["from"], row.detail["to"]) == (
            actor.pk,
            "success",
            from_state,
            to_state,
        )
        self.events, self.audits = self.events + 1, self.audits + len(audits)
        return events[0]


def assert_conflict(call, *args, **kwargs) -> Conflict:
    with pytest.raises(Conflict) as caught:
        call(*args, **kwargs)
    assert caught.value.status == 409
    return caught.value


# --- the whole lifecycle ---------------------------------------------------------------------------------


def test_the_whole_lifecycle_with_the_right_roles(world):
    clerk, leader, staff, boss = f.clerk(world), f.leader(world), f.staff(world), f.approver(world)
    trip = f.make_trip(world, members=3)
    assert history(trip) == [("create", "", TripState.DRAFT)]
    assert trip.office == world.city_a and trip.state == TripState.DRAFT and trip.created_by == clerk
    record = Recorder(trip)

    trip = services.trip_sign_off(actor=leader, trip=trip, opinion="同意派出")
    record.took("sign_off", TripState.DRAFT, TripState.SIGNED_OFF, leader)
    assert_conflict(services.trip_sign_off, actor=leader, trip=trip)

    trip = services.trip_submit(actor=clerk, trip=trip)
    event = record.took("submit", TripState.SIGNED_OFF, TripState.SUBMITTED, clerk)
    assert event.detail["findings"] == [] and event.detail["snapshot"]["mission"] == trip.mission
    assert_conflict(services.trip_submit, actor=clerk, trip=trip)

    trip = services.trip_review(actor=staff, trip=trip, opinion="材料齐全")
    record.took("review", TripState.SUBMITTED, TripState.REVIEWED, staff)
    assert trip.deciding_office == world.city_a
    assert_conflict(services.trip_review, actor=staff, trip=trip)

    trip = services.trip_approve(actor=boss, trip=trip, opinion="同意")
    record.took("approve", TripState.REVIEWED, TripState.APPROVED, boss)
    assert trip.approval_number == f"甲外审〔{YEAR}〕1号"
    assert (trip.approval_year, trip.approval_seq, trip.approved_on) == (YEAR, 1, timezone.localdate())
    assert_conflict(services.trip_approve, actor=boss, trip=trip)
    assert_conflict(services.trip_reject, actor=boss, trip=trip, reason="重复")
    assert Trip.objects.get(pk=trip.pk).approval_number == f"甲外审〔{YEAR}〕1号"

    people = [m.person for m in trip.members.select_related("person")]
    trip = services.trip_brief(
        actor=staff, trip=trip, on=DEPART - timedelta(days=2), content="外事纪律", attendees=people
    )
    record.took("brief", TripState.APPROVED, TripState.BRIEFED, staff)
    assert set(Briefing.objects.get(trip=trip).attendees.all()) == set(people)
    assert_conflict(services.trip_brief, actor=staff, trip=trip, on=DEPART, content="再次", attendees=people)

    trip = services.trip_depart(actor=staff, trip=trip, on=DEPART)
    record.took("depart", TripState.BRIEFED, TripState.DEPARTED, staff)
    assert trip.departed_on == DEPART
    assert_conflict(services.trip_depart, actor=staff, trip=trip, on=DEPART)

    trip = services.trip_come_back(actor=staff, trip=trip, records=f.come_back_records(trip))
    event = record.took("come_back", TripState.DEPARTED, TripState.RETURNED_HOME, staff)
    assert event.detail == {"flags": {}} and trip.came_back_on == trip.return_date
    assert_conflict(services.trip_come_back, actor=staff, trip=trip, records=f.come_back_records(trip))

    trip = services.trip_report(actor=clerk, trip=trip, text="出访报告全文", outcomes="签署备忘录两份")
    record.took("report", TripState.RETURNED_HOME, TripState.REPORTED, clerk)
    assert TripReport.objects.get(trip=trip).text == "出访报告全文"
    assert_conflict(services.trip_report, actor=clerk, trip=trip, text="再次")

    due = timezone.localdate() + timedelta(days=90)
    trip = services.trip_evaluate(
        actor=staff,
        trip=trip,
        score=88,
        comments="成果实在",
        follow_ups=[
            {"item": "落实合作备忘录", "owner": "甲市商务局", "due": due},
            {"item": "回访邀请", "owner": "甲市外办", "due": due + timedelta(days=30)},
        ],
    )
    record.took("evaluate", TripState.REPORTED, TripState.EVALUATED, staff)
    report = TripReport.objects.get(trip=trip)
    assert (report.score, report.comments, report.evaluated_on) == (88, "成果实在", timezone.localdate())
    assert list(FollowUp.objects.filter(trip=trip).values_list("item", "due")) == [
        ("落实合作备忘录", due),
        ("回访邀请", due + timedelta(days=30)),
    ]
    assert_conflict(services.trip_evaluate, actor=staff, trip=trip, score=1)

    trip = services.trip_close(actor=staff, trip=trip)
    record.took("close", TripState.EVALUATED, TripState.CLOSED, staff)
    assert_conflict(services.trip_close, actor=staff, trip=trip)
    assert_conflict(services.trip_cancel, actor=clerk, trip=trip, reason="太晚了")

    assert [row[0] for row in history(trip)] == [
        "create",
        "sign_off",
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
    assert verify().ok


def test_a_second_approval_of_the_office_in_the_year_gets_the_next_number(world):
    first = f.make_trip(world, state=TripState.APPROVED)
    other_unit = f.make_trip(world, unit=world.unit_a2, state=TripState.APPROVED)
    assert first.approval_number == f"甲外审〔{YEAR}〕1号"
    assert other_unit.approval_number == f"甲外审〔{YEAR}〕2号"
    # Another office counts on its own.
    assert (
        f.make_trip(world, unit=world.unit_b, state=TripState.APPROVED).approval_number
        == f"乙外审〔{YEAR}〕1号"
    )


def test_numbers_start_again_each_year(world):
    old = f.make_trip(world, state=TripState.APPROVED, on=date(2025, 12, 31))
    new = f.make_trip(world, state=TripState.APPROVED, on=date(2026, 1, 2))
    older = f.make_trip(world, state=TripState.APPROVED, on=date(2025, 12, 31))
    assert [old.approval_number, new.approval_number, older.approval_number] == [
        "甲外审〔2025〕1号",
        "甲外审〔2026〕1号",
        "甲外审〔2025〕2号",
    ]
    assert dict(ApprovalCounter.objects.filter(office=world.city_a).values_list("year", "last")) == {
        2025: 2,
        2026: 1,
    }


def test_the_number_format_is_an_office_setting(world):
    office_setting_set(
        actor=f.approver(world),
        office=world.city_a,
        key="travel.approval.number_format",
        value="{doc_code}〔{year}〕第{seq}号",
    )
    assert f.make_trip(world, state=TripState.APPROVED).approval_number == f"甲外审〔{YEAR}〕第1号"


def test_a_conflicting_approval_with_a_stale_copy_uses_no_number(world):
    trip = f.make_trip(world, state=TripState.REVIEWED)
    stale = Trip.objects.get(pk=trip.pk)
    services.trip_approve(actor=f.approver(world), trip=trip)
    error = assert_conflict(services.trip_approve, actor=f.approver(world), trip=stale)
    assert error.code == "already_decided"
    assert [e for e in history(trip) if e[0] == "approve"] == [("approve", "reviewed", "approved")]
    # The refused approval took no number: the next trip gets 2.
    assert f.make_trip(world, state=TripState.APPROVED).approval_seq == 2


# --- sign-off and submission --------------------------------------------------------------------------------


def test_only_a_leader_of_the_applicant_unit_signs_off(world):
    trip = f.make_trip(world)
    for actor in (
        f.leader(world, world.unit_a2),
        f.leader(world, world.unit_b),
        f.clerk(world),
        f.staff(world),
    ):
        with pytest.raises(NotAllowed) as caught:
            services.trip_sign_off(actor=actor, trip=trip)
        assert caught.value.status == 403
    assert Trip.objects.get(pk=trip.pk).state == TripState.DRAFT
    assert history(trip) == [("create", "", "draft")]
    assert [a.action for a in trip_audit(trip)] == ["trip.create"]


def test_a_draft_is_not_submitted_before_sign_off(world):
    trip = f.make_trip(world)
    error = assert_conflict(services.trip_submit, actor=f.clerk(world), trip=trip)
    assert error.code == "not_signed_off"


def test_submission_is_refused_with_the_findings_while_a_rule_blocks(world):
    trip = f.make_trip(world, members=7, plan=False, state=TripState.SIGNED_OFF)
    with pytest.raises(ApplicationError) as caught:
        services.trip_submit(actor=f.clerk(world), trip=trip)
    error = caught.value
    assert (error.code, error.status) == ("blocked", 400)
    findings = {(x["code"], x["severity"]) for x in error.extra["findings"]}
    assert findings == {("members.max", "block"), ("plan.outside", "warn")}
    assert all(x["message"] and x["fields"] for x in error.extra["findings"])
    assert Trip.objects.get(pk=trip.pk).state == TripState.SIGNED_OFF
    assert [e[0] for e in history(trip)] == ["create", "sign_off"]


def test_warnings_do_not_stop_submission_and_are_kept_for_the_reviewer(world):
    trip = f.make_trip(world, plan=False, state=TripState.SUBMITTED)
    event = TripEvent.objects.get(trip=trip, action="submit")
    assert [(x["code"], x["severity"]) for x in event.detail["findings"]] == [("plan.outside", "warn")]


# --- return for correction, update, resubmission -----------------------------------------------------------


def test_return_with_fixes_then_update_and_resubmit(world):
    clerk, staff = f.clerk(world), f.staff(world)
    trip = f.make_trip(world, members=2, state=TripState.SUBMITTED)
    with pytest.raises(ApplicationError) as caught:
        services.trip_return(actor=staff, trip=trip, fixes=[{"field": "mission", "message": "  "}])
    assert caught.value.code == "fixes_required"

    fixes = [
        {"field": "mission", "message": "出访任务不明确"},
        {"field": "members", "message": "补充一名翻译"},
    ]
    record = Recorder(trip)
    trip = services.trip_return(actor=staff, trip=trip, fixes=fixes)
    event = record.took("return", TripState.SUBMITTED, TripState.RETURNED, staff)
    assert event.detail["fixes"] == fixes
    with translation.override("zh-hans"):  # each named as the return form names it
        concerns = [str(FIX_CONCERNS["mission"]), str(FIX_CONCERNS["members"])]
        assert selectors.last_fixes(trip) == [
            fix | {"concerns": c} for fix, c in zip(fixes, concerns, strict=True)
        ]
        assert "mission" not in concerns
    assert_conflict(services.trip_return, actor=staff, trip=trip, fixes=fixes)
    assert_conflict(services.trip_review, actor=staff, trip=trip)

    translator = f.person(world.unit_a, position="翻译", rank=Rank.OTHER)
    members = [{"person": m.person, "role": m.role} for m in trip.members.select_related("person")]
    members.append({"person": translator, "role": "member"})
    names = [m["person"].name for m in members]
    application = f.rebuild(
        world,
        trip,
        members=members,
        fields={"mission": "签署友好城市合作备忘录并考察港口物流", "invitation_invitees": names},
    )
    stale_version = trip.version
    trip = services.trip_update(actor=clerk, trip=trip, version=trip.version, application=application)
    assert trip.members.count() == 3
    # An edit from a page opened before this one is refused.
    error = assert_conflict(
        services.trip_update, actor=clerk, trip=trip, version=stale_version, application=application
    )
    assert error.code == "changed"

    trip = services.trip_submit(actor=clerk, trip=trip)
    record.took("submit", TripState.RETURNED, TripState.SUBMITTED, clerk)
    changes = {name: (before, after) for name, before, after in selectors.resubmission_changes(trip, staff)}
    mission, invitees = (
        str(Trip._meta.get_field(name).verbose_name) for name in ("mission", "invitation_invitees")
    )
    members = str(TripMember._meta.verbose_name_plural)
    assert set(changes) == {mission, members, invitees}
    assert changes[mission] == ("考察友好城市经贸合作", "签署友好城市合作备忘录并考察港口物流")
    before, after = (lines.split("；") for lines in changes[members])
    assert len(after) == len(before) + 1
    assert any(translator.name in line for line in after)

    # A submitted application is no longer the clerk's to edit.
    error = assert_conflict(
        services.trip_update, actor=clerk, trip=trip, version=trip.version, application=application
    )
    assert error.code == "not_editable"
    trip = services.trip_review(actor=staff, trip=trip)
    assert services.trip_approve(actor=f.approver(world), trip=trip).state == TripState.APPROVED


def test_resubmission_changes_are_empty_before_a_second_submission(world):
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    assert selectors.resubmission_changes(trip, f.staff(world)) == []


def test_an_update_cannot_move_the_trip_out_of_scope(world):
    trip = f.make_trip(world)
    application = f.rebuild(world, trip, fields={"applicant_unit": world.unit_b})
    with pytest.raises(NotAllowed):
        services.trip_update(actor=f.clerk(world), trip=trip, version=trip.version, application=application)
    trip.refresh_from_db()
    assert (trip.applicant_unit, trip.office) == (world.unit_a, world.city_a)


def test_an_update_to_another_unit_in_scope_moves_the_office_with_it(world):
    # A clerk whose organization covers units of both cities (placed at the province for the test).
    clerk = f.user(world, "unit_clerk", world.province)
    application = f.application(world, unit=world.unit_a, members=[f.person(world.unit_b)], plan=False)
    trip = services.trip_create(actor=clerk, application=application)
    assert trip.office == world.city_a
    moved = f.rebuild(world, trip, fields={"applicant_unit": world.unit_b})
    trip = services.trip_update(actor=clerk, trip=trip, version=trip.version, application=moved)
    assert (trip.applicant_unit, trip.office) == (world.unit_b, world.city_b)
    assert Trip.objects.get(pk=trip.pk).office == world.city_b


def test_an_update_cannot_change_the_workflow_fields(world):
    trip = f.make_trip(world)
    application = f.rebuild(
        world, trip, fields={"state": TripState.APPROVED, "approval_number": "甲外审〔2026〕99号"}
    )
    with contextlib.suppress(ApplicationError):  # refusing the fields is as good as ignoring them
        services.trip_update(actor=f.clerk(world), trip=trip, version=trip.version, application=application)
    trip.refresh_from_db()
    assert (trip.state, trip.approval_number) == (TripState.DRAFT, "")


# --- reject, cancel -----------------------------------------------------------------------------------------


def test_reject(world):
    boss = f.approver(world)
    trip = f.make_trip(world, state=TripState.REVIEWED)
    with pytest.raises(ApplicationError) as caught:
        services.trip_reject(actor=boss, trip=trip, reason=" ")
    assert caught.value.code == "reason_required"
    record = Recorder(trip)
    trip = services.trip_reject(actor=boss, trip=trip, reason="出访必要性不足")
    event = record.took("reject", TripState.REVIEWED, TripState.REJECTED, boss)
    assert event.note == "出访必要性不足" and trip.approval_number == ""
    assert_conflict(services.trip_approve, actor=boss, trip=trip)
    assert_conflict(services.trip_reject, actor=boss, trip=trip, reason="再次")
    assert_conflict(services.trip_cancel, actor=f.clerk(world), trip=trip, reason="不去了")
    assert not ApprovalCounter.objects.filter(last__gt=0).exists()


@pytest.mark.parametrize(
    "state", [TripState.DRAFT, TripState.SUBMITTED, TripState.REVIEWED, TripState.APPROVED, TripState.BRIEFED]
)
@pytest.mark.parametrize("role", ["unit_clerk", "fao_staff"])
def test_cancel_before_departure(world, state, role):
    trip = f.make_trip(world, state=state)
    actor = f.user(world, role)
    with pytest.raises(ApplicationError):
        services.trip_cancel(actor=actor, trip=trip, reason="")
    record = Recorder(trip)
    trip = services.trip_cancel(actor=actor, trip=trip, reason="对方日程变化，未成行")
    record.took("cancel", state, TripState.CANCELLED, actor)
    assert_conflict(services.trip_cancel, actor=actor, trip=trip, reason="再次")


@pytest.mark.parametrize("state", [TripState.DEPARTED, TripState.RETURNED_HOME, TripState.CLOSED])
def test_cancel_after_departure_is_a_conflict(world, state):
    trip = f.make_trip(world, state=state)
    for actor in (f.clerk(world), f.staff(world)):
        assert_conflict(services.trip_cancel, actor=actor, trip=trip, reason="未成行")
    assert Trip.objects.get(pk=trip.pk).state == state


def test_a_cancelled_trip_frees_its_members(world):
    shared = f.person(world.unit_a)
    first = f.make_trip(world, members=[shared], state=TripState.APPROVED)
    services.trip_cancel(actor=f.clerk(world), trip=first, reason="未成行")
    second = f.make_trip(world, members=[shared], state=TripState.SUBMITTED)
    assert second.state == TripState.SUBMITTED


# --- coming back: border dates and flags ----------------------------------------------------------------


def test_come_back_flags_early_exit_late_return_and_unapproved_countries(world):
    a, b, c, d = (f.person(world.unit_a) for _ in range(4))
    trip = f.make_trip(world, members=[a, b, c, d], state=TripState.DEPARTED)
    records = f.come_back_records(
        trip,
        {
            a.pk: {"exit_date": trip.depart_date - timedelta(days=1)},  # left a day early
            b.pk: {"entry_date": trip.return_date + timedelta(days=2)},  # came back two days late
            c.pk: {"countries": ["JP", "US", "CA"]},  # went where the approval does not say
            d.pk: {"countries": ["JP"]},
        },
    )
    staff = f.staff(world)
    record = Recorder(trip)
    trip = services.trip_come_back(actor=staff, trip=trip, records=records)
    event = record.took(
        "come_back", TripState.DEPARTED, TripState.RETURNED_HOME, staff, also=("trip.border_flags",)
    )
    expected = {
        str(a.pk): [{"code": "early_departure", "days": 1}],
        str(b.pk): [{"code": "late_return", "days": 2}],
        str(c.pk): [{"code": "unapproved_countries", "countries": ["CA", "US"]}],
    }
    assert event.detail["flags"] == expected
    assert selectors.border_flags(trip) == expected
    assert trip.came_back_on == trip.return_date + timedelta(days=2)
    member = trip.members.get(person=a)
    assert (member.exit_date, member.entry_date) == (trip.depart_date - timedelta(days=1), trip.return_date)
    assert AuditLog.objects.get(action="trip.border_flags", object_id=str(trip.pk)).detail == {
        "flags": expected
    }


def test_come_back_needs_every_member_and_consistent_dates(world):
    trip = f.make_trip(world, members=2, state=TripState.DEPARTED)
    staff = f.staff(world)
    records = f.come_back_records(trip)
    with pytest.raises(ApplicationError):
        services.trip_come_back(actor=staff, trip=trip, records=records[:1])
    records[1]["entry_date"] = records[1]["exit_date"] - timedelta(days=1)
    with pytest.raises(ApplicationError):
        services.trip_come_back(actor=staff, trip=trip, records=records)
    trip.refresh_from_db()
    assert trip.state == TripState.DEPARTED
    assert not trip.members.filter(exit_date__isnull=False).exists()


def test_a_briefing_without_every_member_is_recorded(world):
    trip = f.make_trip(world, members=2, state=TripState.APPROVED)
    people = [m.person for m in trip.members.select_related("person")]
    services.trip_brief(actor=f.staff(world), trip=trip, on=DEPART, content="外事纪律", attendees=people[:1])
    row = AuditLog.objects.get(action="trip.brief_incomplete", object_id=str(trip.pk))
    assert row.detail == {"absent_person_ids": [people[1].pk]}


# --- escalation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rank", [Rank.DEPUTY_BUREAU, Rank.BUREAU, Rank.PROVINCIAL])
def test_a_senior_member_sends_the_decision_to_the_superior_office(world, rank):
    senior = f.person(world.unit_a, rank=rank, position="副局长")
    trip = f.make_trip(world, members=[senior, f.person(world.unit_a)], state=TripState.SUBMITTED)
    staff = f.staff(world)
    record = Recorder(trip)
    trip = services.trip_review(actor=staff, trip=trip, opinion="报省外办审批")
    record.took("review", TripState.SUBMITTED, TripState.ESCALATED, staff)
    assert trip.deciding_office == world.province and trip.office == world.city_a

    city_boss = f.approver(world, world.city_a)
    with pytest.raises(NotAllowed):
        services.trip_approve(actor=city_boss, trip=trip)
    with pytest.raises(NotAllowed):
        services.trip_reject(actor=city_boss, trip=trip, reason="不同意")
    province_boss = f.approver(world, world.province)
    trip = services.trip_approve(actor=province_boss, trip=trip, opinion="同意")
    record.took("approve", TripState.ESCALATED, TripState.APPROVED, province_boss)
    assert trip.approval_number == f"省外审〔{YEAR}〕1号"
    # The city's own series is untouched.
    assert ApprovalCounter.objects.filter(office=world.city_a).count() == 0
    assert f.make_trip(world, state=TripState.APPROVED).approval_number == f"甲外审〔{YEAR}〕1号"


def test_the_superior_office_may_reject_an_escalated_trip(world):
    trip = f.make_trip(world, ranks=[Rank.BUREAU], positions=["局长"], state=TripState.ESCALATED)
    province_boss = f.approver(world, world.province)
    record = Recorder(trip)
    trip = services.trip_reject(actor=province_boss, trip=trip, reason="出访必要性不足")
    record.took("reject", TripState.ESCALATED, TripState.REJECTED, province_boss)
    assert_conflict(services.trip_approve, actor=province_boss, trip=trip)
    assert not ApprovalCounter.objects.filter(last__gt=0).exists()


def test_a_division_head_is_decided_by_the_city(world):
    trip = f.make_trip(world, ranks=[Rank.DIVISION, Rank.DEPUTY_DIVISION], positions=["处长", "副处长"])
    f.advance(world, trip, TripState.REVIEWED)
    assert trip.deciding_office == world.city_a
    with pytest.raises(NotAllowed):
        services.trip_approve(actor=f.approver(world, world.province), trip=trip)


def test_the_escalation_rank_is_an_office_setting(world):
    office_setting_set(
        actor=f.approver(world), office=world.city_a, key="travel.approval.escalate_rank", value="bureau"
    )
    trip = f.make_trip(world, ranks=[Rank.DEPUTY_BUREAU], positions=["副局长"], state=TripState.REVIEWED)
    assert trip.deciding_office == world.city_a
    trip = f.make_trip(world, ranks=[Rank.BUREAU], positions=["局长"], state=TripState.ESCALATED)
    assert trip.deciding_office == world.province


# --- scope and roles --------------------------------------------------------------------------------------


def test_a_clerk_of_another_unit_neither_sees_nor_edits_the_trip(world):
    trip = f.make_trip(world)
    other = f.clerk(world, world.unit_a2)
    assert not Trip.objects.restrict(other).filter(pk=trip.pk).exists()
    assert Trip.objects.restrict(f.clerk(world)).filter(pk=trip.pk).exists()
    with pytest.raises(NotAllowed):
        services.trip_update(actor=other, trip=trip, version=trip.version, application=f.rebuild(world, trip))
    f.advance(world, trip, TripState.SIGNED_OFF)
    with pytest.raises(NotAllowed):
        services.trip_submit(actor=other, trip=trip)
    with pytest.raises(NotAllowed):
        services.trip_cancel(actor=other, trip=trip, reason="未成行")
    assert Trip.objects.get(pk=trip.pk).state == TripState.SIGNED_OFF


def test_a_clerk_applies_only_for_his_unit_and_its_people(world):
    foreign = f.application(world, unit=world.unit_b, members=[f.person(world.unit_b)], plan=False)
    with pytest.raises(NotAllowed) as caught:
        services.trip_create(actor=f.clerk(world), application=foreign)
    assert caught.value.code == "out_of_scope"
    assert not Trip.objects.exists()
    # Members are people of the clerk's unit (or of a sending unit).
    with pytest.raises(ApplicationError):
        f.make_trip(world, members=[f.person(world.unit_a), f.person(world.unit_a2)])
    trip = f.make_trip(
        world,
        members=[f.person(world.unit_a), f.person(world.unit_a2)],
        sending_units=[world.unit_a2],
        is_cross_unit=True,
    )
    assert trip.members.count() == 2 and list(trip.sending_units.all()) == [world.unit_a2]


def test_staff_of_another_office_cannot_review(world):
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.trip_review(actor=f.staff(world, world.city_b), trip=trip)
    with pytest.raises(NotAllowed):
        services.trip_return(actor=f.staff(world, world.city_b), trip=trip, fixes=[{"message": "x"}])
    assert not Trip.objects.restrict(f.staff(world, world.city_b)).filter(pk=trip.pk).exists()
    assert Trip.objects.restrict(f.staff(world, world.province)).filter(pk=trip.pk).exists()


def test_a_leader_of_another_office_cannot_approve(world):
    trip = f.make_trip(world, state=TripState.REVIEWED)
    with pytest.raises(NotAllowed):
        services.trip_approve(actor=f.approver(world, world.city_b), trip=trip)


@pytest.mark.parametrize(
    ("state", "role", "call"),
    [
        (TripState.DRAFT, "unit_clerk", lambda w, a, t: services.trip_sign_off(actor=a, trip=t)),
        (TripState.SIGNED_OFF, "unit_leader", lambda w, a, t: services.trip_submit(actor=a, trip=t)),
        (TripState.SUBMITTED, "unit_clerk", lambda w, a, t: services.trip_review(actor=a, trip=t)),
        (TripState.SUBMITTED, "fao_leader", lambda w, a, t: services.trip_review(actor=a, trip=t)),
        (TripState.REVIEWED, "fao_staff", lambda w, a, t: services.trip_approve(actor=a, trip=t)),
        (TripState.APPROVED, "fao_leader", lambda w, a, t: services.trip_depart(actor=a, trip=t, on=DEPART)),
        (
            TripState.RETURNED_HOME,
            "fao_staff",
            lambda w, a, t: services.trip_report(actor=a, trip=t, text="x"),
        ),
        (TripState.REPORTED, "unit_clerk", lambda w, a, t: services.trip_evaluate(actor=a, trip=t, score=1)),
        (TripState.EVALUATED, "unit_leader", lambda w, a, t: services.trip_close(actor=a, trip=t)),
        (
            TripState.APPROVED,
            "unit_leader",
            lambda w, a, t: services.trip_cancel(actor=a, trip=t, reason="x"),
        ),
    ],
)
def test_a_step_needs_its_role(world, state, role, call):
    trip = f.make_trip(world, state=state)
    with pytest.raises(NotAllowed):
        call(world, f.user(world, role), trip)
    assert Trip.objects.get(pk=trip.pk).state == state


def test_a_viewer_takes_no_step(world):
    viewer = f.user(world, "viewer", world.city_a)
    states_and_calls = [
        (TripState.DRAFT, lambda t: services.trip_sign_off(actor=viewer, trip=t)),
        (
            TripState.DRAFT,
            lambda t: services.trip_update(
                actor=viewer, trip=t, version=t.version, application=f.rebuild(world, t)
            ),
        ),
        (TripState.SIGNED_OFF, lambda t: services.trip_submit(actor=viewer, trip=t)),
        (TripState.SUBMITTED, lambda t: services.trip_review(actor=viewer, trip=t)),
        (TripState.SUBMITTED, lambda t: services.trip_return(actor=viewer, trip=t, fixes=[{"message": "x"}])),
        (TripState.REVIEWED, lambda t: services.trip_approve(actor=viewer, trip=t)),
        (TripState.REVIEWED, lambda t: services.trip_reject(actor=viewer, trip=t, reason="x")),
        (
            TripState.APPROVED,
            lambda t: services.trip_brief(
                actor=viewer, trip=t, on=DEPART, content="x", attendees=[t.members.first().person]
            ),
        ),
        (TripState.APPROVED, lambda t: services.trip_cancel(actor=viewer, trip=t, reason="x")),
        (TripState.BRIEFED, lambda t: services.trip_depart(actor=viewer, trip=t, on=DEPART)),
        (
            TripState.DEPARTED,
            lambda t: services.trip_come_back(actor=viewer, trip=t, records=f.come_back_records(t)),
        ),
        (TripState.RETURNED_HOME, lambda t: services.trip_report(actor=viewer, trip=t, text="x")),
        (TripState.REPORTED, lambda t: services.trip_evaluate(actor=viewer, trip=t, score=1)),
        (TripState.EVALUATED, lambda t: services.trip_close(actor=viewer, trip=t)),
    ]
    trip = f.make_trip(world)
    assert Trip.objects.restrict(viewer).filter(pk=trip.pk).exists()  # he sees it
    with pytest.raises(NotAllowed):
        services.trip_create(actor=viewer, application=f.application(world, plan=False))
    for state, call in states_and_calls:
        f.advance(world, trip, state)
        events = TripEvent.objects.filter(trip=trip).count()
        with pytest.raises(NotAllowed):
            call(trip)
        trip.refresh_from_db()
        assert trip.state == state
        assert TripEvent.objects.filter(trip=trip).count() == events


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction around the service
def test_a_refused_step_is_audited(world):
    trip = f.make_trip(world, state=TripState.SUBMITTED)
    actors = [f.user(world, "viewer"), f.staff(world, world.city_b)]
    for actor in actors:
        with pytest.raises(NotAllowed):
            services.trip_review(actor=actor, trip=trip)
    rows = AuditLog.objects.filter(action="access.denied").order_by("seq")
    assert [(r.user_id, r.result, r.object_id) for r in rows] == [
        (a.pk, "denied", str(trip.pk)) for a in actors
    ]
    assert Trip.objects.get(pk=trip.pk).state == TripState.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_a_refusal_by_the_unit_or_deciding_office_check_is_audited(world):
    draft = f.make_trip(world)
    reviewed = f.make_trip(world, state=TripState.REVIEWED)
    other_leader, other_boss = f.leader(world, world.unit_a2), f.approver(world, world.city_b)
    with pytest.raises(NotAllowed):
        services.trip_sign_off(actor=other_leader, trip=draft)
    with pytest.raises(NotAllowed):
        services.trip_approve(actor=other_boss, trip=reviewed)
    rows = AuditLog.objects.filter(action="access.denied").order_by("seq")
    assert [(r.user_id, r.object_id) for r in rows] == [
        (other_leader.pk, str(draft.pk)),
        (other_boss.pk, str(reviewed.pk)),
    ]
