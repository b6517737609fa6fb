"""Filters shared by the list pages, the API and the exports of travel records."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.directory.choices import OrganizationKind
from waishi.directory.models import Country, Organization
from waishi.travel.choices import TripCategory, TripState
from waishi.travel.models import PerDiemRate, PlanEntry, Trip
from waishi.travel.selectors import matching_trips


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): a decimal would reach the year lookup and fail there."""

    field_class = forms.IntegerField


class TripFilterSet(FilterSet):
    # A trip goes to its unit's office (``services``), which lies in the subtree of an office's staff: with
    # only their own office to choose, the office filters cannot narrow their list (core.filtersets).
    scope_filters = ("office", "office_tree")

    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = IntegerFilter(
        field_name="depart_date", lookup_expr="year", label=_("Year"), min_value=1900, max_value=2999
    )
    office = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.filter(kind=OrganizationKind.FAO), label=_("Office")
    )
    office_tree = django_filters.ModelChoiceFilter(
        field_name="office",
        queryset=Organization.objects.filter(kind=OrganizationKind.FAO),
        label=_("Office and the offices below"),
        method="within",
    )
    applicant_unit = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.all(), label=_("Applicant unit")
    )
    category = django_filters.ChoiceFilter(choices=TripCategory.choices, label=_("Category"))
    state = django_filters.MultipleChoiceFilter(choices=TripState.choices, label=_("State"))
    country = django_filters.ModelChoiceFilter(
        field_name="legs__country",
        queryset=Country.objects.all(),
        distinct=True,
        label=_("Country or region"),
    )
    person = IntegerFilter(field_name="members__person", distinct=True, label=_("Member"), min_value=1)
    approved_from = django_filters.DateFilter(
        field_name="approved_on", lookup_expr="gte", label=_("Approved from")
    )
    approved_to = django_filters.DateFilter(
        field_name="approved_on", lookup_expr="lte", label=_("Approved to")
    )

    class Meta:
        model = Trip
        fields = [
            "q",
            "year",
            "office",
            "office_tree",
            "applicant_unit",
            "category",
            "is_cross_unit",
            "state",
            "country",
            "person",
            "approved_from",
            "approved_to",
        ]

    def within(self, queryset, name, value):
        return queryset.filter(office__path__startswith=value.path) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return matching_trips(queryset, value)


class PlanEntryFilterSet(FilterSet):
    unit = django_filters.ModelChoiceFilter(queryset=Organization.objects.all(), label=_("Unit"))
    year = IntegerFilter(label=_("Year"), min_value=1900, max_value=2999)

    class Meta:
        model = PlanEntry
        fields = ["unit", "year"]


class PerDiemRateFilterSet(FilterSet):
    country = django_filters.ModelChoiceFilter(queryset=Country.objects.all(), label=_("Country or region"))
    currency = django_filters.CharFilter(lookup_expr="iexact", label=_("Currency"))

    class Meta:
        model = PerDiemRate
        fields = ["country", "currency"]
