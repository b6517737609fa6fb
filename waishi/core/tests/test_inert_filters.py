"""A list leaves out the filters that cannot narrow what the user sees (core.filtersets.FilterSet.inert): a
unit's clerk is offered no office filter on the trip list, nor his own unit as the only choice of a unit
filter; an office with an office below it keeps its office filters, an office with none below drops them.
A bookmark that still names such a filter gets the list with its other filters; the API keeps them all."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from waishi.core.models import permission_name
from waishi.core.testing.factories import OrganizationFactory
from waishi.directory.choices import OrganizationKind, OrganizationLevel
from waishi.directory.views import PersonViews
from waishi.partners.views import PartnerExchangeViews, PartnershipViews, TargetViews
from waishi.passports.tests import factories
from waishi.passports.views import TravelDocumentViews
from waishi.travel.models import Trip
from waishi.travel.views import PlanEntryViews, TripViews
from waishi.users.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

# Each list with a filter of organizations, and the filters that can narrow it only for a user with more
# than one organization (or office) below him.
LISTS = {
    TripViews: ["office", "office_tree", "applicant_unit"],
    PlanEntryViews: ["unit"],
    TravelDocumentViews: ["person__organization", "office_tree"],
    PersonViews: ["organization"],
    PartnershipViews: ["office"],
    PartnerExchangeViews: ["office"],
    TargetViews: ["office"],
}
ROLES = ["unit_clerk", "unit_leader", "fao_staff", "fao_leader", "passport_officer", "viewer", "audit_admin"]
DAY = datetime.date(2025, 6, 9)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(world):
    """An office below city A's: city A's staff then have two offices to choose from, the county's one."""
    return OrganizationFactory(
        code="county-a",
        name="甲县外办",
        kind=OrganizationKind.FAO,
        level=OrganizationLevel.COUNTY,
        parent=world.city_a,
    )


def shown_filters(response) -> list[str]:
    """The names of the filters the list page shows."""
    html = response.content.decode()
    form = html[html.index('class="card card-body filter-card"') :]
    form = form[: form.index("</form>")]
    names = re.findall(r'<(?:select|input)[^>]* name="([^"]+)"', form)
    return [name for name in dict.fromkeys(names) if name != "per_page"]


def list_page(client, user, views, params=None):
    client.force_login(user)
    return client.get(reverse(views.url_name("list")), params or {})


def may_view(role, views) -> bool:
    return permission_name(views.model, "view") in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("views", list(LISTS), ids=lambda views: views.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_a_users_list_shows_the_organization_filters_that_can_narrow_it(client, world, county, views, role):
    """A unit's roles see one unit and no office: none of these filters; city A's roles, with the county's
    office below, see them all; a role that may not see the list is refused it, as before."""
    response = list_page(client, world.user(role), views)
    if not may_view(role, views):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = shown_filters(response)
    organization_filters = set(LISTS[views])
    if role.startswith("unit_"):
        assert not organization_filters & set(shown), shown
        assert shown, "the other filters stay"
    else:
        assert organization_filters <= set(shown), shown


@pytest.mark.parametrize("views", list(LISTS), ids=lambda views: views.__name__)
@pytest.mark.parametrize("role", ["fao_staff", "fao_leader", "passport_officer", "viewer"])
def test_an_office_with_no_office_or_unit_below_it_has_no_organization_filter(
    client, world, county, views, role
):
    """The county's office is all its roles see: its only office (and organization) narrows nothing."""
    if not may_view(role, views):
        pytest.skip("the role does not see this list")
    response = list_page(client, world.user(role, county), views)
    assert response.status_code == 200
    shown = shown_filters(response)
    assert not set(LISTS[views]) & set(shown), shown


def test_the_documents_custodian_is_offered_a_unit_clerk_when_two_keep_his_documents(client, world):
    """The custodian filter offers those that keep a document the user sees (``referenced_filters``): the
    office above the clerk's unit, which keeps most of them, and his unit when it keeps one; with a single
    one it cannot narrow his list and is left out, as a scope filter."""
    factories.document(factories.holder(world.unit_a), custodian=world.city_a)
    shown = shown_filters(list_page(client, world.user("unit_clerk"), TravelDocumentViews))
    assert "custodian" not in shown
    assert "office_tree" not in shown and "person__organization" not in shown
    factories.document(factories.holder(world.unit_a), custodian=world.unit_a)
    assert "custodian" in shown_filters(list_page(client, world.user("unit_clerk"), TravelDocumentViews))


def make_trip(unit, office, number):
    """A trip of ``unit`` to ``office``, told apart by its approval number (the list's first column)."""
    return Trip.objects.create(
        applicant_unit=unit,
        office=office,
        deciding_office=office,
        category="abroad",
        mission="交流",
        approval_number=number,
        depart_date=DAY,
        return_date=DAY + datetime.timedelta(days=3),
    )


@pytest.fixture
def trips(world):
    first = make_trip(world.unit_a, world.city_a, "甲外审〔2025〕101号")
    return first, make_trip(world.unit_a, world.city_a, "甲外审〔2025〕202号")


def test_a_unit_clerks_bookmark_with_office_filters_gets_the_list_with_the_others(client, world, trips):
    """Offices and units the clerk is not offered (his own office, another unit) are ignored, not an
    invalid form that showed the whole list under an error."""
    stale = {
        "office": world.city_a.pk,
        "office_tree": world.city_b.pk,
        "applicant_unit": world.unit_b.pk,
        "q": "101",
    }
    response = list_page(client, world.user("unit_clerk"), TripViews, stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert trips[0].approval_number in html and trips[1].approval_number not in html
    assert "invalid-feedback" not in html
    assert "office" not in shown_filters(response)


def test_the_export_of_that_bookmark_is_the_list_on_screen(client, world, trips):
    client.force_login(world.user("unit_clerk"))
    response = client.get(
        reverse(TripViews.url_name("export")), {"office": world.city_a.pk, "q": "101", "office_tree": "x"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = {str(value) for row in workbook.worksheets[0].iter_rows(values_only=True) for value in row}
    assert trips[0].approval_number in cells and trips[1].approval_number not in cells


def test_an_office_bookmark_of_another_office_is_ignored_where_there_is_one_office(client, world, county):
    """The county's staff, with a bookmark of city B's office (a former post): the county's trips."""
    trip = make_trip(county, county, "甲县外审〔2025〕7号")
    response = list_page(client, world.user("fao_staff", county), TripViews, {"office": world.city_b.pk})
    assert response.status_code == 200
    assert trip.approval_number in response.content.decode()
    assert "invalid-feedback" not in response.content.decode()


def test_where_the_office_filter_can_narrow_a_value_it_does_not_offer_is_still_refused(client, world, county):
    """City A's staff choose between two offices: city B's is named as a bad choice, as before."""
    response = list_page(client, world.user("fao_staff"), TripViews, {"office": world.city_b.pk})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_the_api_keeps_every_filter_its_schema_documents(client, world, county, trips):
    """The API applies an office filter however many offices the caller has, and refuses an office it
    does not offer, as it did: its parameters are the schema's, not the page's."""
    county_trip = make_trip(county, county, "甲县外审〔2025〕7号")
    client.force_login(world.user("fao_staff", county))
    url = reverse("api:trip-list")
    response = client.get(url, {"office": county.pk})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [county_trip.pk]
    assert client.get(url, {"office": world.city_b.pk}).status_code == 400
    client.force_login(world.user("unit_clerk"))
    assert client.get(url, {"office": world.city_a.pk}).status_code == 400
    assert client.get(url, {"q": "101"}).status_code == 200
    schema = client.get(reverse("api:schema")).content.decode()
    assert "office_tree" in schema


@pytest.mark.parametrize("role", ["unit_clerk", "fao_staff"])
def test_each_organization_filters_choices_are_read_once(client, world, county, role):
    """Seeing whether a filter can narrow the list reads its choices as its select does, and the select
    then lists them without reading them again: one query a filter of organizations, shown or not."""
    client.force_login(world.user(role))
    url = reverse(TripViews.url_name("list"))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    choices = [q["sql"] for q in captured.captured_queries if 'FROM "directory_organization"' in q["sql"]]
    assert sum('AS "pk"' in sql for sql in choices) == len(LISTS[TripViews]), choices
