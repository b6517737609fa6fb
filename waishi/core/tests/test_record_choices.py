"""Selects of many records: beyond WAISHI_CHOICES_INLINE_MAX they list only the chosen records and search
the others on the server (core.forms.FastOptions, core.views.record_choices)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from waishi.core.testing.factories import PersonFactory
from waishi.directory.forms import PersonForm
from waishi.travel.filtersets import TripFilterSet


def trip_filters(user, data=None):
    request = RequestFactory().get("/")
    request.user = user
    return TripFilterSet(data or {}, request=request)


def choices_url(source, field):
    return reverse("core:record_choices", args=[source.search_key, field])


@pytest.mark.django_db
def test_a_select_of_few_records_lists_them_all(world, settings):
    settings.WAISHI_CHOICES_INLINE_MAX = 100
    html = str(trip_filters(world.user("fao_staff")).form["applicant_unit"])
    assert "data-search-url" not in html
    assert world.unit_a.name in html and world.unit_a2.name in html


@pytest.mark.django_db
def test_a_select_of_more_records_lists_the_chosen_one_and_searches_the_rest(
    world, settings, django_assert_num_queries
):
    settings.WAISHI_CHOICES_INLINE_MAX = 1
    filters = trip_filters(world.user("fao_staff"), {"applicant_unit": str(world.unit_a.pk)})
    field = filters.form["applicant_unit"]
    str(filters.form["office"])  # what the user may see is worked out once
    with django_assert_num_queries(2):  # the first records (more than the limit), then the chosen one
        html = str(field)
    assert f'data-search-url="{choices_url(TripFilterSet, "applicant_unit")}"' in html
    assert f'<option value="{world.unit_a.pk}" selected>{world.unit_a.name}</option>' in html
    assert world.unit_a2.name not in html
    assert '<option value="">' in html  # the empty choice stays


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_unit", ""),
        ("applicant_unit", "abc"),
        ("applicant_unit", "99999999999999999999999"),
        ("applicant_unit", "-1"),
        ("country", "\x00"),  # a text key no database stores
        ("country", "JPN"),  # longer than a country code
    ],
)
def test_a_chosen_value_that_names_no_record_lists_nothing_more(world, settings, field, value):
    settings.WAISHI_CHOICES_INLINE_MAX = 1
    html = str(trip_filters(world.user("fao_staff"), {field: value}).form[field])
    assert "data-search-url" in html
    assert html.count("<option") == 1


@pytest.mark.django_db
def test_the_search_finds_what_the_select_would_list_and_nothing_else(world, client):
    client.force_login(world.user("fao_staff"))  # city A's office: city B's units are not its to see
    url = choices_url(TripFilterSet, "applicant_unit")
    response = client.get(url, {"q": "商务"})
    assert response.status_code == 200
    assert response.json() == {"results": [{"value": str(world.unit_a.pk), "text": world.unit_a.name}]}
    found = {row["text"] for row in client.get(url).json()["results"]}
    assert {world.unit_a.name, world.unit_a2.name} <= found
    assert world.unit_b.name not in found and world.city_b.name not in found
    assert client.get(url, {"q": "unit-a2"}).json()["results"][0]["text"] == world.unit_a2.name  # by code


@pytest.mark.django_db
def test_the_search_returns_at_most_the_configured_number(world, client, settings):
    settings.WAISHI_CHOICES_SEARCH_LIMIT = 2
    client.force_login(world.user("fao_staff"))
    assert len(client.get(choices_url(TripFilterSet, "applicant_unit")).json()["results"]) == 2


@pytest.mark.django_db
def test_countries_by_chinese_or_english_name_and_people_by_pinyin(world, client):
    client.force_login(world.user("fao_staff"))
    countries = choices_url(TripFilterSet, "country")
    assert client.get(countries, {"q": "日本"}).json()["results"] == [{"value": "JP", "text": "日本"}]
    assert {"value": "JP", "text": "日本"} in client.get(countries, {"q": "japan"}).json()["results"]
    texts = {row["text"] for row in client.get(countries, {"q": "中国"}).json()["results"]}
    assert texts and all(text.startswith("中国") for text in texts)  # 中国香港, 中国澳门, 中国台湾: regions
    ouyang = PersonFactory(organization=world.unit_a, name="欧阳明")
    PersonFactory(organization=world.unit_b, name="欧阳明")  # city B's: not city A's to see
    url = reverse("core:record_choices", args=[PersonForm.search_key, "organization"])
    assert client.get(url, {"q": "甲市"}).json()["results"][0]["text"].startswith("甲市")
    from waishi.passports.forms import TravelDocumentForm

    people = reverse("core:record_choices", args=[TravelDocumentForm.search_key, "person"])
    for query in ("欧阳", "oym", "ouyang", "欧"):
        assert client.get(people, {"q": query}).json()["results"] == [
            {"value": str(ouyang.pk), "text": "欧阳明"}
        ], query


@pytest.mark.django_db
def test_unknown_sources_and_fields_are_not_found(world, client):
    client.force_login(world.user("fao_staff"))
    for source, field in [
        ("waishi.nowhere.Form", "unit"),
        (TripFilterSet.search_key, "state"),  # choices, not records
        (TripFilterSet.search_key, "nothing"),
    ]:
        assert client.get(reverse("core:record_choices", args=[source, field])).status_code == 404


@pytest.mark.django_db
def test_the_search_needs_a_signed_in_user_and_only_reads(world, client):
    url = choices_url(TripFilterSet, "applicant_unit")
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(world.user("unit_clerk"))  # a unit's clerk: his own unit only
    found = {row["text"] for row in client.get(url).json()["results"]}
    assert found == {world.unit_a.name}
    assert client.post(url).status_code == 405
