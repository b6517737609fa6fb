"""Travel documents over the API (API.md "Travel documents"): the document as read (masked number, derived
state) and written (the full number, write-only), and the body of each custody movement."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.directory.models import Organization, Person
from waishi.passports.choices import DocumentState
from waishi.passports.models import TravelDocument
from waishi.travel.api.serializers import TripDateField
from waishi.travel.models import Trip

NAME_HELP = _("Defaults to the holder's name or to your own name, as the movement goes.")


def _restricted(serializer, name: str, model) -> None:
    """Narrow a related field's choices to the records the caller may see: others do not exist for him."""
    request = serializer.context.get("request")
    if request is not None and name in serializer.fields:
        serializer.fields[name].queryset = model.objects.restrict(request.user, "view")


class TravelDocumentSerializer(serializers.ModelSerializer):
    """Reads show ``number_masked``; ``number`` is accepted on registration and never shown."""

    number = serializers.CharField(
        write_only=True, max_length=20, help_text=_("The full number; shown back masked only.")
    )
    number_masked = serializers.CharField(read_only=True)
    state = serializers.SerializerMethodField()
    handed_over_by = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=100, help_text=NAME_HELP
    )
    received_by = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=100, help_text=NAME_HELP
    )
    date = TripDateField(
        write_only=True, required=False, help_text=_("The day of the deposit; today by default.")
    )

    class Meta:
        model = TravelDocument
        fields = [
            "id",
            "person",
            "kind",
            "number",
            "number_masked",
            "issued",
            "expires",
            "authority",
            "custodian",
            "state",
            "due_date",
            "trip",
            "handed_over_by",
            "received_by",
            "date",
        ]
        read_only_fields = ["due_date", "trip"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _restricted(self, "person", Person)
        _restricted(self, "custodian", Organization)

    @extend_schema_field(serializers.ChoiceField(choices=DocumentState.choices))
    def get_state(self, document) -> str:
        state = getattr(document, "state", None)
        return str(state or document.state_on(timezone.localdate()))


class TravelDocumentDepositSerializer(serializers.Serializer):
    """A document reported lost has been found and goes back into custody."""

    date = TripDateField(required=False, help_text=_("Today by default."))
    handed_over_by = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=NAME_HELP
    )
    received_by = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text=NAME_HELP)


class TravelDocumentCheckOutSerializer(TravelDocumentDepositSerializer):
    trip = serializers.PrimaryKeyRelatedField(
        queryset=Trip.objects.none(), help_text=_("An approved trip of which the holder is a member.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _restricted(self, "trip", Trip)


class TravelDocumentReturnSerializer(TravelDocumentDepositSerializer):
    date = TripDateField(help_text=_("The day the document came back."))


class TravelDocumentNoteSerializer(TravelDocumentDepositSerializer):
    date = TripDateField()
    note = serializers.CharField(max_length=2000, allow_blank=True)
