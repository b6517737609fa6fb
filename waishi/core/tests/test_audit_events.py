"""The audit events (QUALITY.md Security 7 and 8): one catalogue of codes, compared with the code base both
ways; each event written exactly once when a user does the thing through a page or the API; the three
administrators' separate rights; audit rows that nobody changes or deletes."""

import ast
import importlib
import inspect
import io
import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import waishi
from waishi.core.audit import AuditEvent, audit, verify
from waishi.core.choices import AuditResult
from waishi.core.fields import EncryptedCharField
from waishi.core.generic import REGISTRY
from waishi.core.models import AuditLog, OfficeSetting
from waishi.core.testing.factories import PersonFactory, UserFactory, enrolled_device
from waishi.core.tests.test_registry import url_names
from waishi.directory.choices import Rank
from waishi.directory.models import Organization, Person
from waishi.partners.choices import PartnerLevel
from waishi.partners.models import Partnership
from waishi.partners.tests import factories as ptf
from waishi.passports import services as passport_services
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.tests import factories as pf
from waishi.travel.choices import TripState
from waishi.travel.models import PlanEntry, Trip
from waishi.travel.tests import factories as tf
from waishi.users.choices import ADMIN_ROLES, Role
from waishi.users.models import User
from waishi.users.roles import ROLE_PERMISSIONS

SOURCE = Path(waishi.__file__).parent


# --- the catalogue ---------------------------------------------------------------------------------------


class _Sites(ast.NodeVisitor):
    """Every ``audit(code, ...)`` call of one module, its code resolved to the values it can take."""

    def __init__(self, module: str, tree: ast.Module):
        self.module = importlib.import_module(module)
        self.name = module
        self.tree = tree
        self.functions: list[ast.FunctionDef] = []
        self.codes: dict[str, list[str]] = {}
        self.unresolved: list[str] = []

    def visit_FunctionDef(self, node):
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Call(self, node):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name == "audit" and (node.args or any(k.arg == "action" for k in node.keywords)):
            code = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "action")
            where = f"{self.name}:{node.lineno}"
            try:
                values = self.values(code)
            except LookupError as exc:
                self.unresolved.append(f"{where}: {exc}")
            else:
                for value in values:
                    self.codes.setdefault(value, []).append(where)
        self.generic_visit(node)

    def values(self, node) -> set[str]:
        """A literal, a constant (``AuditEvent.LOGIN``, ``MovementKind.LOST``) or an f-string whose parts are
        parameters of the enclosing function: then the values its callers in this module pass."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            value = getattr(getattr(self.module, node.value.id), node.attr)
            return {str(getattr(value, "value", value))}
        if isinstance(node, ast.JoinedStr) and self.functions:
            parts = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                    parts.append(self.passed(self.functions[-1], part.value.id))
                else:
                    parts.append(self.values(part))
            return {"".join(combination) for combination in itertools.product(*parts)}
        raise LookupError(f"cannot tell which code {ast.unparse(node)!r} is: write it as a literal")

    def passed(self, function: ast.FunctionDef, parameter: str) -> set[str]:
        positional = [a.arg for a in function.args.posonlyargs + function.args.args]
        keyword = positional + [a.arg for a in function.args.kwonlyargs]
        if parameter not in keyword:
            raise LookupError(f"{parameter} is not a parameter of {function.name}")
        found = set()
        for call in ast.walk(self.tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == function.name):
                continue
            given = {k.arg: k.value for k in call.keywords}
            if parameter in positional and positional.index(parameter) < len(call.args):
                given[parameter] = call.args[positional.index(parameter)]
            if parameter not in given:
                raise LookupError(
                    f"a call of {function.name} at line {call.lineno} does not pass {parameter}"
                )
            found |= self.values(given[parameter])
        if not found:
            raise LookupError(f"nothing calls {function.name}")
        return found


def emitted() -> tuple[dict[str, list[str]], list[str]]:
    """Every code the application (not its tests) writes, with where; and the calls whose code is unknown."""
    codes: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        if {"tests", "testing", "migrations"} & set(parts):
            continue
        text = path.read_text(encoding="utf-8")
        if "audit(" not in text:
            continue
        tree = ast.parse(text)
        sites = _Sites(".".join(parts), tree)
        sites.visit(tree)
        for code, where in sites.codes.items():
            codes.setdefault(code, []).extend(where)
        unresolved += sites.unresolved
    return codes, unresolved


def test_every_emitted_code_is_catalogued_and_every_catalogued_code_is_emitted():
    codes, unresolved = emitted()
    assert unresolved == []
    uncatalogued = {code: where for code, where in codes.items() if code not in AuditEvent.values}
    assert uncatalogued == {}, "add these codes to core.audit.AuditEvent"
    assert sorted(set(AuditEvent.values) - set(codes)) == [], "catalogued but never written"


def test_the_scan_sees_codes_built_from_parameters():
    codes, _unresolved = emitted()
    assert {"trip.submit", "trip.approve", "passport.check_out", "passport.lost"} <= set(codes)
    assert any(where.startswith("waishi.travel.services:") for where in codes["trip.review"])


def test_a_code_the_scan_cannot_read_is_reported():
    tree = ast.parse("def f(kind):\n    audit(kind.upper())\n")
    sites = _Sites("waishi.core.audit", tree)
    sites.visit(tree)
    assert len(sites.unresolved) == 1 and "write it as a literal" in sites.unresolved[0]


def test_every_event_has_its_own_label():
    labels = [str(label) for label in AuditEvent.labels]
    assert all(labels) and len(set(labels)) == len(labels)


# --- each event exactly once, as a user causes it ----------------------------------------------------------

IP = "10.20.30.40"
PASSWORD = "Waishi@2026"  # the factories' password


@dataclass
class Expect:
    """The audit row an action must leave: ``user`` acted (None: nobody signed in, or the command line,
    then ``username``); ``obj`` is the record concerned; ``also``: the other events the same action writes."""

    user: object = None
    obj: object = None
    result: str = AuditResult.SUCCESS
    username: str = ""
    ip: str | None = IP
    also: tuple[str, ...] = ()


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """One client for the pages and the API, calling from ``IP``."""
    return Client(REMOTE_ADDR=IP)


def ok(response, status=302):
    assert response.status_code == status, response.content.decode()[:2000]
    return response


# Each case prepares the world and signs in (its own audit rows do not count), then returns the action.


def login(world, browser):
    user = world.user("unit_clerk")

    def act():
        ok(browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}))
        return Expect(user=user)

    return act


def login_failed(world, browser):
    user = world.user("unit_clerk")

    def act():
        ok(browser.post(reverse("login"), {"username": user.username, "password": "wrong"}), 200)
        return Expect(username=user.username, result=AuditResult.FAILURE)

    return act


def lockout(world, browser, settings):
    user = world.user("unit_clerk")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser.post(reverse("login"), {"username": user.username, "password": "wrong"})

    def act():
        browser.post(reverse("login"), {"username": user.username, "password": "wrong"})
        return Expect(username=user.username, result=AuditResult.DENIED, also=("auth.login_failed",))

    return act


def logout(world, browser):
    user = world.user("unit_clerk")
    browser.force_login(user)

    def act():
        ok(browser.post(reverse("logout")))
        return Expect(user=user)

    return act


def password_change(world, browser):
    user = signed_in(browser, world.user("unit_clerk"))

    def act():
        data = {"old_password": PASSWORD, "new_password1": "Xin@mima2027", "new_password2": "Xin@mima2027"}
        ok(browser.post(reverse("users:password_change"), data))
        return Expect(user=user, obj=user)

    return act


def current_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def second_factor_failed(world, browser):
    """An FAO account after its password: a wrong code on the code page."""
    user = world.user("fao_staff")
    device = enrolled_device(user)
    ok(browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}))

    def act():
        wrong = f"{(int(current_code(device)) + 1) % 10**device.digits:0{device.digits}d}"
        ok(browser.post(reverse("users:second_factor"), {"code": wrong}), 200)
        return Expect(user=user, result=AuditResult.FAILURE)

    return act


def second_factor_enrol(world, browser):
    """An FAO account's first login: the enrolment page's key confirmed by its first code."""
    user = world.user("fao_staff")
    ok(browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}))
    ok(browser.get(reverse("users:second_factor_enrol")), 200)

    def act():
        device = TOTPDevice(key=browser.session["second_factor_key"])  # the key the page showed
        ok(browser.post(reverse("users:second_factor_enrol"), {"code": current_code(device)}))
        return Expect(user=user, obj=user)

    return act


def second_factor_reset(world, browser):
    target = world.user("fao_staff")
    enrolled_device(target)
    admin = signed_in(browser, world.user("security_admin", world.province))

    def act():
        ok(browser.post(reverse("users:second_factor_reset", args=[target.pk])))
        assert not TOTPDevice.objects.filter(user=target).exists()
        return Expect(user=admin, obj=target)

    return act


def signed_in(browser, user):
    browser.force_login(user)
    return user


def user_form(target, **changes):
    return {"username": target.username, "organization": target.organization_id, "is_active": "on"} | changes


def roles_change(world, browser):
    target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
    admin = signed_in(browser, world.user("security_admin", world.province))

    def act():
        ok(browser.post(reverse("users:user_roles", args=[target.pk]), {"roles": ["unit_clerk"]}))
        return Expect(user=admin, obj=target)

    return act


def disable(world, browser):
    target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
    admin = signed_in(browser, world.user("system_admin", world.province))

    def act():
        data = user_form(target)
        del data["is_active"]
        ok(browser.post(reverse("users:user_edit", args=[target.pk]), data))
        return Expect(user=admin, obj=target)

    return act


def user_create(world, browser):
    admin = signed_in(browser, world.user("system_admin", world.province))

    def act():
        data = {
            "username": "newcomer",
            "organization": world.unit_a.pk,
            "is_active": "on",
            "password": "Qiang@2026x",
        }
        ok(browser.post(reverse("users:user_add"), data))
        return Expect(user=admin, obj=User.objects.get(username="newcomer"))

    return act


def reveal_person(field):
    def prepare(world, browser):
        person = PersonFactory(organization=world.unit_a)
        staff = signed_in(browser, world.user("fao_staff"))

        def act():
            url = reverse("directory:person_reveal", args=[person.pk, field])
            assert (
                getattr(person, field) in ok(browser.post(url, {"reason": "办理护照"}), 200).content.decode()
            )
            return Expect(user=staff, obj=person)

        return act

    return prepare


def reveal_document(world, browser):
    document = pf.register(world, PersonFactory(organization=world.unit_a))
    officer = signed_in(browser, pf.officer(world))

    def act():
        url = reverse("passports:traveldocument_reveal", args=[document.pk, "number"])
        assert document.number in ok(browser.post(url, {"reason": "办理签证"}), 200).content.decode()
        return Expect(user=officer, obj=document)

    return act


def export(world, browser):
    PersonFactory(organization=world.unit_a)
    staff = signed_in(browser, world.user("fao_staff"))

    def act():
        response = ok(browser.get(reverse("directory:person_export")), 200)
        b"".join(response.streaming_content if response.streaming else [response.content])
        return Expect(user=staff)

    return act


def data_import(world, browser):
    from waishi.core.tests.test_excel import FIELDS, good_rows, labels, upload, xlsx

    staff = signed_in(browser, world.user("fao_staff"))
    header = [labels("zh-hans")[name] for name in FIELDS]

    def act():
        ok(browser.post(reverse("directory:person_import"), {"file": upload(xlsx(header, good_rows(world)))}))
        assert Person.objects.count() == 3
        return Expect(user=staff)

    return act


def config_change(world, browser):
    leader = signed_in(browser, world.user("fao_leader"))

    def act():
        data = {"office": world.city_a.pk, "key": "travel.members.max", "value": "8"}
        ok(browser.post(reverse("core:settings"), data))
        return Expect(user=leader, obj=OfficeSetting.objects.get())

    return act


def denied_page(route, role="system_admin"):
    def prepare(world, browser):
        user = signed_in(browser, world.user(role, world.province))

        def act():
            ok(browser.get(reverse(route)), 403)
            return Expect(user=user, result=AuditResult.DENIED)

        return act

    return prepare


def denied_api(world, browser):
    user = signed_in(browser, world.user("system_admin", world.province))

    def act():
        ok(browser.get(reverse("api:person-list")), 403)
        return Expect(user=user, result=AuditResult.DENIED)

    return act


def denied_step(world, browser):
    """A reviewer of the deciding office who may not approve: the service refuses (its own audit row)."""
    trip = tf.make_trip(world, state=TripState.REVIEWED)
    staff = signed_in(browser, tf.staff(world))

    def act():
        ok(browser.post(reverse("travel:trip_step", args=[trip.pk, "approve"]), {"opinion": "同意"}))
        assert Trip.objects.get(pk=trip.pk).state == TripState.REVIEWED
        return Expect(user=staff, obj=trip, result=AuditResult.DENIED)

    return act


def trip_create(world, browser):
    clerk = signed_in(browser, tf.clerk(world))
    head, member = PersonFactory(organization=world.unit_a), PersonFactory(organization=world.unit_a)

    def act():
        body = {
            "applicant_unit": world.unit_a.pk,
            "category": "abroad",
            "mission": "赴日本东京开展经贸交流",
            "depart_date": "2026-06-15",
            "return_date": "2026-06-19",
            "inviter": {"name": "东京都产业劳动局", "country": "JP", "kind": "government"},
            "members": [{"person": head.pk, "role": "head"}, {"person": member.pk, "role": "member"}],
            "legs": [{"country": "JP", "city": "东京", "arrive": "2026-06-15", "depart": "2026-06-19"}],
            "budget": [{"kind": "lodging", "currency": "JPY", "amount": "80000"}],
        }
        response = ok(browser.post(reverse("api:trip-list"), body, content_type="application/json"), 201)
        return Expect(user=clerk, obj=Trip.objects.get(pk=response.json()["id"]))

    return act


def fixes(trip):
    return {
        "fixes-TOTAL_FORMS": "1",
        "fixes-INITIAL_FORMS": "0",
        "fixes-0-field": "mission",
        "fixes-0-message": "任务不明确",
    }


def members(trip):
    return [m.person_id for m in trip.members.order_by("order")]


def come_back(late_days=0):
    def data(trip):
        entry = trip.return_date + timedelta(days=late_days)
        return {
            key: value
            for pid in members(trip)
            for key, value in ((f"exit_{pid}", trip.depart_date), (f"entry_{pid}", entry))
        }

    return data


def briefing(attendees):
    def data(trip):
        return {
            "date": trip.depart_date - timedelta(days=3),
            "content": "外事纪律与安全教育",
            "attendees": members(trip)[:attendees],
        }

    return data


def step(name, state, actor, data=lambda trip: {}, to=None, senior=False, also=()):
    """The application page's button ``name`` pressed by ``actor(world, trip)`` on a trip in ``state``."""

    def prepare(world, browser):
        people = [tf.person(world.unit_a, rank=Rank.BUREAU, position="局长")] if senior else 2
        trip = tf.make_trip(world, members=people, state=state)
        user = signed_in(browser, actor(world, trip))

        def act():
            ok(browser.post(reverse("travel:trip_step", args=[trip.pk, name]), data(trip)))
            assert to is None or Trip.objects.get(pk=trip.pk).state == to
            return Expect(user=user, obj=trip, also=also)

        return act

    return prepare


def unit_leader(world, trip):
    return tf.leader(world, trip.applicant_unit)


def unit_clerk(world, trip):
    return tf.clerk(world, trip.applicant_unit)


def office_staff(world, trip):
    return tf.staff(world, trip.office)


def deciding_leader(world, trip):
    return tf.approver(world, trip.deciding_office)


def movement(name, prepare_document, data):
    """The document page's movement ``name`` recorded by the passport officer."""

    def prepare(world, browser):
        holder = PersonFactory(organization=world.unit_a)
        document, trip = prepare_document(world, holder)
        officer = signed_in(browser, pf.officer(world))

        def act():
            url = reverse("passports:traveldocument_move", args=[document.pk, name])
            ok(
                browser.post(
                    url,
                    {"date": pf.today(), "handed_over_by": "保管员", "received_by": holder.name} | data(trip),
                )
            )
            assert CustodyMovement.objects.filter(document=document).count() >= 2
            return Expect(user=officer, obj=document)

        return act

    return prepare


def in_custody(world, holder):
    return pf.register(world, holder), pf.trip([holder])


def checked_out(world, holder):
    document, trip = in_custody(world, holder)
    return pf.check_out(world, document, trip, on=pf.today()), trip


def lost(world, holder):
    document, trip = in_custody(world, holder)
    return (
        passport_services.document_report_lost(
            actor=pf.officer(world),
            document=document,
            on=pf.today(),
            note="遗失",
            reported_by="本人",
            received_by="保管员",
        ),
        trip,
    )


def register(world, browser):
    holder = PersonFactory(organization=world.unit_a)
    officer = signed_in(browser, pf.officer(world))

    def act():
        data = {
            "person": holder.pk,
            "kind": "service",
            "number": "SE7654321",
            "issued": "2022-01-01",
            "expires": "2032-01-01",
            "custodian": world.city_a.pk,
            "handed_over_by": holder.name,
            "received_by": "保管员",
            "date": pf.today(),
        }
        ok(browser.post(reverse("passports:traveldocument_add"), data))
        return Expect(user=officer, obj=TravelDocument.objects.get(person=holder))

    return act


def partnership_create(world, browser):
    city = ptf.city("JP", "Seto", "濑户")
    staff = signed_in(browser, world.user("fao_staff"))

    def act():
        data = {"office": world.city_a.pk, "city": city.pk, "level": "intent", "signed_on": "2023-09-19"}
        ok(browser.post(reverse("partners:partnership_add"), data))
        return Expect(user=staff, obj=Partnership.objects.get(city=city))

    return act


def partnership_action(action, data, level=PartnerLevel.SISTER):
    def prepare(world, browser):
        partnership = ptf.partnership(world.city_a, level=level)
        staff = signed_in(browser, world.user("fao_staff"))

        def act():
            url = reverse("partners:partnership_action", args=[partnership.pk, action])
            ok(browser.post(url, data | {"_version": partnership.version}))
            return Expect(user=staff, obj=partnership)

        return act

    return prepare


def token_create(world, browser):
    """No page: an API token is made on the server's command line."""
    user = world.user("fao_staff")

    def act():
        call_command("api_token", user.username, stdout=io.StringIO())
        return Expect(obj=user, username="manage.py", ip=None)

    return act


def audit_purge(world, browser, settings):
    """No page: old rows are purged on the server's command line."""
    long_ago = timezone.now() - timedelta(days=settings.WAISHI_AUDIT_MIN_RETENTION_DAYS + 30)
    with mock.patch("waishi.core.audit.timezone.now", return_value=long_ago):
        audit("auth.logout")

    def act():
        call_command(
            "purge_audit", "--older-than", str(settings.WAISHI_AUDIT_MIN_RETENTION_DAYS), stdout=io.StringIO()
        )
        return Expect(ip=None)

    return act


EVENTS = [
    ("auth.login", login),
    ("auth.login_failed", login_failed),
    ("auth.lockout", lockout),
    ("auth.logout", logout),
    ("auth.token_create", token_create),
    ("auth.second_factor_failed", second_factor_failed),
    ("auth.second_factor_enrol", second_factor_enrol),
    ("auth.second_factor_reset", second_factor_reset),
    ("password.change", password_change),
    ("user.create", user_create),
    ("user.roles_change", roles_change),
    ("user.disable", disable),
    ("personal_data.reveal", reveal_person("id_number")),
    ("personal_data.reveal", reveal_person("phone")),
    ("personal_data.reveal", reveal_document),
    ("data.export", export),
    ("data.import", data_import),
    ("config.change", config_change),
    ("access.denied", denied_page("directory:person_list")),
    ("access.denied", denied_page("passports:custody")),
    ("access.denied", denied_page("core:auditlog_list", "security_admin")),
    ("access.denied", denied_api),
    ("access.denied", denied_step),
    ("audit.purge", audit_purge),
    ("trip.create", trip_create),
    (
        "trip.sign_off",
        step("sign_off", TripState.DRAFT, unit_leader, lambda t: {"opinion": "同意"}, TripState.SIGNED_OFF),
    ),
    ("trip.submit", step("submit", TripState.SIGNED_OFF, unit_clerk, to=TripState.SUBMITTED)),
    ("trip.return", step("return", TripState.SUBMITTED, office_staff, fixes, TripState.RETURNED)),
    ("trip.review", step("review", TripState.SUBMITTED, office_staff, to=TripState.REVIEWED)),
    ("trip.review", step("review", TripState.SUBMITTED, office_staff, to=TripState.ESCALATED, senior=True)),
    ("trip.approve", step("approve", TripState.REVIEWED, deciding_leader, to=TripState.APPROVED)),
    (
        "trip.reject",
        step(
            "reject", TripState.REVIEWED, deciding_leader, lambda t: {"reason": "不必要"}, TripState.REJECTED
        ),
    ),
    (
        "trip.cancel",
        step("cancel", TripState.APPROVED, unit_clerk, lambda t: {"reason": "任务取消"}, TripState.CANCELLED),
    ),
    ("trip.brief", step("brief", TripState.APPROVED, office_staff, briefing(2), TripState.BRIEFED)),
    (
        "trip.brief_incomplete",
        step("brief", TripState.APPROVED, office_staff, briefing(1), also=("trip.brief",)),
    ),
    (
        "trip.depart",
        step(
            "depart", TripState.BRIEFED, office_staff, lambda t: {"date": t.depart_date}, TripState.DEPARTED
        ),
    ),
    (
        "trip.come_back",
        step("come_back", TripState.DEPARTED, office_staff, come_back(), TripState.RETURNED_HOME),
    ),
    (
        "trip.border_flags",
        step("come_back", TripState.DEPARTED, office_staff, come_back(2), also=("trip.come_back",)),
    ),
    (
        "trip.report",
        step(
            "report", TripState.RETURNED_HOME, unit_clerk, lambda t: {"text": "出访报告"}, TripState.REPORTED
        ),
    ),
    (
        "trip.evaluate",
        step("evaluate", TripState.REPORTED, office_staff, lambda t: {"score": 90}, TripState.EVALUATED),
    ),
    ("trip.close", step("close", TripState.EVALUATED, office_staff, to=TripState.CLOSED)),
    ("passport.deposit", register),
    ("passport.check_out", movement("check_out", in_custody, lambda trip: {"trip": trip.pk})),
    ("passport.return", movement("return", checked_out, lambda trip: {})),
    ("passport.lost", movement("report_lost", checked_out, lambda trip: {"note": "在机场遗失"})),
    ("passport.deposit", movement("deposit", lost, lambda trip: {})),
    ("passport.cancel", movement("cancel", in_custody, lambda trip: {"note": "持证人调离"})),
    ("partnership.create", partnership_create),
    (
        "partnership.change_level",
        partnership_action("level", {"level-level": "friendly", "level-date": "2021-11-10"}),
    ),
    (
        "partnership.approval",
        partnership_action(
            "approval",
            {
                "approval-stage": "government",
                "approval-date": "2024-03-01",
                "approval-reference": "景府字〔2024〕8号",
            },
            PartnerLevel.FRIENDLY,
        ),
    ),
]


def case_ids(events) -> list[str]:
    """The event's code; a second case of the same event gets ``-2``, and so on."""
    seen = Counter()
    ids = []
    for event, _prepare in events:
        seen[event] += 1
        ids.append(event if seen[event] == 1 else f"{event}-{seen[event]}")
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "prepare"), EVENTS, ids=case_ids(EVENTS))
def test_the_action_leaves_exactly_one_row_of_its_event(event, prepare, world, browser, settings):
    parameters = inspect.signature(prepare).parameters
    act = prepare(world, browser, settings) if "settings" in parameters else prepare(world, browser)
    last = AuditLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    expect = act()
    rows = list(AuditLog.objects.filter(seq__gt=last).order_by("seq"))
    assert Counter(r.action for r in rows) == Counter([event, *expect.also])
    row = next(r for r in rows if r.action == event)
    assert timezone.is_aware(row.at) and abs((timezone.now() - row.at).total_seconds()) < 60
    assert row.ip == expect.ip
    assert (row.user_id, row.username) == (
        (expect.user.pk, expect.user.username) if expect.user else (None, expect.username)
    )
    obj = expect.obj
    assert (row.object_type, row.object_id) == (
        (obj._meta.label_lower, str(obj.pk)) if obj is not None else ("", "")
    )
    assert row.result == expect.result
    assert bool(row.request_id) == (expect.ip is not None)
    assert verify().ok


# --- Security 7: three administrators, none reading business or personal data ------------------------------

ADMINS = sorted(ADMIN_ROLES)
BUSINESS = {
    "directory.person",
    "travel.trip",
    "travel.planentry",
    "passports.traveldocument",
    "partners.partnership",
    "partners.partnerexchange",
    "partners.target",
}
SECRETS = (
    "欧阳保密",
    "13912345678",
    "SE7777777",
    "保密任务甲乙丙",
    "保密备注",
    "保密交流纪要",
    "保密计划",
)


def business_records(world) -> dict:
    """One record of every business model, each carrying one of ``SECRETS``; by model label."""
    person = PersonFactory(organization=world.unit_a, name="欧阳保密", phone="13912345678")
    document = pf.register(world, person, number="SE7777777")
    trip = pf.trip([person])
    Trip.objects.filter(pk=trip.pk).update(mission="保密任务甲乙丙")
    partnership = ptf.partnership(world.city_a)
    Partnership.objects.filter(pk=partnership.pk).update(note="保密备注")
    exchange = ptf.exchange(partnership, date(2024, 5, 6), summary="保密交流纪要")
    plan = PlanEntry.objects.create(unit=world.unit_a, year=2026, title="保密计划")
    target = ptf.target(world.city_a, "partnerships", 10, date(2024, 1, 1), date(2027, 12, 31))
    records = [person, document, trip, partnership, exchange, plan, target]
    return {r._meta.label_lower: r for r in records}


def business_views():
    get_resolver().url_patterns  # noqa: B018  (imports every views module, which registers its ModelViews)
    return [views for views in REGISTRY if views.model._meta.label_lower in BUSINESS]


def api_lists() -> dict[str, str]:
    """Model label → API basename, for every API list."""
    found = {}
    for name in url_names(get_resolver().url_patterns):
        if name.startswith("api:") and name.endswith("-list"):
            view = resolve(reverse(name)).func
            queryset = getattr(getattr(view, "cls", None), "queryset", None)
            if queryset is not None:
                found[queryset.model._meta.label_lower] = name.removeprefix("api:").removesuffix("-list")
    return found


def test_every_business_model_is_covered():
    assert {views.model._meta.label_lower for views in business_views()} == BUSINESS
    assert set(api_lists()) >= BUSINESS - {"partners.target"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ADMINS)
def test_no_administrator_opens_a_business_list_record_export_or_api(client, world, role):
    records = business_records(world)
    client.force_login(world.user(role, world.province))
    refused = []
    for views in business_views():
        obj = records[views.model._meta.label_lower]
        urls = [
            reverse(views.url_name("list")),
            reverse(views.url_name("export")),
            reverse(views.url_name(), args=[obj.pk]),
        ]
        refused += [(url, client.get(url).status_code) for url in urls]
        for field in obj._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                url = reverse(views.url_name("reveal"), args=[obj.pk, field.name])
                refused.append((url, client.post(url, {"reason": "审计"}).status_code))
    for label, basename in api_lists().items():
        if label in BUSINESS:
            obj = records[label]
            for url in (reverse(f"api:{basename}-list"), reverse(f"api:{basename}-detail", args=[obj.pk])):
                refused.append((url, client.get(url).status_code))
    assert [(url, status) for url, status in refused if status not in (403, 404)] == []
    assert not AuditLog.objects.filter(action="personal_data.reveal").exists()


def no_argument_pages() -> list[str]:
    skipped = {"logout", "set_language", "login"}
    names = []
    for name in sorted(url_names(get_resolver().url_patterns)):
        if name in skipped:
            continue
        try:
            names.append(reverse(name))
        except (NoReverseMatch, ValueError):  # arguments needed, or a pattern no URL fits
            continue
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("role", ADMINS)
def test_no_page_shows_an_administrator_business_or_personal_data(client, world, role):
    """Every page without arguments (home, search, dashboards, statistics, lists, the API's lists) and the
    search for each secret: none shows any of them. The audit and change logs are left out: they name the
    records that events concern (see docs/security.md)."""
    records = business_records(world)
    client.force_login(world.user(role, world.province))
    urls = [
        u
        for u in no_argument_pages()
        if u not in {reverse("core:auditlog_list"), reverse("core:changelog_list")}
    ]
    urls += [f"{reverse('search')}?q={secret[:-2]}" for secret in SECRETS]  # the box repeats what is asked
    urls += [f"{reverse('api:person-list')}?q={records['directory.person'].name[:-2]}"]
    shown = []
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        shown += [(url, secret) for secret in SECRETS if secret in text]
    assert shown == []
    assert len(urls) > 30


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
def test_only_the_audit_administrator_reads_the_audit_log(client, world, role):
    client.force_login(world.user(role))
    status = client.get(reverse("core:auditlog_list")).status_code
    assert status == (200 if role == Role.AUDIT_ADMIN else 403)


# Each administrator's own powers: what the other two may not do (MLPS separation of duties).
POWERS = {
    Role.SYSTEM_ADMIN: ["users:user_add", "core:workdayoverride_add", "directory:organization_add"],
    Role.SECURITY_ADMIN: ["assign_roles", "reset_second_factor"],
    Role.AUDIT_ADMIN: ["core:auditlog_list", "core:changelog_list"],
}


def may(client, world, power) -> bool:
    """Whether the signed-in user can use ``power``: open its page, change roles, reset a second factor."""
    if power == "assign_roles":
        target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
        client.post(reverse("users:user_roles", args=[target.pk]), {"roles": ["unit_clerk"]})
        return target.role_codes == {"unit_clerk"}
    if power == "reset_second_factor":
        target = world.user("fao_staff")
        enrolled_device(target)
        client.post(reverse("users:second_factor_reset", args=[target.pk]))
        return not TOTPDevice.objects.filter(user=target).exists()
    return client.get(reverse(power)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("owner", "power"), [(o, p) for o, powers in POWERS.items() for p in powers])
@pytest.mark.parametrize("role", ADMINS)
def test_each_administrator_power_belongs_to_one_administrator(client, world, owner, power, role):
    client.force_login(world.user(role, world.province))
    assert may(client, world, power) == (role == owner)


def test_the_administrators_rights_overlap_only_in_reading_accounts():
    """The write rights of the three are disjoint: the system administrator keeps accounts, the security
    administrator grants roles and resets second factors; both read the account list to do so, and the audit
    administrator shares nothing."""
    rights = {role: ROLE_PERMISSIONS[role] for role in ADMINS}
    assert rights[Role.AUDIT_ADMIN] & (rights[Role.SYSTEM_ADMIN] | rights[Role.SECURITY_ADMIN]) == set()
    assert rights[Role.SYSTEM_ADMIN] & rights[Role.SECURITY_ADMIN] == {
        "directory.view_organization",
        "users.view_user",
    }


# --- Security 8: nobody changes or deletes an audit row -----------------------------------------------------


def audit_routes() -> list[str]:
    """URL names whose view reads or writes the audit log."""
    names = []
    for name in url_names(get_resolver().url_patterns):
        try:
            match = resolve(reverse(name))
        except (NoReverseMatch, ValueError):  # arguments needed, or a pattern no URL fits
            match = None
        view = match.func if match else None
        cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
        model = getattr(getattr(cls, "queryset", None), "model", None)
        config = (getattr(view, "view_initkwargs", None) or {}).get("config")
        if (
            AuditLog in {model, getattr(config, "model", None)}
            or getattr(view, "__name__", "") == "audit_log"
        ):
            names.append(name)
    return names


def test_the_only_route_to_the_audit_log_is_its_page():
    assert audit_routes() == ["core:auditlog_list"]


def chain_rows():
    return list(AuditLog.objects.order_by("seq").values_list("seq", "hash", "action", "detail"))


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_log_page_answers_get_only_and_no_api_changes_a_row(client, world, method):
    client.force_login(world.user("audit_admin", world.province))
    audit("auth.logout", detail={"marker": 1})
    before = chain_rows()
    assert getattr(client, method)(reverse("core:auditlog_list"), {"seq": before[0][0]}).status_code == 405
    seq = before[0][0]
    for basename in sorted(set(api_lists().values())):
        getattr(client, method)(
            reverse(f"api:{basename}-list"), {"seq": seq}, content_type="application/json"
        )
        getattr(client, method)(
            reverse(f"api:{basename}-detail", args=[seq]), {}, content_type="application/json"
        )
    assert chain_rows()[: len(before)] == before
    assert verify().ok


def test_a_stored_row_is_neither_saved_again_nor_deleted(db):
    row = AuditLog.objects.get(pk=audit("auth.logout").pk)
    row.result = AuditResult.FAILURE
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    assert AuditLog.objects.get(pk=row.pk).result == AuditResult.SUCCESS


# --- no superuser: the first administrators come from the command line --------------------------------------


def bootstrap(username, password, roles, *extra):
    call_command(
        "create_user", "--username", username, "--password", password, "--org", "prov-fao", "--roles", roles,
        *extra, stdout=io.StringIO(),
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short1A", "password123", "12345678", "alllowercaseletters"])
def test_the_bootstrap_refuses_a_weak_password_and_leaves_nothing(password):
    with pytest.raises(CommandError):
        bootstrap("sysadmin", password, "system_admin", "--create-org", "省外办")
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_new_installation_gets_its_administrators_without_a_superuser(client):
    bootstrap("sysadmin", "Qiang@2026x", "system_admin", "--create-org", "省人民政府外事办公室")
    bootstrap("secadmin", "Qiang@2026y", "security_admin")
    bootstrap("auditor", "Qiang@2026z", "audit_admin")
    office = Organization.objects.get()
    assert (office.code, office.kind, office.level, office.parent) == ("prov-fao", "fao", "province", None)
    assert {u.username: u.role_codes for u in User.objects.all()} == {
        "sysadmin": {"system_admin"},
        "secadmin": {"security_admin"},
        "auditor": {"audit_admin"},
    }
    assert not User.objects.filter(is_superuser=True).exists()
    with pytest.raises(CommandError):
        bootstrap("other", "Qiang@2026w", "system_admin", "--create-org", "另一个外办")
    client.post(reverse("login"), {"username": "sysadmin", "password": "Qiang@2026x"})
    assert client.get("/", follow=True).redirect_chain[-1][0].startswith(reverse("users:second_factor_enrol"))
    assert AuditLog.objects.filter(action="user.create", username="manage.py").count() == 3


@pytest.mark.django_db
def test_the_audit_log_page_shows_each_event_by_its_label(client, world):
    from django.conf import settings

    audit("trip.approve", obj=world.unit_a)
    client.force_login(world.user("audit_admin", world.province))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("core:auditlog_list")).content.decode()
    assert '<span title="trip.approve">Trip approved</span>' in page
