"""Excel column maps: annual plans, per-diem rates, and past years' trips (see core.excel)."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.core.excel import Column, Importer, Pending, RowError
from waishi.directory.models import Country, Organization, Person
from waishi.travel import services
from waishi.travel.choices import TripCategory, TripState
from waishi.travel.forms import PerDiemRateForm, PlanEntryForm
from waishi.travel.models import PerDiemRate, PlanEntry, Trip

APPROVAL_NUMBER = re.compile(r"〔(\d{4})〕(\d+)号")
NAMES = re.compile(r"[、,，;；\s]+")


class PlanEntryImporter(Importer):
    model = PlanEntry
    form_class = PlanEntryForm
    key = ("unit", "year", "title")
    columns = [
        Column("unit", required=True, lookup="name"),
        Column("year", required=True),
        Column("title", required=True),
        Column("planned_members"),
        Column("planned_month"),
        Column("note"),
    ]


class PerDiemRateImporter(Importer):
    """Rows of the per-diem table; the country is named in Chinese (日本) or by its code (JP)."""

    model = PerDiemRate
    form_class = PerDiemRateForm
    key = ("country", "city_name")
    columns = [
        Column("country", required=True, lookup="name_zh"),
        Column("city_name"),
        Column("currency", required=True),
        Column("lodging", required=True),
        Column("meals", required=True),
        Column("incidentals", required=True),
    ]

    def cell_to_form(self, actor, column, value):
        if (
            column.field == "country"
            and isinstance(value, str)
            and len(value.strip()) == 2
            and value.strip().isascii()
        ):
            return value.strip().upper()
        return super().cell_to_form(actor, column, value)


class HistoricalTripForm(forms.Form):
    """One row of the historical-trip template, validated before anything is written."""

    applicant_unit = forms.ModelChoiceField(queryset=Organization.objects.none())
    category = forms.ChoiceField(choices=TripCategory.choices)
    is_cross_unit = forms.BooleanField(required=False)
    mission = forms.CharField()
    depart_date = forms.DateField()
    return_date = forms.DateField()
    countries = forms.CharField()
    head = forms.CharField()
    members = forms.CharField(required=False)
    approval_number = forms.CharField(required=False)
    approved_on = forms.DateField()
    state = forms.ChoiceField(
        choices=[
            (TripState.CLOSED, TripState.CLOSED.label),
            (TripState.CANCELLED, TripState.CANCELLED.label),
            (TripState.APPROVED, TripState.APPROVED.label),
        ]
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["applicant_unit"].queryset = Organization.objects.restrict(user).filter(kind="unit")

    def clean_countries(self):
        found = []
        for name in NAMES.split(self.cleaned_data["countries"]):
            if not name:
                continue
            country = (
                Country.objects.filter(name_zh=name).first()
                or Country.objects.filter(code=name.upper()).first()
            )
            if country is None:
                raise forms.ValidationError(_("Unknown country or region: %(name)s") % {"name": name})
            found.append(country)
        return found

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("applicant_unit")
        if unit is None:
            return cleaned
        people = Person.objects.restrict(self.user)
        names = [cleaned.get("head", "")] + [n for n in NAMES.split(cleaned.get("members") or "") if n]
        persons = []
        for name in names:
            matches = list(people.filter(name=name, organization=unit)[:2]) or list(
                people.filter(name=name)[:2]
            )
            if len(matches) != 1:
                message = (
                    _("No person named %(name)s.")
                    if not matches
                    else _("Several people are named %(name)s: import them under distinct names first.")
                )
                self.add_error("head" if name == names[0] else "members", message % {"name": name})
                return cleaned
            persons.append(matches[0])
        cleaned["persons"] = persons
        number = cleaned.get("approval_number") or ""
        if number and not APPROVAL_NUMBER.search(number):
            self.add_error("approval_number", _("Write the number as 景外审〔2023〕13号."))
        if (
            cleaned.get("depart_date")
            and cleaned.get("return_date")
            and cleaned["return_date"] < cleaned["depart_date"]
        ):
            self.add_error("return_date", _("The return date lies before the departure date."))
        return cleaned


class TripImporter(Importer):
    """Past years' trips, already decided: each row is one delegation (documented in docs/travel.md),
    written row by row through the travel service (members, legs, approval number)."""

    model = Trip
    bulk = False
    form_class = HistoricalTripForm
    key = ("applicant_unit", "depart_date", "mission")
    columns = [
        Column("applicant_unit", required=True, lookup="name"),
        Column("category", required=True),
        Column("is_cross_unit"),
        Column("mission", required=True),
        Column("depart_date", required=True),
        Column("return_date", required=True),
        Column("countries", required=True, label=gettext_lazy("countries and regions")),
        Column("head", required=True, label=gettext_lazy("head of delegation")),
        Column("members", label=gettext_lazy("other members")),
        Column("approval_number"),
        Column("approved_on", required=True),
        Column("state", required=True),
    ]

    def _validate_row(self, actor, number, data, pending, seen_keys, report):
        form = HistoricalTripForm(data, user=actor)
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    report.errors.append(
                        RowError(number, self.label(name) if name != "__all__" else "", message)
                    )
            return
        row = form.cleaned_data
        key = (row["applicant_unit"].pk, row["depart_date"], row["mission"])
        if key in seen_keys:
            report.errors.append(
                RowError(number, "", _("Same trip as row %(row)d.") % {"row": seen_keys[key]})
            )
            return
        seen_keys[key] = number
        exists = Trip.objects.filter(
            applicant_unit=row["applicant_unit"], depart_date=row["depart_date"], mission=row["mission"]
        ).exists()
        pending.append(Pending(row, created=not exists, changed=not exists))

    def save(self, actor, obj, created):
        match = APPROVAL_NUMBER.search(obj["approval_number"] or "")
        services.trip_import(
            actor=actor,
            application=services.Application(
                fields={
                    name: obj[name]
                    for name in (
                        "applicant_unit",
                        "category",
                        "is_cross_unit",
                        "mission",
                        "depart_date",
                        "return_date",
                    )
                },
                members=[
                    {"person": p, "role": "head" if i == 0 else "member"}
                    for i, p in enumerate(obj["persons"])
                ],
                legs=[
                    {"country": c, "city": "", "arrive": obj["depart_date"], "depart": obj["return_date"]}
                    for c in obj["countries"]
                ],
                budget=[],
            ),
            state=obj["state"],
            approved_on=obj["approved_on"],
            approval_number=obj["approval_number"] or "",
            approval_seq=int(match.group(2)) if match else None,
        )
