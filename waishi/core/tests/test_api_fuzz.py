"""Schemathesis over the whole OpenAPI schema (QUALITY.md Reliability 3): every operation, every method,
run in-process against the WSGI application in a populated world, once with the API token of a user with
broad business rights and once anonymously. No request may end in a server error, and every answer must
match the schema (status code, content type, body).

Deterministic and bounded: a fixed seed, derandomized generation and a few examples per operation.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from waishi.conftest import build_world
from waishi.core.testing.data import module_data
from waishi.core.testing.factories import UserFactory
from waishi.partners.tests import factories as partners
from waishi.passports.tests import factories as passports
from waishi.travel.choices import TripState
from waishi.travel.tests import factories as travel
from waishi.users.choices import BUSINESS_ROLES

MAX_EXAMPLES = 15

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261122,
        "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
# No server error, and every answer as the schema documents it. Not "schema-valid data is accepted": a
# well-formed body naming a person who does not exist is rightly refused.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@contextmanager
def connection_kept():
    """Django's WSGI handler inside a test's transaction: the request signals must not close the connection
    (Django's test client arranges the same for its own requests, and undoes it after each)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def app():
    with connection_kept():
        yield WSGIHandler()


@pytest.fixture(scope="module")
def broad(django_db_setup, django_db_blocker, tmp_path_factory):
    """Records of every kind in city A's office (trips along the workflow, documents in and out of custody,
    partnerships with an exchange, plan entries, per-diem rates) and the headers of a user of that office
    holding every business role, made once for the module inside a transaction rolled back at its end;
    ``ids(path)`` are the records that user sees on the list of ``path``."""
    with module_data(django_db_blocker, tmp_path_factory):
        world = build_world()
        for state in (TripState.DRAFT, TripState.SUBMITTED, TripState.REVIEWED, TripState.APPROVED):
            travel.make_trip(world, state=state)
        travel.make_trip(world, state=TripState.DEPARTED)
        holder = passports.holder(world.unit_a)
        passports.register(world, holder)
        approved = passports.trip([holder], state=TripState.APPROVED)
        passports.check_out(world, passports.register(world, holder, kind="diplomatic"), approved)
        sister = partners.partnership(world.city_a)
        partners.exchange(sister, travel.DEPART - timedelta(days=30))
        partners.partnership(world.city_a, level="intent", country="KR")
        user = UserFactory(username="fuzz-broad", organization=world.city_a, roles=BUSINESS_ROLES)
        headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
        client, ids = Client(WSGIHandler()), {}
        with connection_kept():
            for path in schema.raw_schema["paths"]:
                base = path.split("{", 1)[0]
                if "{" in path and base not in ids:
                    rows = client.get(base, headers=headers).json.get("results", [])
                    ids[base] = [str(row.get("id", row.get("code"))) for row in rows]
        yield headers, ids


@schema.parametrize()
@HYPOTHESIS
def test_api_as_a_broad_user(case, app, broad, db):
    headers, ids = broad
    if case.path_parameters:
        # Half of the examples name a record that exists (random ids only ever reach 404).
        name, value = next(iter(case.path_parameters.items()))
        existing = ids[case.path.split("{", 1)[0]]
        if existing and str(value).isdigit() and int(value) % 2 == 0:
            case.path_parameters[name] = existing[int(value) // 2 % len(existing)]
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)


@schema.parametrize()
@HYPOTHESIS
def test_api_anonymously(case, app, db):
    response = case.call_and_validate(app=app, checks=CHECKS)
    assert response.status_code == 401


def test_an_unknown_api_address_answers_in_json(client, world):
    assert client.get("/api/v1/no-such-list/").status_code == 401
    client.force_login(world.user("fao_staff"))
    response = client.get("/api/v1/trips/not-a-number/")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "extra"}


@pytest.mark.parametrize(("language", "message"), [("zh-hans", "错误的请求。"), ("en", "Malformed request.")])
def test_a_body_that_is_not_json_is_refused_in_the_users_language(client, world, settings, language, message):
    """Found by hand: the JSON parser's error came through in English whatever the user's language."""
    client.force_login(world.user("fao_staff"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/api/v1/cities/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "parse_error", "message": message, "extra": {}}


def test_a_body_of_no_type_is_refused_with_415_as_the_schema_documents(client, world):
    """Found by the fuzzing (its multipart body reached the API with no content type): DRF answers 415,
    which no operation documented."""
    client.force_login(world.user("fao_staff"))
    response = client.generic("POST", "/api/v1/cities/", b"\xb2\x02junk", content_type="")
    assert response.status_code == 415
    assert set(response.json()) == {"code", "message", "extra"}
    operations = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/cities/"]
    assert "415" in operations["post"]["responses"] and "415" not in operations["get"]["responses"]


@pytest.mark.parametrize("code", ["J\x00", "JPN", "", 7, ["JP"]])
def test_a_country_code_is_two_letters(client, world, code):
    """Found by the fuzzing: a NUL in a code reached PostgreSQL's text comparison and ended in a 500."""
    client.force_login(world.user("fao_staff"))
    response = client.post(
        "/api/v1/cities/",
        {"name_zh": "测试", "name_en": "Test", "country": code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "country" in response.json()["extra"]["errors"]
