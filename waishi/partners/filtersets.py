"""Filters shared by the list pages, the API and the exports of sister-city records."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.directory.choices import Continent, OrganizationLevel
from waishi.directory.models import Country, Organization
from waishi.partners.choices import Activity, ExchangeKind, PartnerLevel, TargetMetric
from waishi.partners.models import PartnerExchange, Partnership, Target


class OfficeFilter(django_filters.ModelChoiceFilter):
    """An office and the offices below it."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__path__startswith": value.path})


class PartnershipFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    as_of = django_filters.DateFilter(
        label=_("Activity as of"), method="keep", help_text=_("Today when empty.")
    )
    office = OfficeFilter(queryset=Organization.objects.filter(kind="fao"), label=_("Office (and below)"))
    tier = django_filters.ChoiceFilter(
        field_name="office__level", choices=OrganizationLevel.choices, label=_("Tier")
    )
    level = django_filters.MultipleChoiceFilter(choices=PartnerLevel.choices, label=_("Level"))
    activity = django_filters.ChoiceFilter(choices=Activity.choices, label=_("Activity"))
    continent = django_filters.ChoiceFilter(
        field_name="city__country__continent", choices=Continent.choices, label=_("Continent")
    )
    country = django_filters.ModelChoiceFilter(
        field_name="city__country",
        queryset=Country.objects.filter(is_region=False).exclude(code="CN"),
        label=_("Country"),
    )
    signed_from = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("Signed from"))
    signed_to = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("Signed to"))

    class Meta:
        model = Partnership
        fields = [
            "q",
            "as_of",
            "office",
            "tier",
            "level",
            "activity",
            "continent",
            "country",
            "signed_from",
            "signed_to",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(city__name_zh__contains=value)
            | Q(city__name_en__icontains=value)
            | Q(city__country__name_zh__contains=value)
            | Q(note__contains=value)
        )

    def keep(self, queryset, name, value):
        """The date is read by the view, which annotates the activity as of it."""
        return queryset


class PartnerExchangeFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    office = OfficeFilter(queryset=Organization.objects.filter(kind="fao"), label=_("Office (and below)"))
    partnership = django_filters.ModelChoiceFilter(
        field_name="partnerships",
        queryset=Partnership.objects.select_related("city__country"),
        label=_("Partner"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=ExchangeKind.choices, label=_("Kind"))
    substantive = django_filters.BooleanFilter(label=_("Substantive"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = PartnerExchange
        fields = ["q", "office", "partnership", "kind", "substantive", "date_from", "date_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(summary__contains=value)
            | Q(participants__contains=value)
            | Q(partnerships__city__name_zh__contains=value)
            | Q(partnerships__city__name_en__icontains=value)
        ).distinct()


class TargetFilterSet(FilterSet):
    office = OfficeFilter(queryset=Organization.objects.filter(kind="fao"), label=_("Office (and below)"))
    metric = django_filters.ChoiceFilter(choices=TargetMetric.choices, label=_("Metric"))

    class Meta:
        model = Target
        fields = ["office", "metric"]
