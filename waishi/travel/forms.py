"""The application form (with its members, itinerary and budget) and the forms of the workflow steps."""

import re
from contextlib import suppress

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import Form, ModelForm, ModelMultipleChoiceField
from waishi.directory.fields import CountryChoiceField
from waishi.directory.models import Country, Organization, Person
from waishi.travel.choices import FIX_CONCERNS, BudgetKind, MemberRole
from waishi.travel.models import PerDiemRate, PlanEntry, Trip

NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


class TripForm(ModelForm):
    invitation_invitees = forms.CharField(
        label=_("invitees named in the invitation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names as written in the invitation, separated by 、 or new lines."),
    )
    invitation_file = forms.FileField(
        label=_("invitation (scan)"),
        required=False,
        help_text=_("PDF, OFD or image of the signed invitation."),
    )

    class Meta:
        model = Trip
        fields = [
            "applicant_unit",
            "category",
            "is_cross_unit",
            "sending_units",
            "mission",
            "depart_date",
            "return_date",
            "plan_entry",
            "inviter_name",
            "inviter_country",
            "inviter_kind",
            "invitation_from",
            "invitation_to",
            "invitation_invitees",
            "invitation_signed",
            "notice_from",
            "notice_to",
        ]
        field_classes = {"inviter_country": CountryChoiceField, "sending_units": ModelMultipleChoiceField}
        widgets = {
            "mission": forms.Textarea(attrs={"rows": 3}),
            "sending_units": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.fields["applicant_unit"].queryset = Organization.objects.restrict(user).filter(kind="unit")
        if user is not None and user.organization and user.organization.kind == "unit":
            self.fields["applicant_unit"].initial = user.organization
        # A cross-unit delegation may take members from any unit of the same office's jurisdiction.
        office = user.organization.office() if user is not None and user.organization else None
        self.fields["sending_units"].queryset = (
            Organization.objects.filter(path__startswith=office.path, kind="unit")
            if office
            else Organization.objects.none()
        )
        self.fields["plan_entry"].queryset = PlanEntry.objects.restrict(user)
        if self.instance.pk:
            self.initial["invitation_invitees"] = "、".join(self.instance.invitation_invitees or [])

    def clean_invitation_invitees(self):
        return [
            name for name in NAME_SEPARATORS.split(self.cleaned_data["invitation_invitees"] or "") if name
        ]

    def clean(self):
        cleaned = super().clean()
        depart, back = cleaned.get("depart_date"), cleaned.get("return_date")
        if depart and back and back < depart:
            self.add_error("return_date", _("The return date lies before the departure date."))
        if cleaned.get("is_cross_unit") and not cleaned.get("sending_units"):
            self.add_error("sending_units", _("A cross-unit delegation names the units that send members."))
        return cleaned


class MemberForm(Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people


class LegForm(Form):
    country = CountryChoiceField(label=_("country or region"))
    city = forms.CharField(label=_("city"), max_length=100)
    arrive = forms.DateField(label=_("arrival"))
    depart = forms.DateField(label=_("departure"))
    transit_airside = forms.BooleanField(label=_("airside transit"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("arrive") and cleaned.get("depart") and cleaned["depart"] < cleaned["arrive"]:
            self.add_error("depart", _("The departure lies before the arrival."))
        return cleaned


class BudgetForm(Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "---------"), *BudgetKind.choices])
    currency = forms.CharField(label=_("currency"), max_length=3, min_length=3, initial="CNY")
    amount = forms.DecimalField(label=_("amount"), max_digits=12, decimal_places=2, min_value=0)

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


MemberFormSet = forms.formset_factory(MemberForm, extra=1, can_delete=True)
LegFormSet = forms.formset_factory(LegForm, extra=1, can_delete=True)
BudgetFormSet = forms.formset_factory(BudgetForm, extra=1, can_delete=True)


def member_people(user, data=None, trip=None):
    """People a member may be: those the user sees, and those of the sending units of a cross-unit trip."""
    people = Person.objects.restrict(user)
    unit_ids = []
    if data is not None:
        units = ModelMultipleChoiceField(queryset=Organization.objects.all(), required=False)
        with suppress(ValidationError):  # the application form names a bad choice
            unit_ids = [unit.pk for unit in units.clean(data.getlist("sending_units"))]
    elif trip is not None and trip.pk:
        unit_ids = list(trip.sending_units.values_list("pk", flat=True))
    if unit_ids:
        people = people | Person.objects.filter(organization_id__in=unit_ids)
    return people.select_related("organization").distinct()


def rows(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class OpinionForm(Form):
    opinion = forms.CharField(label=_("opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(Form):
    """A step that asks nothing but the confirmation."""


class FixForm(Form):
    field = forms.ChoiceField(
        label=_("concerns"), required=False, choices=[("", "---------"), *FIX_CONCERNS.items()]
    )
    message = forms.CharField(label=_("correction required"), max_length=500)


FixFormSet = forms.formset_factory(FixForm, extra=3)


class BriefForm(Form):
    date = forms.DateField(label=_("date"))
    content = forms.CharField(
        label=_("content"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Foreign-affairs discipline, confidentiality and security abroad."),
    )
    attendees = ModelMultipleChoiceField(
        label=_("attendees"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, trip=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(trip_memberships__trip=trip)
        self.fields["attendees"].queryset = people
        self.fields["attendees"].initial = list(people)
        self.fields["date"].initial = trip.depart_date if trip else None


class DateForm(Form):
    date = forms.DateField(label=_("date"))


class ComeBackForm(Form):
    """One pair of border dates per member, with the countries the exit/entry record shows (optional)."""

    def __init__(self, *args, trip=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(trip.members.select_related("person"))
        for member in self.members:
            self.fields[f"exit_{member.person_id}"] = forms.DateField(
                label=_("%(name)s: exit date") % {"name": member.person}, initial=trip.depart_date
            )
            self.fields[f"entry_{member.person_id}"] = forms.DateField(
                label=_("%(name)s: entry date") % {"name": member.person}, initial=trip.return_date
            )
            self.fields[f"countries_{member.person_id}"] = forms.ModelMultipleChoiceField(
                label=_("%(name)s: countries in the border record") % {"name": member.person},
                queryset=Country.objects.all(),
                required=False,
                to_field_name="code",
                widget=forms.SelectMultiple(attrs={"size": 3}),
            )
        from waishi.core.forms import style

        style(self)

    def records(self) -> list[dict]:
        return [
            {
                "person": m.person_id,
                "exit_date": self.cleaned_data[f"exit_{m.person_id}"],
                "entry_date": self.cleaned_data[f"entry_{m.person_id}"],
                "countries": [c.code for c in self.cleaned_data[f"countries_{m.person_id}"]],
            }
            for m in self.members
        ]


class ReportForm(Form):
    text = forms.CharField(label=_("report"), widget=forms.Textarea(attrs={"rows": 6}))
    outcomes = forms.CharField(label=_("outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EvaluateForm(Form):
    score = forms.IntegerField(label=_("score"), min_value=0, max_value=100)
    comments = forms.CharField(
        label=_("evaluation comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(Form):
    item = forms.CharField(label=_("item"), max_length=300)
    owner = forms.CharField(label=_("owner"), max_length=100)
    due = forms.DateField(label=_("due"))


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=2)


class PlanEntryForm(ModelForm):
    class Meta:
        model = PlanEntry
        fields = ["unit", "year", "title", "countries", "planned_members", "planned_month", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(kind="unit")


class PerDiemRateForm(ModelForm):
    class Meta:
        model = PerDiemRate
        fields = ["country", "city_name", "currency", "lodging", "meals", "incidentals"]
        field_classes = {"country": CountryChoiceField}

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()
