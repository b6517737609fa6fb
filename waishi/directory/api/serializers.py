import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waishi.directory.models import City, Country, Organization, Person

COUNTRY_CODE = re.compile(r"[A-Z]{2}")


class CountryCodeField(serializers.PrimaryKeyRelatedField):
    """A country or region by its ISO 3166-1 alpha-2 code (``JP``; ``HK``, ``MO`` and ``TW`` are regions).
    Anything but two letters is refused before the database is asked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-2 code, e.g. JP; HK and MO are regions of China."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = data.strip().upper() if isinstance(data, str) else data
        if not isinstance(code, str) or not COUNTRY_CODE.fullmatch(code):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(code)


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name", "short_name", "doc_code", "kind", "level", "parent"]


class PersonSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=18)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "pinyin",
            "gender",
            "birth_date",
            "organization",
            "position",
            "rank",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
        ]
        read_only_fields = ["pinyin"]


class CountrySerializer(serializers.ModelSerializer):
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


class CitySerializer(serializers.ModelSerializer):
    country = CountryCodeField()

    class Meta:
        model = City
        fields = ["id", "name_zh", "name_en", "country", "latitude", "longitude"]
