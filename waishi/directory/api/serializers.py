from rest_framework import serializers

from waishi.directory.models import City, Country, Organization, Person


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
    class Meta:
        model = City
        fields = ["id", "name_zh", "name_en", "country", "latitude", "longitude"]
