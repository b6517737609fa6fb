"""Sister cities over the API (API.md "Sister cities"): partnerships with their activity as of a date,
the level change, and exchanges with several partners."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from waishi.core.models import Attachment
from waishi.directory.models import City, Organization
from waishi.partners.choices import Activity, ExchangeKind, PartnerLevel
from waishi.partners.models import PartnerExchange, Partnership
from waishi.travel.models import Trip


class PartnershipSerializer(serializers.ModelSerializer):
    office = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind="fao"), help_text=_("Our side: a Foreign Affairs Office.")
    )
    city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.all(), help_text=_("A city of the directory (POST /api/v1/cities/ to add one).")
    )
    level = serializers.ChoiceField(choices=PartnerLevel.choices)
    country = serializers.CharField(
        source="city.country_id", read_only=True, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    city_name = serializers.CharField(source="city.name_zh", read_only=True)
    activity = serializers.ChoiceField(
        choices=Activity.choices,
        read_only=True,
        allow_null=True,
        help_text=_("As of today, or of ?as_of=YYYY-MM-DD; null before the partnership was signed."),
    )
    last_exchange = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The last exchange of any kind on or before that date.")
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "office",
            "city",
            "city_name",
            "country",
            "level",
            "signed_on",
            "level_since",
            "note",
            "activity",
            "last_exchange",
            "version",
        ]
        read_only_fields = ["level_since", "version"]
        validators = []  # the service refuses a duplicate with its own message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["office"].queryset = Organization.objects.restrict(request.user).filter(kind="fao")
            self.fields["city"].queryset = City.objects.restrict(request.user).select_related("country")


class ChangeLevelSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=PartnerLevel.choices)
    date = serializers.DateField()
    document = serializers.PrimaryKeyRelatedField(
        queryset=Attachment.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Id of a file already attached to the partnership: the letter or agreement."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PartnerExchangeSerializer(serializers.ModelSerializer):
    partnerships = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Partnership.objects.all(),
        help_text=_("The partners concerned: partnerships of one office."),
    )
    kind = serializers.ChoiceField(choices=ExchangeKind.choices)
    trip = serializers.PrimaryKeyRelatedField(
        queryset=Trip.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The outbound trip, if any."),
    )

    class Meta:
        model = PartnerExchange
        fields = [
            "id",
            "partnerships",
            "date",
            "kind",
            "substantive",
            "summary",
            "participants",
            "trip",
            "office",
            "version",
        ]
        read_only_fields = ["office", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partnerships"].child_relation.queryset = Partnership.objects.restrict(request.user)
            self.fields["trip"].queryset = Trip.objects.restrict(request.user)

    def validate_partnerships(self, value):
        if not value:
            raise serializers.ValidationError(_("Name at least one partner."))
        return value
