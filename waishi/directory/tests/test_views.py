from waishi.core.testing.factories import CityFactory, OrganizationFactory, PersonFactory
from waishi.core.testing.views import ModelViewTests
from waishi.directory.models import Country
from waishi.directory.views import CityViews, CountryViews, OrganizationViews, PersonViews


class TestOrganizationViews(ModelViewTests):
    views = OrganizationViews
    allowed_role = "fao_staff"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return OrganizationFactory(parent=organization.office(), name="新设单位" + organization.code)


class TestPersonViews(ModelViewTests):
    views = PersonViews
    allowed_role = "unit_clerk"
    denied_role = "system_admin"

    def make(self, world, organization):
        return PersonFactory(organization=organization, name="欧阳" + organization.code[-1])


class TestCountryViews(ModelViewTests):
    views = CountryViews
    allowed_role = "viewer"
    denied_role = "audit_admin"
    scoped = False

    def make(self, world, organization):
        return Country.objects.first()  # first in the list order, so on page 1


class TestCityViews(ModelViewTests):
    views = CityViews
    allowed_role = "viewer"
    denied_role = "audit_admin"
    scoped = False

    def make(self, world, organization):
        return CityFactory(country_id="IT", name_zh="法恩扎", name_en="Faenza")

    def make_many(self, world, organization, numbers):
        return [CityFactory(country_id="IT", name_zh=f"城市{n}", name_en=f"City {n}") for n in numbers]


def test_the_person_form_uses_the_offices_rank_table(client, world):
    from django.urls import reverse

    from waishi.core.services import office_setting_set

    office_setting_set(
        actor=world.user("fao_leader"),
        office=world.city_a,
        key="directory.rank.names",
        value={"division": "处级", "section": "科级"},
    )
    client.force_login(world.user("unit_clerk"))
    page = client.get(reverse("directory:person_add")).content.decode()
    assert '<option value="division">处级</option>' in page
    client.force_login(world.user("unit_clerk", world.unit_b))
    assert (
        '<option value="division">处级</option>'
        not in client.get(reverse("directory:person_add")).content.decode()
    )
