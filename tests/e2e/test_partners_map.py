"""Sister cities in the browser: the map draws land outlines only (no national borders, no coloured
countries) with the partner cities as points, and the figures beside it; then the 三个一批 page."""

import json

from django.utils import timezone

from tests.e2e.conftest import SHOTS, login
from waishi.directory.models import Organization
from waishi.partners.demo import load_partners


def test_map_of_partner_cities(page, shot, settings):
    # The demo's targets are Jingdezhen's of 2024–2025: the targets page shows them in any later year.
    settings.WAISHI_TARGETS_PAST_YEARS = timezone.localdate().year - 2025
    load_partners()
    login(page, "province")  # the provincial office sees every office's partners
    page.goto(page.base_url + "/partners/")
    page.wait_for_selector("#partner-map[data-ready='1']", timeout=20000)
    points = json.loads(page.inner_text("#partner-map-data"))["points"]
    assert len(points) > 60
    # ECharts draws on a canvas; the map registered from world-atlas is one land geometry, no countries.
    assert page.locator("#partner-map canvas").count() >= 1
    regions = page.evaluate("() => echarts.getMap('waishi-land').geoJSON.features.length")
    assert regions == 1
    assert page.locator("#by-country tr", has_text="日本").count() == 1
    assert page.locator("#by-country", has_text="中国香港").count() == 0
    shot(page, "partners-01-map-by-level")
    page.locator("#partner-map").screenshot(path=str(SHOTS / "partners-01b-map-only.png"))

    page.click("[data-colour-by=activity]")
    page.wait_for_timeout(500)
    shot(page, "partners-02-map-by-activity")

    jingdezhen = Organization.objects.get(code="jdz-fao")
    page.goto(page.base_url + f"/partners/three-batches/?year=2023&office={jingdezhen.pk}")
    assert page.locator("#batch-opened .batch-count").inner_text() == "4"
    assert page.locator("#batch-reactivated", has_text="濑户").count() == 1
    shot(page, "partners-03-three-batches-2023")

    page.goto(page.base_url + "/partners/targets/progress/")
    assert page.locator("[data-metric=new_sisters][data-met='1']").count() == 1
    shot(page, "partners-04-targets")
    page.goto(page.base_url + "/partners/three-batches/?year=2023&office=" + str(jingdezhen.pk))
    page.click("#batch-reactivated a")
    page.wait_for_selector("#levels")
    assert page.locator("#exchanges", has_text="中日韩友好城市联合摄影展").count() == 1
    shot(page, "partners-05-partnership-seto")

    page.goto(page.base_url + "/partners/partnerships/?activity=dormant")
    assert page.locator("table [data-activity=dormant]").count() >= 5
    assert page.locator("table [data-activity=active]").count() == 0
    shot(page, "partners-06-dormant-partners")
