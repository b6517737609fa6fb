import django_filters
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.directory.filtersets import person_search
from waishi.directory.models import Person
from waishi.passports.choices import DocumentState
from waishi.passports.models import TravelDocument


class TravelDocumentFilterSet(FilterSet):
    q = django_filters.CharFilter(label=_("Holder or exact number"), method="search")
    state = django_filters.ChoiceFilter(label=_("state"), choices=DocumentState.choices)
    expires_before = django_filters.DateFilter(
        label=_("expires before"), field_name="expires", lookup_expr="lt"
    )

    class Meta:
        model = TravelDocument
        fields = ["q", "kind", "state", "custodian", "person__organization", "expires_before"]

    def search(self, queryset, name, value):
        by_number = TravelDocument.objects.blind_match("number", value).values("pk")
        people = person_search(Person.objects.all(), value).values("pk")
        return queryset.filter(pk__in=by_number) | queryset.filter(person__in=people)
