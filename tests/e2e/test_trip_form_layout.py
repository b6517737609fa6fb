"""The application form's row tables (members, itinerary, budget) fit their half-width cards at 1366 px: no
column cut off, no horizontal scrolling, in Chinese as in English."""

import pytest

from tests.e2e.conftest import login

WIDTHS = """() => [...document.querySelectorAll('.formset .table-responsive')].map(wrapper => ({
    prefix: wrapper.closest('.formset').dataset.prefix,
    visible: wrapper.clientWidth,
    needed: wrapper.scrollWidth,
}))"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_row_tables_of_the_application_form_fit_at_1366_px(page, shot, language):
    login(page, "clerk")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.goto(page.base_url + "/travel/trips/add/")
    assert page.viewport_size["width"] == 1366
    tables = page.evaluate(WIDTHS)
    assert {t["prefix"] for t in tables} == {"members", "legs", "budget"}
    for table in tables:
        assert table["needed"] <= table["visible"], table
    # the last column of the itinerary (remove) lies inside its card
    remove = page.locator("#id_legs-0-DELETE").bounding_box()
    card = page.locator("[data-prefix=legs]").bounding_box()
    assert remove["x"] + remove["width"] <= card["x"] + card["width"]
    if language == "zh-hans":
        shot(page, "trip-form-row-tables")
