"""Outbound trips over the API (API.md "Outbound trips"): the application with its nested parts, the
input of each workflow step, and the annual plan and per-diem reference tables.

The nested ``inviter``, ``invitation`` and ``notice`` objects map onto the trip's flat fields
(``source="*"``); ``members``, ``legs`` and ``budget`` are rewritten as a whole by the service.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waishi.directory.api.serializers import CountryCodeField
from waishi.directory.models import Organization, Person
from waishi.travel import rules, services
from waishi.travel.choices import BudgetKind, InviterKind, MemberRole
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripEvent


class TripDateField(serializers.DateField):
    """A date of a trip's business: within reach of the calendars the rules count with."""

    FIRST, LAST = date(1950, 1, 1), date(2100, 12, 31)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not self.FIRST <= day <= self.LAST:
            raise serializers.ValidationError(
                _("Give a date between %(first)s and %(last)s.") % {"first": self.FIRST, "last": self.LAST}
            )
        return day


class InviterSerializer(serializers.Serializer):
    name = serializers.CharField(source="inviter_name", max_length=200, required=False, allow_blank=True)
    country = CountryCodeField(source="inviter_country", required=False, allow_null=True)
    kind = serializers.ChoiceField(
        source="inviter_kind", choices=InviterKind.choices, required=False, allow_blank=True
    )


class InvitationSerializer(serializers.Serializer):
    date_from = TripDateField(source="invitation_from", required=False, allow_null=True)
    date_to = TripDateField(source="invitation_to", required=False, allow_null=True)
    invitees = serializers.ListField(
        source="invitation_invitees",
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=100,
        help_text=_("The names of the invited people as the invitation writes them."),
    )
    signed = serializers.BooleanField(source="invitation_signed", required=False)


class NoticeSerializer(serializers.Serializer):
    date_from = TripDateField(source="notice_from", required=False, allow_null=True)
    date_to = TripDateField(source="notice_to", required=False, allow_null=True)


class MemberSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)
    name = serializers.CharField(source="person.name", read_only=True)
    exit_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("Actual exit date, once recorded.")
    )
    entry_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("Actual entry date, once recorded.")
    )


class LegSerializer(serializers.Serializer):
    country = CountryCodeField()
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    arrive = TripDateField()
    depart = TripDateField()
    transit_airside = serializers.BooleanField(required=False, default=False)


class BudgetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BudgetKind.choices)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code, e.g. JPY."))
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    def validate_currency(self, value):
        return value.upper()


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warn"])
    message = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())


class FixSerializer(serializers.Serializer):
    """One correction a reviewer asks for: the field concerned (may be empty) and what to do."""

    field = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    message = serializers.CharField(allow_blank=True, max_length=1000)


class TripEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    fixes = serializers.SerializerMethodField(help_text=_("The corrections asked for, on a return."))

    class Meta:
        model = TripEvent
        fields = ["action", "from_state", "to_state", "actor", "at", "note", "fixes"]

    @extend_schema_field(FixSerializer(many=True))
    def get_fixes(self, event) -> list:
        return (event.detail or {}).get("fixes", [])


class TripSummarySerializer(serializers.ModelSerializer):
    """A trip as the list shows it: everything except the findings and the history."""

    inviter = InviterSerializer(source="*", required=False)
    invitation = InvitationSerializer(source="*", required=False)
    notice = NoticeSerializer(source="*", required=False)
    members = MemberSerializer(many=True, required=False, max_length=100)
    legs = LegSerializer(many=True, required=False, max_length=100)
    budget = BudgetSerializer(many=True, required=False, max_length=100)
    sending_units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organization.objects.all(), required=False
    )
    plan_entry = serializers.PrimaryKeyRelatedField(
        queryset=PlanEntry.objects.all(), required=False, allow_null=True
    )
    depart_date = TripDateField()
    return_date = TripDateField()
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_(
            "On update, the version you read: the change is refused (409) if someone saved the trip since."
        ),
    )

    class Meta:
        model = Trip
        fields = [
            "id",
            "applicant_unit",
            "category",
            "is_cross_unit",
            "sending_units",
            "mission",
            "depart_date",
            "return_date",
            "inviter",
            "invitation",
            "members",
            "legs",
            "budget",
            "notice",
            "plan_entry",
            "state",
            "office",
            "deciding_office",
            "approval_number",
            "approved_on",
            "version",
        ]
        read_only_fields = ["state", "office", "deciding_office", "approval_number", "approved_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "plan_entry" in self.fields:
            # Only plan entries the caller may see; others do not exist for him.
            self.fields["plan_entry"].queryset = PlanEntry.objects.restrict(request.user, "view")

    def validate(self, attrs):
        instance = self.instance
        unit = attrs.get("applicant_unit", getattr(instance, "applicant_unit", None))
        if (
            instance is not None
            and "applicant_unit" in attrs
            and attrs["applicant_unit"] != instance.applicant_unit
        ):
            raise serializers.ValidationError(
                {"applicant_unit": [_("The applicant unit of an application cannot be changed.")]}
            )
        plan_entry = attrs.get("plan_entry")
        if plan_entry is not None and unit is not None and plan_entry.unit_id != unit.pk:
            raise serializers.ValidationError(
                {"plan_entry": [_("Choose an entry of the applicant unit's annual plan.")]}
            )
        return attrs

    def application(self) -> services.Application:
        """The validated input as the service takes it; parts a partial update leaves out stay as they are."""
        data = self.validated_data
        trip = self.instance
        fields = {name: data[name] for name in services.APPLICATION_FIELDS if name in data}
        members = data.get("members")
        if members is None:
            members = (
                [{"person": m.person, "role": m.role} for m in trip.members.select_related("person")]
                if trip
                else []
            )
        legs = data.get("legs")
        if legs is None:
            legs = (
                [
                    {
                        "country": leg.country,
                        "city": leg.city,
                        "arrive": leg.arrive,
                        "depart": leg.depart,
                        "transit_airside": leg.transit_airside,
                    }
                    for leg in trip.legs.select_related("country")
                ]
                if trip
                else []
            )
        budget = data.get("budget")
        if budget is None:
            budget = (
                [{"kind": b.kind, "currency": b.currency, "amount": b.amount} for b in trip.budget.all()]
                if trip
                else []
            )
        return services.Application(
            fields=fields,
            members=[dict(m) for m in members],
            legs=[dict(leg) for leg in legs],
            budget=[dict(b) for b in budget],
            sending_units=data.get("sending_units"),
        )


class TripSerializer(TripSummarySerializer):
    """A trip with its current findings (the rules' verdict) and its history."""

    findings = serializers.SerializerMethodField()
    history = TripEventSerializer(source="events", many=True, read_only=True)

    class Meta(TripSummarySerializer.Meta):
        fields = [*TripSummarySerializer.Meta.fields, "findings", "history"]

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, trip) -> list:
        return [finding.as_dict() for finding in rules.check(trip)]


# Workflow steps: one input serializer per action (API.md action table).


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EmptySerializer(serializers.Serializer):
    """The body of a step that takes no input."""


class ReturnSerializer(serializers.Serializer):
    fixes = FixSerializer(many=True, max_length=100)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class BriefSerializer(serializers.Serializer):
    date = TripDateField()
    content = serializers.CharField(allow_blank=True, max_length=10000)
    attendees = serializers.PrimaryKeyRelatedField(many=True, queryset=Person.objects.all())


class DateSerializer(serializers.Serializer):
    date = TripDateField()


class BorderRecordSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    exit_date = TripDateField()
    entry_date = TripDateField()
    countries = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z]{2}$"),
        required=False,
        max_length=50,
        help_text=_("Countries and regions actually visited (ISO codes), when known."),
    )

    def validate_countries(self, value):
        return [code.upper() for code in value]


class ComeBackSerializer(serializers.Serializer):
    members = BorderRecordSerializer(many=True, max_length=100)


class ReportSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=100000)
    outcomes = serializers.CharField(required=False, allow_blank=True, default="", max_length=100000)
    attachments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Ids of files already attached to the trip that belong to the report."),
    )


class FollowUpSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=100)
    due = TripDateField()


class EvaluateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    follow_ups = FollowUpSerializer(many=True, required=False, default=list, max_length=100)


# Reference tables of the travel module.


class PlanEntrySerializer(serializers.ModelSerializer):
    countries = CountryCodeField(many=True, required=False)
    planned_month = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12)

    class Meta:
        model = PlanEntry
        fields = ["id", "unit", "year", "title", "countries", "planned_members", "planned_month", "note"]
        extra_kwargs = {"year": {"min_value": 1900, "max_value": 2999}, "planned_members": {"min_value": 1}}


class PerDiemRateSerializer(serializers.ModelSerializer):
    country = CountryCodeField()
    city_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Leave empty for the rest of the country."),
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code, e.g. JPY."))

    class Meta:
        model = PerDiemRate
        fields = ["id", "country", "city_name", "currency", "lodging", "meals", "incidentals"]
        extra_kwargs = {
            "lodging": {"min_value": 0},
            "meals": {"min_value": 0},
            "incidentals": {"min_value": 0},
        }

    def validate_currency(self, value):
        return value.upper()
