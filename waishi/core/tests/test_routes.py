"""Every route of the URLconf × every role (QUALITY.md Security 6, 10 and 11).

The URLconf is walked and every route must be declared here: the pages every registered model gets
(``GENERIC``, records made by the model's ModelViewTests subclass), the API's lists and records (records
made by the ApiTests subclasses) and every other route in ``ROUTES``. A route added without its
declaration fails ``test_every_route_is_declared``.

For each declared route and each role (anonymous, every role of ``Role``, and every role seated in
another unit or office) one test checks: anonymous is sent to the login page (401 from the API); a
role with the permission gets the page; a role without it 403 or 404, never 500; records, list rows
and export rows of unit B never reach a user of unit A (404 for the record, also on POST); the
security headers are on every answer; and no GET changes a business row.
"""

import io
import logging
import re
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpResponseForbidden
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from django.utils.http import urlencode
from openpyxl import load_workbook

from waishi.conftest import build_world
from waishi.core.fields import EncryptedCharField
from waishi.core.models import Attachment, AuditAnchor, AuditHead, AuditLog, Notification
from waishi.core.navigation import menus_for
from waishi.core.testing.data import module_data
from waishi.core.testing.views import API_TESTS, VIEW_TESTS
from waishi.core.tests.test_registry import collected_by_pytest, import_test_modules
from waishi.partners.choices import ContactSide
from waishi.partners.models import Contact
from waishi.passports.choices import MovementKind
from waishi.passports.forms import TravelDocumentForm
from waishi.passports.models import CustodyMovement
from waishi.users.choices import Role
from waishi.users.models import User
from waishi.users.roles import ROLE_PERMISSIONS

import_test_modules()

ANONYMOUS = "anonymous"
OTHER = "other"  # every role, seated in another unit (unit roles) or another office, on unit A's records
ROLES = [ANONYMOUS, *Role.values, OTHER]

# What a route is.
PUBLIC = "public"  # open without a login: the login page, the language switch
PAGE = "page"  # a page without a record
OBJECT = "object"  # a page of one record
LIST = "list"  # a list of records (its rows are checked)
EXPORT = "export"  # a list as .xlsx (its rows are checked)
API = "api"  # an API answer without a record
API_OBJECT = "api object"  # an API answer about one record
API_LIST = "api list"  # an API list (its rows are checked)


@dataclass(frozen=True)
class Route:
    kind: str
    perm: str | None = None  # the permission that opens it; None: every signed-in user
    record: str = ""  # the record of an object route: a key of Side.records
    kwargs: dict = field(default_factory=dict)  # the route's other arguments
    status: int = 200  # what a permitted user gets on GET (302: the page redirects, 405: POST only)
    # The roles that get it, when the permission alone does not decide (e.g. office pages).
    roles: frozenset | None = None
    # The URL arguments from the side's records and the asking role; by default the record's pk.
    args: Callable | None = None
    # The query string from the side's records (a page or API answer about the side's office, a search for
    # the side's record) and what of the side the answer shows: another side asking must not see it.
    query: Callable | None = None
    secret: Callable | None = None
    rows: str = ""  # a list, export or API list: the key of the record whose rows it shows
    path: str = ""  # a pattern without a name: an address it answers

    def url(self, name, side, role) -> str:
        if self.path:
            return self.path
        if self.args is not None:
            url = reverse(name, kwargs=self.args(side, role))
        elif self.record:
            url = reverse(name, kwargs={"pk": side.records[self.record].pk, **self.kwargs})
        else:
            url = reverse(name, kwargs=self.kwargs or None)
        return f"{url}?{urlencode(self.query(side))}" if self.query else url

    def permitted(self, role) -> bool:
        if self.record in SEEN_BY and role not in SEEN_BY[self.record]:
            return False
        if self.roles is not None:
            return role in self.roles
        return self.perm is None or self.perm in ROLE_PERMISSIONS[role]


OFFICE_ROLES = frozenset({Role.FAO_STAFF, Role.FAO_LEADER, Role.PASSPORT_OFFICER, Role.VIEWER})
# Records that a role holding the permission still does not see from its seat: an organization of
# office A is outside a unit's subtree (a unit sees itself and what is below it).
SEEN_BY = {
    "directory.organization": frozenset(Role.values) - {Role.UNIT_CLERK, Role.UNIT_LEADER},
    "api:organization": frozenset(Role.values) - {Role.UNIT_CLERK, Role.UNIT_LEADER},
}

# The pages of every registered model (generic.ModelViews.urls()): action → (kind, permission, GET status).
GENERIC = {
    "list": (LIST, "view", 200),
    "export": (EXPORT, "view", 200),
    "add": (PAGE, "add", 200),
    "": (OBJECT, "view", 200),
    "edit": (OBJECT, "change", 200),
    "changelog": (OBJECT, "view", 200),
    "journal": (OBJECT, "view", 302),
    "attachments": (OBJECT, "view", 302),
    "reveal": (OBJECT, "view", 405),
    "delete": (OBJECT, "delete", 200),
    "import": (PAGE, "add", 200),
    "import_template": (PAGE, "add", 200),
}
GENERIC_KWARGS = {"reveal": {"field": "id_number"}}


def office_query(side):
    return {"office": side.office.pk}


def office_name(side):
    return side.office.name


def _trip_action(status=405):
    return Route(API_OBJECT, "travel.view_trip", "api:trip", status=status)


def _document_action():
    return Route(API_OBJECT, "passports.view_traveldocument", "api:traveldocument", status=405)


# Every route that is not a generic page of a registered model nor an API list or record.
ROUTES: dict[str, Route] = {
    "login": Route(PUBLIC),
    "logout": Route(PAGE, status=405),  # POST only; anonymous is sent to the login page
    "set_language": Route(PUBLIC, status=302),
    "home": Route(PAGE),
    "work_queue": Route(PAGE),
    "search": Route(
        PAGE,
        query=lambda side: {"q": side.texts["directory.person"]},
        secret=lambda side: side.records["directory.person"].get_absolute_url(),
    ),
    "notifications": Route(PAGE),
    "core:record_choices": Route(
        PAGE,
        kwargs={"source": TravelDocumentForm.search_key, "field": "person"},
        query=lambda side: {"q": side.texts["directory.person"]},
        secret=lambda side: side.texts["directory.person"],
    ),
    "notifications_read": Route(PAGE, status=405),
    "notification_open": Route(
        OBJECT, status=405, args=lambda side, role: {"pk": side.notifications[role].pk}
    ),
    "core:auditlog_list": Route(PAGE, "core.view_auditlog"),
    "core:changelog_list": Route(PAGE, "core.view_changelog"),
    "core:settings": Route(PAGE, "core.view_officesetting"),
    "core:attachment_download": Route(OBJECT, "directory.view_person", "attachment"),
    "travel:trip_step": Route(OBJECT, "travel.view_trip", "travel.trip", {"step": "submit"}, status=302),
    "travel:trip_document": Route(
        OBJECT, "travel.view_trip", "travel.trip", {"document": "budget-form", "fmt": "print"}
    ),
    "passports:custody": Route(PAGE, "passports.view_traveldocument"),
    "passports:figures": Route(PAGE, "passports.view_traveldocument"),
    "passports:receipt": Route(OBJECT, "passports.view_traveldocument", "movement"),
    "passports:traveldocument_move": Route(
        OBJECT,
        "passports.view_traveldocument",
        "passports.traveldocument",
        {"movement": "check_out"},
        status=302,
    ),
    "partners:map": Route(PAGE, "partners.view_partnership"),
    "partners:three_batches": Route(PAGE, "partners.view_partnership"),
    "partners:targets": Route(PAGE, "partners.view_target"),
    "partners:partnership_contact_delete": Route(
        OBJECT,
        "partners.view_partnership",
        status=302,
        args=lambda side, role: {
            "pk": side.records["partners.partnership"].pk,
            "contact_pk": side.records["contact"].pk,
        },
    ),
    "partners:partnership_contact_reveal": Route(
        OBJECT,
        "partners.view_partnership",
        status=405,  # POST only
        args=lambda side, role: {
            "pk": side.records["partners.partnership"].pk,
            "contact_pk": side.records["contact"].pk,
        },
    ),
    "partners:partnership_action": Route(
        OBJECT, "partners.view_partnership", "partners.partnership", {"action": "level"}, status=302
    ),
    "stats:dashboard": Route(PAGE, roles=OFFICE_ROLES, query=office_query, secret=office_name),
    "stats:annual_report": Route(
        PAGE, roles=OFFICE_ROLES, kwargs={"fmt": "xlsx"}, query=office_query, secret=office_name
    ),
    "api:stats": Route(API_OBJECT, roles=OFFICE_ROLES, query=lambda side: {"office": side.office.code}),
    "users:second_factor": Route(PAGE, status=302),  # a verified session is sent on
    "users:second_factor_enrol": Route(PAGE, status=302),
    "users:password_change": Route(PAGE),
    "users:second_factor_reset": Route(OBJECT, "users.view_user", "users.user", status=405),
    "users:user_roles": Route(OBJECT, "users.assign_roles", "users.user"),
    "api:schema": Route(API),
    "api:docs": Route(API),
    # Any other API address ending in a slash: the API's JSON 404 (401 to an anonymous caller).
    r"<unnamed api/v1/^[\s\S]*/\Z>": Route(API, status=404, path="/api/v1/no-such-address/"),
    "api:trip-checks": _trip_action(status=200),
    **{
        f"api:trip-{step}": _trip_action()
        for step in (
            "approve",
            "brief",
            "cancel",
            "close",
            "come-back",
            "depart",
            "evaluate",
            "reject",
            "report",
            "return",
            "review",
            "sign-off",
            "submit",
        )
    },
    **{
        f"api:traveldocument-{movement}": _document_action()
        for movement in ("cancel", "check-out", "deposit", "report-lost", "return")
    },
    "api:partnership-change-level": Route(
        API_OBJECT, "partners.view_partnership", "api:partnership", status=405
    ),
}


def view_tests():
    return [cls for cls in VIEW_TESTS if collected_by_pytest(cls)]


def api_tests():
    return [cls for cls in API_TESTS if collected_by_pytest(cls)]


def walk(patterns, namespace="", prefix="") -> list[tuple[str, Callable]]:
    """Every route's name (``namespace:name``, ``<unnamed …>`` for a pattern without one) and view."""
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            routes += walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif pattern.name:
            routes.append((f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern.callback))
        else:
            routes.append((f"<unnamed {prefix}{pattern.pattern}>", pattern.callback))
    return routes


def api_model(basename):
    """The model behind an API basename, from the viewset the router registered."""
    match = get_resolver().resolve(reverse(f"api:{basename}-list"))
    return match.func.cls.queryset.model


def declared() -> dict[str, Route]:
    routes = dict(ROUTES)
    for cls in view_tests():
        views, opts = cls.views, cls.views.model._meta
        for action, (kind, perm, status) in GENERIC.items():
            routes[views.url_name(action)] = Route(
                kind,
                f"{opts.app_label}.{perm}_{opts.model_name}",
                opts.label_lower if kind == OBJECT else "",
                GENERIC_KWARGS.get(action, {}),
                status,
                rows=opts.label_lower if kind in (LIST, EXPORT) else "",
            )
    for cls in api_tests():
        opts = api_model(cls.basename)._meta
        perm = f"{opts.app_label}.view_{opts.model_name}"
        routes[f"api:{cls.basename}-list"] = Route(API_LIST, perm, rows=f"api:{cls.basename}")
        routes[f"api:{cls.basename}-detail"] = Route(API_OBJECT, perm, f"api:{cls.basename}")
    return routes


DECLARED = declared()
WALKED_VIEWS = walk(get_resolver().url_patterns)
WALKED = [name for name, _view in WALKED_VIEWS]
# Reference data (countries, cities, per-diem rates, holidays): one record, the same for every seat.
SHARED = {cls.views.model._meta.label_lower for cls in view_tests() if not cls.scoped} | {
    f"api:{cls.basename}" for cls in api_tests() if not cls.scoped
}


def seat_matters(route) -> bool:
    """The route shows a record, rows or an office of one side: the OTHER seat has something to miss."""
    if route.args is not None or route.query is not None:
        return True
    return bool(route.record or route.rows) and (route.record or route.rows) not in SHARED


CASES = [
    (name, role)
    for name in WALKED
    if name in DECLARED
    for role in ROLES
    if role != OTHER or seat_matters(DECLARED[name])
]


def test_every_route_is_declared():
    assert len(WALKED) > 100, "the URL walk found too few routes: the walk itself is broken"
    undeclared = [name for name in WALKED if name not in DECLARED]
    assert not undeclared, (
        "routes without a declaration in waishi/core/tests/test_routes.py (add each to ROUTES with its "
        "kind, permission and arguments, a pattern without a name by the key shown with an address in "
        "`path`; or register its model's ModelViewTests/ApiTests): " + ", ".join(undeclared)
    )
    assert len(set(WALKED)) == len(WALKED), "two routes share a name"


def test_no_declaration_is_stale():
    """A generic action that a model does not have (no delete, no import) is fine; a named route is not."""
    stale = sorted(set(ROUTES) - set(WALKED))
    assert not stale, "ROUTES declares routes the URLconf no longer has: " + ", ".join(stale)


# The data: one module-wide world with records of unit A and unit B, and a signed-in session per user.


@dataclass(repr=False)
class Side:
    """The records of one side (A: unit A / city A, B: unit B / city B); B has none of reference data."""

    records: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)  # record key → what identifies it in a list or export
    notifications: dict = field(default_factory=dict)  # role → a notification to that role's user
    office: object = None  # the side's FAO


class Absent(dict):
    """Any key: a record whose pk no row has."""

    def __missing__(self, key):
        return Notification(pk=2_000_000_000)


# A side whose records do not exist: another side's record must be answered as one of these is.
NOWHERE = Side(records=Absent(), notifications=Absent())


@dataclass(repr=False)
class Site:
    world: object
    a: Side
    b: Side
    sessions: dict  # (seat, role) → session key; seat "a" or OTHER
    secrets: frozenset  # the plaintext of every encrypted value stored


def stored_secrets() -> frozenset[str]:
    """The full ID, passport and phone numbers stored (QUALITY.md Security 9): no page, JSON answer, export
    or log shows one to anybody; only a reveal, which no route here makes, does."""
    found = set()
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        for row in model._base_manager.all() if names else ():
            found.update(value for name in names if (value := getattr(row, name)))
    return frozenset(found)


def seat(world, role, where):
    """The organization of a user of ``role``: its unit for unit roles, its office otherwise."""
    unit_role = role.startswith("unit_")
    return {
        "a": world.unit_a if unit_role else world.city_a,
        "b": world.unit_b if unit_role else world.city_b,
        OTHER: world.unit_a2 if unit_role else world.city_b,
    }[where]


def record_owner(world, cls, where):
    """Where a ModelViewTests/ApiTests class makes a record of side ``where``: as its own tests do."""
    return seat(world, cls.allowed_role, where)


def build_side(world, where) -> Side:
    side = Side(office=seat(world, Role.FAO_STAFF, where))
    for cls in view_tests():
        if where == "b" and not cls.scoped:
            continue
        obj = cls().make(world, record_owner(world, cls, where))
        side.records[obj._meta.label_lower] = obj
        side.texts[obj._meta.label_lower] = cls().list_text(obj)
    for cls in api_tests():
        if where == "b" and not cls.scoped:
            continue
        side.records[f"api:{cls.basename}"] = cls().make(world, record_owner(world, cls, where))
    person = side.records["directory.person"]
    side.records["attachment"] = Attachment.objects.create(
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"note-{where}.pdf"),
        name=f"note-{where}.pdf",
        mime_type="application/pdf",
        size=15,
        sha256="0" * 64,
    )
    side.records["movement"] = CustodyMovement.objects.create(
        document=side.records["passports.traveldocument"],
        kind=MovementKind.DEPOSIT,
        date=date(2024, 1, 2),
        handed_over_by="持照人",
        received_by="保管员",
    )
    side.records["contact"] = Contact.objects.create(
        partnership=side.records["partners.partnership"],
        side=ContactSide.THEIRS,
        name=f"联系人{where}",
        phone=f"+8135555010{len(where)}",
    )
    for role in Role.values:
        user = world.user(role, seat(world, role, where))
        side.notifications[role] = Notification.objects.create(recipient=user, title="通知", url="/")
    return side


def signed_in(world, role, where) -> str:
    client = Client()
    client.force_login(world.user(role, seat(world, role, where)))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """Made once for the module inside a transaction that is rolled back at its end."""
    with module_data(django_db_blocker, tmp_path_factory):
        world = build_world()
        a, b = build_side(world, "a"), build_side(world, "b")
        sessions = {
            (where, role): signed_in(world, role, where) for where in ("a", OTHER) for role in Role.values
        }
        secrets = stored_secrets()
        assert len(secrets) >= 4, secrets  # a person's ID and phone numbers, a passport's, a contact's phone
        yield Site(world, a, b, sessions, secrets)


def client_for(site, role, where="a", **options) -> Client:
    client = Client(**options)
    client.secrets = site.secrets
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = site.sessions[(where, role)]
    return client


# What every answer carries, and what no GET may change.

# Written on any request by design: the audit trail (a refusal is an audit event), the sessions (renewed on
# every request), the lockout records.
UNTRACKED_MODELS = {AuditLog, AuditHead, AuditAnchor, Session}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def untracked_tables() -> set[str]:
    return {
        m._meta.db_table for m in apps.get_models() if m in UNTRACKED_MODELS or m._meta.app_label == "axes"
    }


@contextmanager
def no_business_writes(what):
    """Fails when a statement run inside writes a row of a business table (any table but the above)."""
    with CaptureQueriesContext(connection) as queries:
        yield
    written = {match.group(1) for q in queries if (match := WRITE.match(q["sql"]))} - untracked_tables()
    assert not written, f"{what} wrote to {sorted(written)}"


def assert_security_headers(response, what):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}
    assert directives.get("object-src") == ["'none'"], (what, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (what, csp)
    assert "script-src" in directives and "'unsafe-inline'" not in directives["script-src"], (what, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy"), what
    assert response.headers.get("X-Frame-Options") == "DENY", what


def request(client, method, url, what, **options):
    response = getattr(client, method)(url, **options)
    assert_security_headers(response, what)
    assert response.status_code < 500, (what, response.status_code)
    text = answer_text(response)
    assert not [s for s in getattr(client, "secrets", ()) if s in text], (what, "shows a full number")
    return response


def answer_text(response) -> str:
    """Everything an answer holds as text: a page, JSON, the XML members of an .xlsx or .docx. A streamed
    answer is read and put back, for the checks that read it again."""
    if response.streaming:
        body = b"".join(response.streaming_content)
        response.streaming_content = [body]
    else:
        body = response.content
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    return body.decode(errors="replace")


def unsafe_method(view) -> str | None:
    """How a route changes something (POST, else PUT, PATCH, DELETE); None for a GET-only view."""
    if hasattr(view, "actions"):  # a DRF viewset route
        methods = set(view.actions)
    elif hasattr(view, "view_class"):
        methods = {m for m in view.view_class.http_method_names if hasattr(view.view_class, m)}
    else:
        return "post"  # a function view: ask it
    return next((m for m in ("post", "put", "patch", "delete") if m in methods), None)


UNSAFE = {name: unsafe_method(view) for name, view in WALKED_VIEWS}


def content_text(response) -> str:
    """The answer as text: an .xlsx's cells, a page's HTML."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode()


def api_ids(response) -> set[str]:
    return {str(row.get("id", row.get("code"))) for row in response.json()["results"]}


DENIED = {403, 404}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_route(site, caplog, name, role):
    route = DECLARED[name]
    caplog.set_level(logging.DEBUG)
    with no_business_writes(f"GET {name} as {role}"):
        if role == ANONYMOUS:
            check_anonymous(site, name, route)
        elif role == OTHER:
            check_other_seat(site, name, route)
        else:
            check_role(site, name, route, role)
    assert not [s for s in site.secrets if s in caplog.text], "a full number in the log"


def check_anonymous(site, name, route):
    client = client_for(site, ANONYMOUS)
    url = route.url(name, site.a, Role.FAO_STAFF)
    response = request(client, "get", url, url)
    if route.kind == PUBLIC:
        assert response.status_code == route.status, (url, response.status_code)
    elif route.kind in (API, API_OBJECT, API_LIST):
        assert response.status_code == 401, (url, response.status_code)
    else:
        assert response.status_code == 302, (url, response.status_code)
        assert response.url.startswith(reverse("login")), (url, response.url)


def not_found_statuses(route):
    """Another side's record, to a role that may use the route: 404; a GET on a POST-only route may be
    answered 405 first."""
    return {404} | ({405} if route.status == 405 else set())


def denied_statuses(route):
    """A refusal: 403 or 404; a GET on a POST-only route may be answered 405 first."""
    return DENIED | ({405} if route.status == 405 else set())


def check_role(site, name, route, role):
    client = client_for(site, role)
    url = route.url(name, site.a, role)
    response = request(client, "get", url, f"{url} as {role}")
    if route.kind == PUBLIC:
        return
    if not route.permitted(role):
        assert response.status_code in denied_statuses(route), (url, role, response.status_code)
        return
    assert response.status_code == route.status, (url, role, response.status_code)
    check_rows(site, route, response, f"{url} as {role}")
    if scoped_record(site, route):
        # Unit B's record: not found (404, not 403, which would tell that it exists), and nothing done to it.
        url_b = route.url(name, site.b, role)
        response = request(client, "get", url_b, f"{url_b} as {role} of A")
        assert response.status_code in not_found_statuses(route), (url_b, role, response.status_code)
        check_unsafe(client, name, url_b, route.url(name, NOWHERE, role), f"{url_b} as {role} of A")
    elif route.query:
        check_other_side_query(client, route.url(name, site.b, role), route, site.b, f"as {role} of A")


def check_unsafe(client, name, url, absent_url, what):
    """A change asked of another side's record: refused, and answered as for a record that does not exist
    (a 403 only when the role may not make that change to any record)."""
    method = UNSAFE[name]
    if method is not None:
        response = request(client, method, url, f"{method.upper()} {what}")
        assert response.status_code in DENIED, (method, what, response.status_code)
        absent = request(client, method, absent_url, f"{method.upper()} {absent_url}")
        assert response.status_code == absent.status_code, (method, what, response.status_code, absent_url)


def check_other_side_query(client, url, route, other_side, what):
    """The other side asked for in the query: refused (the API), or a page without it (a page falls back
    to the user's own office, a search finds nothing of the other side)."""
    response = request(client, "get", url, f"{url} {what}")
    if route.kind == PAGE and response.status_code == 200:
        assert route.secret(other_side) not in content_text(response), f"{url} {what} shows the other side"
    else:
        assert response.status_code in DENIED, (url, what, response.status_code)


def scoped_record(site, route) -> bool:
    """An object route whose record unit B has its own of (not reference data shared by all)."""
    if route.args is not None:
        return True
    return bool(route.record) and route.record in site.b.records


def check_rows(site, route, response, what):
    """A permitted list, export or API list never shows side B's record."""
    if route.rows not in site.b.records:
        return  # reference data, the same for everyone
    if route.kind in (LIST, EXPORT):
        assert site.b.texts[route.rows] not in content_text(response), f"{what}: unit B's row is shown"
    elif route.kind == API_LIST:
        assert str(site.b.records[route.rows].pk) not in api_ids(response), f"{what}: unit B's row is listed"


def check_other_seat(site, name, route):
    """Every permitted role seated in another unit or office: unit A's records are not found nor listed."""
    for role in Role.values:
        if not route.permitted(role):
            continue  # refused by the permission, whatever the record (the role's own case)
        client = client_for(site, role, OTHER)
        url = route.url(name, site.a, role)
        what = f"{url} as {role} of another seat"
        if route.rows in site.b.records:
            response = request(client, "get", url, what)
            if route.kind == API_LIST:
                assert str(site.a.records[route.rows].pk) not in api_ids(response), what
            else:
                assert site.a.texts[route.rows] not in content_text(response), what
        if scoped_record(site, route):
            response = request(client, "get", url, what)
            assert response.status_code in not_found_statuses(route), (what, response.status_code)
            check_unsafe(client, name, url, route.url(name, NOWHERE, role), what)
        elif route.query:
            check_other_side_query(client, url, route, site.a, f"as {role} of another seat")


# Every state change needs POST with a CSRF token (QUALITY.md Security 11).

CSRF_REFUSED = "refused by the CSRF check"


def csrf_refused(request, reason=""):
    """The CSRF failure view during the test below: says plainly that the CSRF check refused."""
    return HttpResponseForbidden(CSRF_REFUSED)


def refused_by_csrf(response) -> bool:
    data = getattr(response, "data", None)
    if isinstance(data, dict):  # the API: DRF's session check, in the project's error format
        return str(data.get("message", "")).startswith("CSRF Failed")
    return response.content.decode() == CSRF_REFUSED


POSTED = [name for name in WALKED if name in DECLARED]


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTED)
def test_post_without_csrf_token_is_refused(site, settings, name):
    """A POST without the token is refused before any view runs, by a user who could otherwise use the
    route (anonymous for the public ones), and writes nothing."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    route = DECLARED[name]
    role = (
        ANONYMOUS
        if route.kind == PUBLIC
        else next((r for r in Role.values if route.permitted(r)), "fao_staff")
    )
    client = client_for(site, role, enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = route.url(name, site.a, role)
    with no_business_writes(f"POST {name} without a CSRF token as {role}"):
        response = request(client, "post", url, f"POST {url} as {role}")
    assert response.status_code == 403, (url, role, response.status_code)
    assert refused_by_csrf(response), (url, role, response.content[:200])


# Production settings: secure cookies and HSTS on HTTPS (QUALITY.md Security 10).


@pytest.fixture
def production(settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return settings


def test_production_cookies_are_secure_and_https_answers_carry_hsts(client, world, production):
    login = reverse("login")
    page = request(client, "get", login, "the login page over HTTPS", secure=True)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000"), page.headers
    csrf = page.cookies[production.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"], csrf.output()

    user = world.user(Role.UNIT_CLERK)
    response = client.post(login, {"username": user.username, "password": "Waishi@2026"}, secure=True)
    assert response.status_code == 302, response.content[:300]
    assert_security_headers(response, "the login answer")
    assert "Strict-Transport-Security" in response.headers
    session = response.cookies[production.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax", session.output()

    for url in (reverse("home"), "/no-such-page/", reverse("api:person-list")):
        answer = request(client, "get", url, f"{url} over HTTPS", secure=True)
        assert "Strict-Transport-Security" in answer.headers, url
        assert (
            answer.cookies.get(production.SESSION_COOKIE_NAME) is None
            or answer.cookies[production.SESSION_COOKIE_NAME]["secure"]
        ), url


def test_opening_a_notification_is_a_post_that_marks_it_read(client, world):
    user = world.user(Role.UNIT_CLERK)
    notification = Notification.objects.create(recipient=user, title="已批准", url="/travel/trips/")
    client.force_login(user)
    url = reverse("notification_open", args=[notification.pk])
    assert client.get(url).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None
    response = client.post(url)
    assert response.status_code == 302 and response.url == "/travel/trips/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert f'method="post" action="{url}"' in client.get(reverse("notifications")).content.decode()


def test_static_files_carry_the_security_headers(client, settings):
    """WhiteNoise answers static files before the views' middleware: they carry the same headers."""
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source folders, as without collectstatic
    response = client.get(settings.STATIC_URL + "waishi/waishi.js")
    assert response.status_code == 200
    assert_security_headers(response, "a static file")


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_menu_link_opens_for_the_role_it_is_shown_to(site, role):
    """The menus are read from the role's permissions, each page decides for itself: a link a role is
    shown must open for it (the statistics menu once offered a unit's clerk a page that refused him)."""
    user = User.objects.get(username=f"{role}-{seat(site.world, role, 'a').code}")
    client = client_for(site, role)
    for menu in menus_for(user):
        for item in menu["items"]:
            response = request(client, "get", item["url"], f"{role}: {menu['label']} › {item['label']}")
            assert response.status_code == 200, (role, item["url"], response.status_code)
