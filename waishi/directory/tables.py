import django_tables2 as tables

from waishi.directory.models import City, Country, Organization, Person


class OrganizationTable(tables.Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(linkify=True)

    class Meta:
        model = Organization
        fields = ["code", "name", "short_name", "doc_code", "kind", "level", "parent", "is_active"]


class PersonTable(tables.Table):
    name = tables.Column(linkify=True)
    organization = tables.Column(linkify=True)
    id_number = tables.Column(
        accessor="id_number_masked",
        orderable=False,
        verbose_name=Person._meta.get_field("id_number").verbose_name,
    )
    phone = tables.Column(
        accessor="phone_masked", orderable=False, verbose_name=Person._meta.get_field("phone").verbose_name
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "pinyin",
            "gender",
            "birth_date",
            "organization",
            "position",
            "rank",
            "id_number",
            "phone",
        ]


class CountryTable(tables.Table):
    name_zh = tables.Column(linkify=True)

    class Meta:
        model = Country
        fields = [
            "code",
            "name_zh",
            "name_en",
            "continent",
            "is_region",
            "apostille",
            "off_limits",
            "extended_stay",
        ]


class CityTable(tables.Table):
    name_zh = tables.Column(linkify=True)
    country = tables.Column(linkify=True)

    class Meta:
        model = City
        fields = ["name_zh", "name_en", "country", "latitude", "longitude"]
