from waishi.core.generic import ModelViews
from waishi.directory import filtersets, forms, services, tables
from waishi.directory.importers import OrganizationImporter, PersonImporter
from waishi.directory.models import City, Country, Organization, Person


class OrganizationViews(ModelViews):
    model = Organization
    filterset_class = filtersets.OrganizationFilterSet
    table_class = tables.OrganizationTable
    form_class = forms.OrganizationForm
    importer_class = OrganizationImporter
    detail_fields = ["code", "name", "short_name", "doc_code", "kind", "level", "parent", "is_active"]


class PersonViews(ModelViews):
    model = Person
    url_segment = "people"
    filterset_class = filtersets.PersonFilterSet
    table_class = tables.PersonTable
    form_class = forms.PersonForm
    importer_class = PersonImporter
    detail_fields = [
        "name",
        "pinyin",
        "gender",
        "birth_date",
        "organization",
        "position",
        "rank",
        "id_number",
        "phone",
        "is_active",
    ]


class CountryViews(ModelViews):
    model = Country
    url_segment = "countries"
    filterset_class = filtersets.CountryFilterSet
    table_class = tables.CountryTable
    form_class = forms.CountryForm
    allow_delete = False
    detail_fields = [
        "code",
        "name_zh",
        "name_en",
        "continent",
        "is_region",
        "apostille",
        "off_limits",
        "extended_stay",
    ]


class CityViews(ModelViews):
    model = City
    url_segment = "cities"
    filterset_class = filtersets.CityFilterSet
    table_class = tables.CityTable
    form_class = forms.CityForm
    detail_fields = ["name_zh", "name_en", "country", "latitude", "longitude", "geonameid"]
    create = staticmethod(services.city_create)
