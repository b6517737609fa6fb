import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.directory.models import City, Country, Organization, Person
from waishi.directory.search import person_search


class OrganizationFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Organization
        fields = ["q", "kind", "level", "parent", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__contains=value) | Q(short_name__contains=value) | Q(code__icontains=value)
        )


class PersonFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Name or pinyin"), method="search")

    class Meta:
        model = Person
        fields = ["q", "organization", "gender", "rank", "is_active"]

    def search(self, queryset, name, value):
        return person_search(queryset, value)


class CountryFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Country
        fields = ["q", "continent", "is_region", "apostille", "off_limits", "extended_stay"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name_zh__contains=value) | Q(name_en__icontains=value) | Q(code__iexact=value)
        )


class CityFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = City
        fields = ["q", "country"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name_zh__contains=value) | Q(name_en__icontains=value))
