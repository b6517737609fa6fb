"""A select of many records searches as the user types: the trip list's unit filter, by part of a name."""

from tests.e2e.conftest import login
from waishi.travel.models import Trip


def test_the_unit_filter_finds_a_unit_by_part_of_its_name(page, shot, settings):
    settings.WAISHI_CHOICES_INLINE_MAX = 3  # the demo's office has more units than this
    trip = Trip.objects.filter(office__code="jdz-fao").select_related("applicant_unit").first()
    unit = trip.applicant_unit
    login(page, "staff")
    page.goto(page.base_url + "/travel/trips/")
    assert page.locator("#id_applicant_unit option").count() == 1  # only the empty choice is written

    page.click("#id_applicant_unit + .ts-wrapper .ts-control")
    page.keyboard.type(unit.name[1:4])
    option = page.locator(".ts-dropdown .option", has_text=unit.name)
    option.wait_for()
    shot(page, "record-search-typed")
    option.click()
    with page.expect_navigation():
        page.click(".filter-card button[type=submit]")
    assert f"applicant_unit={unit.pk}" in page.url
    assert page.locator("table tbody tr").count() >= 1
    assert page.locator("table tbody", has_text=unit.name).count() == 1
    # The filtered page shows the chosen unit in its box.
    assert page.inner_text("#id_applicant_unit + .ts-wrapper .ts-control") == unit.name
    shot(page, "record-search-filtered")
