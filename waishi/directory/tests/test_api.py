from waishi.core.testing.factories import CityFactory, OrganizationFactory, PersonFactory
from waishi.core.testing.views import ApiTests
from waishi.directory.models import Country


class TestOrganizationApi(ApiTests):
    basename = "organization"
    allowed_role = "fao_staff"

    def make(self, world, organization):
        return OrganizationFactory(parent=organization.office())


class TestPersonApi(ApiTests):
    basename = "person"
    allowed_role = "unit_clerk"
    denied_role = "system_admin"

    def make(self, world, organization):
        return PersonFactory(organization=organization)


class TestCountryApi(ApiTests):
    basename = "country"
    allowed_role = "viewer"
    scoped = False

    def make(self, world, organization):
        return Country.objects.first()  # first in the list order, so on page 1


class TestCityApi(ApiTests):
    basename = "city"
    allowed_role = "viewer"
    scoped = False

    def make(self, world, organization):
        return CityFactory()
