import datetime

import pytest
from django.urls import reverse

from waishi.core.testing.factories import PersonFactory
from waishi.passports.models import TravelDocument

NUMBER = "SE1234567"


@pytest.fixture
def document(world):
    person = PersonFactory(organization=world.unit_a, name="持照人甲")
    return TravelDocument.objects.create(
        person=person,
        kind="service",
        number=NUMBER,
        issued=datetime.date(2022, 1, 1),
        expires=datetime.date(2032, 1, 1),
        custodian=world.city_a,
    )


@pytest.mark.parametrize("role", ["passport_officer", "fao_staff", "unit_clerk", "viewer"])
def test_no_page_shows_the_full_number(client, world, document, role):
    client.force_login(world.user(role))
    urls = [
        document.get_absolute_url(),
        reverse("passports:traveldocument_list"),
        reverse("passports:custody"),
        reverse("passports:traveldocument_changelog", args=[document.pk]),
        reverse("passports:figures"),
        reverse("api:traveldocument-list"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
        assert NUMBER.encode() not in body, url
    export = client.get(reverse("passports:traveldocument_export"))
    assert NUMBER.encode() not in b"".join(export.streaming_content)
