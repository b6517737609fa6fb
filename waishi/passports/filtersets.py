import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from waishi.core.filtersets import FilterSet
from waishi.directory.choices import OrganizationKind
from waishi.directory.filtersets import person_search
from waishi.directory.models import Organization, Person
from waishi.passports.choices import DocumentState, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.selectors import office_documents


class TravelDocumentFilterSet(FilterSet):
    """The list, the API and the links of the summary pages (each section of the custody page, the records
    behind the rates) filter documents with these."""

    # With a single custodian to offer (choice_queryset) the filter cannot narrow the list (core.filtersets).
    scope_filters = ("custodian",)

    q = django_filters.CharFilter(label=_("Holder or exact number"), method="search")
    # Several states at once: the custody page's "expired, lost or cancelled" section is three.
    state = django_filters.MultipleChoiceFilter(
        label=_("state"), choices=DocumentState.choices, distinct=False
    )
    expires_before = django_filters.DateFilter(
        label=_("expires before"), field_name="expires", lookup_expr="lt"
    )
    valid_on = django_filters.DateFilter(label=_("valid on"), method="valid")
    office_tree = django_filters.ModelChoiceFilter(
        field_name="person__organization",  # what the API schema reads its type from
        queryset=Organization.objects.filter(kind=OrganizationKind.FAO),
        label=_("Office and the offices below"),
        method="within",
    )
    due_back = django_filters.DateFromToRangeFilter(label=_("checked out, due back"), method="due_back_in")

    class Meta:
        model = TravelDocument
        fields = [
            "q",
            "kind",
            "state",
            "custodian",
            "person__organization",
            "office_tree",
            "expires_before",
            "valid_on",
            "due_back",
        ]

    @classmethod
    def choice_queryset(cls, name: str, queryset, user):
        """The custodians: of the organizations the user knows of (``Organization.known_to``: a unit's
        documents are mostly kept by the office above it, which its clerk does not otherwise see), those that
        keep documents, to a user who may see documents. Whether one keeps any is one probe of the index of
        the documents by custodian: which keep a document the user sees would read every document he sees,
        a province's on every page."""
        if name != "custodian":
            return super().choice_queryset(name, queryset, user)
        if not user.has_perm("passports.view_traveldocument"):
            return queryset.none()
        keeps = Exists(TravelDocument.objects.filter(custodian=OuterRef("pk")))
        return queryset.filter(keeps, pk__in=Organization.known_to(user).values("pk"))

    def search(self, queryset, name, value):
        by_number = TravelDocument.objects.blind_match("number", value).values("pk")
        people = person_search(Person.objects.all(), value).values("pk")
        return queryset.filter(pk__in=by_number) | queryset.filter(person__in=people)

    def valid(self, queryset, name, value):
        """Not expired on that day, neither lost nor cancelled (the documents the custody rate counts)."""
        return queryset.valid_on(value)

    def within(self, queryset, name, value):
        """The documents of an office's people and of the offices and units below it: those the figures
        count (``selectors.office_documents``)."""
        return queryset.filter(pk__in=office_documents(value, include_lower=True).values("pk"))

    def due_back_in(self, queryset, name, value):
        """Documents with a check-out due back in the range (the collection rate's check-outs)."""
        if not value or (value.start is None and value.stop is None):
            return queryset
        checkouts = CustodyMovement.objects.filter(kind=MovementKind.CHECK_OUT)
        if value.start is not None:
            checkouts = checkouts.filter(due_date__gte=value.start)
        if value.stop is not None:
            checkouts = checkouts.filter(due_date__lte=value.stop)
        return queryset.filter(pk__in=checkouts.values("document"))
