"""Sister cities over the REST API (API.md "Sister cities"): scope and permissions per endpoint, the
contract's bodies, activity as of a date, the level change and exchanges with several partners."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from waishi.core.services import attachment_add
from waishi.core.testing.views import ApiTests, assert_same_queries, page_queries
from waishi.directory.models import Country
from waishi.partners.models import PartnerExchange, Partnership
from waishi.partners.tests import factories as f

pytestmark = pytest.mark.django_db


class TestPartnershipApi(ApiTests):
    basename = "partnership"
    allowed_role = "fao_staff"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return f.partnership(organization)


class TestPartnerExchangeApi(ApiTests):
    basename = "partnerexchange"
    allowed_role = "fao_staff"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return f.exchange(f.partnership(organization), date(2023, 6, 6))


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(world):
    return world.user("fao_staff")


@pytest.fixture
def staff(staff_user):
    return api(staff_user)


# --- partnerships ---------------------------------------------------------------------------------------


def test_post_a_partnership(world, staff):
    city = f.city("BG", "Troyan", "特罗扬")
    signed = timezone.localdate() - timedelta(days=30)
    response = staff.post(
        reverse("api:partnership-list"),
        {"office": world.city_a.pk, "city": city.pk, "level": "intent", "signed_on": signed.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "intent" and body["country"] == "BG" and body["signed_on"] == signed.isoformat()
    assert body["activity"] == "active" and body["last_exchange"] is None  # the signing counts
    assert Partnership.objects.get().level_changes.count() == 1


def test_post_refusals_carry_the_error_body(world, staff):
    Country.objects.filter(code="BG").update(off_limits=True)
    url = reverse("api:partnership-list")
    body = {"office": world.city_a.pk, "city": f.city("BG").pk, "level": "intent", "signed_on": "2023-09-19"}
    refused = staff.post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "off_limits" and refused.json()["extra"]["country"] == "BG"
    assert staff.post(url, body | {"city": f.city("HK").pk}, format="json").json()["code"] == "not_foreign"
    invalid = staff.post(url, body | {"city": f.city("IT").pk, "level": "twin"}, format="json")
    assert invalid.status_code == 400 and set(invalid.json()) == {"code", "message", "extra"}
    other_office = staff.post(url, body | {"office": world.city_b.pk, "city": f.city("IT").pk}, format="json")
    assert other_office.status_code == 400 and "office" in other_office.json()["extra"]["errors"]
    viewer = api(world.user("viewer")).post(url, body | {"city": f.city("IT").pk}, format="json")
    assert viewer.status_code == 403
    assert not Partnership.objects.exists()


def test_activity_and_last_exchange_as_of_a_date(world, staff):
    p = f.partnership(world.city_a)
    f.exchange(p, date(2023, 6, 6))
    f.exchange(p, date(2024, 3, 1), substantive=False)
    url = reverse("api:partnership-detail", args=[p.pk])
    before = staff.get(url, {"as_of": "2023-12-31"}).json()
    assert (before["activity"], before["last_exchange"]) == ("active", "2023-06-06")
    later = staff.get(url, {"as_of": "2024-12-31"}).json()
    assert (later["activity"], later["last_exchange"]) == ("occasional", "2024-03-01")
    assert staff.get(url, {"as_of": "1999-01-01"}).json()["activity"] is None
    assert staff.get(url, {"as_of": "2024-13-01"}).status_code == 400
    listing = staff.get(reverse("api:partnership-list"), {"as_of": "2023-12-31", "activity": "active"}).json()
    assert [row["id"] for row in listing["results"]] == [p.pk]
    assert (
        staff.get(reverse("api:partnership-list"), {"as_of": "2030-01-01", "activity": "active"}).json()[
            "count"
        ]
        == 0
    )


def test_change_level(world, staff, staff_user):
    p = f.partnership(world.city_a, level="intent", signed_on=date(2019, 5, 21))
    document = attachment_add(actor=staff_user, obj=p, upload=f.pdf())
    url = reverse("api:partnership-change-level", args=[p.pk])
    response = staff.post(
        url, {"level": "friendly", "date": "2021-11-10", "document": document.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["level"], response.json()["level_since"]) == ("friendly", "2021-11-10")
    assert p.level_changes.last().document == document
    again = staff.post(url, {"level": "friendly", "date": "2022-01-01"}, format="json")
    assert again.status_code == 400 and "level" in again.json()["extra"]["errors"]
    sister = staff.post(url, {"level": "sister", "date": "2022-01-01"}, format="json")
    assert sister.json()["code"] == "approval_missing"
    assert staff.post(url, {"level": "sister"}, format="json").status_code == 400
    viewer = api(world.user("viewer")).post(url, {"level": "sister", "date": "2022-01-01"}, format="json")
    assert viewer.status_code == 403
    theirs = f.partnership(world.city_b, level="intent")
    outside = staff.post(
        reverse("api:partnership-change-level", args=[theirs.pk]), {"level": "friendly", "date": "2022-01-01"}
    )
    assert outside.status_code == 404


def test_partnership_list_queries_do_not_grow_with_rows(world, staff):
    url = reverse("api:partnership-list")
    for _n in range(3):
        f.exchange(f.partnership(world.city_a), date(2024, 1, 1))
    small = page_queries(staff, url)
    for _n in range(9):
        f.exchange(f.partnership(world.city_a), date(2024, 1, 1))
    assert_same_queries(small, page_queries(staff, url), url)


# --- exchanges ------------------------------------------------------------------------------------------


def test_post_an_exchange_with_several_partners(world, staff):
    lampang, gorkha = f.partnership(world.city_a), f.partnership(world.city_a, level="intent")
    body = {
        "partnerships": [lampang.pk, gorkha.pk],
        "date": "2023-10-18",
        "kind": "forum",
        "substantive": True,
        "summary": "国际友好城市交流论坛",
    }
    response = staff.post(reverse("api:partnerexchange-list"), body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["partnerships"]) == sorted([lampang.pk, gorkha.pk])
    assert response.json()["office"] == world.city_a.pk
    listing = staff.get(reverse("api:partnerexchange-list"), {"partnership": gorkha.pk}).json()
    assert [row["id"] for row in listing["results"]] == [PartnerExchange.objects.get().pk]
    detail = staff.get(reverse("api:partnership-detail", args=[gorkha.pk])).json()
    assert detail["last_exchange"] == "2023-10-18"


def test_exchange_refusals(world, staff):
    mine, theirs = f.partnership(world.city_a), f.partnership(world.city_b)
    url = reverse("api:partnerexchange-list")
    body = {
        "partnerships": [mine.pk],
        "date": "2023-10-18",
        "kind": "forum",
        "substantive": True,
        "summary": "论坛",
    }
    assert staff.post(url, body | {"partnerships": []}, format="json").status_code == 400
    outside = staff.post(url, body | {"partnerships": [mine.pk, theirs.pk]}, format="json")
    assert outside.status_code == 400 and "partnerships" in outside.json()["extra"]["errors"]
    assert staff.post(url, body | {"kind": "party"}, format="json").status_code == 400
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert staff.post(url, body | {"date": future}, format="json").status_code == 400
    assert api(world.user("viewer")).post(url, body, format="json").status_code == 403
    assert not PartnerExchange.objects.exists()


def test_schema_documents_the_endpoints(staff):
    schema = staff.get(reverse("api:schema")).content.decode()
    for path in (
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{id}/change-level/",
        "/api/v1/partner-exchanges/",
    ):
        assert path in schema, path
    assert "as_of" in schema
