"""Custody pages: the safe now, every document with its ledger, movements, receipts, the two rates."""

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.core.errors import ApplicationError
from waishi.core.generic import DetailView, ModelViews, field_rows
from waishi.directory.models import Organization
from waishi.passports import forms, selectors, services
from waishi.passports.choices import Custody, DocumentState
from waishi.passports.filtersets import TravelDocumentFilterSet
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.rules import add_months
from waishi.passports.tables import MovementTable, TravelDocumentTable

# Movement name → (its form, the custodies it starts from).
MOVEMENTS = {
    "check_out": (forms.CheckOutForm, {Custody.IN_CUSTODY}),
    "return": (forms.ReturnForm, {Custody.CHECKED_OUT}),
    "report_lost": (forms.NoteMovementForm, {Custody.IN_CUSTODY, Custody.CHECKED_OUT}),
    "deposit": (forms.ReturnForm, {Custody.LOST}),
    "cancel": (forms.NoteMovementForm, {Custody.IN_CUSTODY, Custody.LOST}),
}
LABELS = {
    "check_out": gettext_lazy("Check out for a trip"),
    "return": gettext_lazy("Take back"),
    "report_lost": gettext_lazy("Report lost"),
    "deposit": gettext_lazy("Found: back into custody"),
    "cancel": gettext_lazy("Cancel the document"),
}


def run_movement(user, document, name, data):
    common = {"actor": user, "document": document, "on": data["date"]}
    if name == "check_out":
        return services.document_check_out(
            **common,
            trip=data["trip"],
            handed_over_by=data["handed_over_by"],
            received_by=data["received_by"],
        )
    if name == "return":
        return services.document_return(
            **common, handed_over_by=data["handed_over_by"], received_by=data["received_by"]
        )
    if name == "report_lost":
        return services.document_report_lost(
            **common, note=data["note"], reported_by=data["handed_over_by"], received_by=data["received_by"]
        )
    if name == "deposit":
        return services.document_deposit(
            **common, handed_over_by=data["handed_over_by"], received_by=data["received_by"]
        )
    return services.document_cancel(
        **common, note=data["note"], handed_over_by=data["handed_over_by"], received_by=data["received_by"]
    )


class DocumentDetailView(DetailView):
    def get(self, request, pk, bound=None, status=200):
        document = self.config.get_object(request.user, pk)
        return self.render_document(document, bound or {}, status)

    def render_document(self, document, bound, status):
        user = self.request.user
        today = timezone.localdate()
        movements = []
        if user.has_perm("passports.keep_traveldocument"):
            movements = [
                {
                    "name": name,
                    "label": LABELS[name],
                    "form": bound.get(name) or form_class(document=document, user=user),
                }
                for name, (form_class, custodies) in MOVEMENTS.items()
                if document.custody in custodies
            ]
        movements_with_trips = document.movements.select_related("trip__applicant_unit")
        ledger = MovementTable(movements_with_trips, orderable=False)
        trips = {m.trip for m in movements_with_trips if m.trip_id}
        from waishi.travel.selectors import border_flags_by_trip

        flags = border_flags_by_trip(trips)
        flagged = [(trip, flags.get(trip.pk, {}).get(str(document.person_id))) for trip in trips]
        return render(
            self.request,
            "passports/document_detail.html",
            self.context(
                object=document,
                state=DocumentState(document.state_on(today)),
                fields=field_rows(document, self.config.detail_fields, user),
                movements=movements,
                ledger=ledger,
                **self.related(document),
                flagged=[(t, f) for t, f in flagged if f],
            ),
            status=status,
        )


class MovementView(DocumentDetailView):
    def get(self, request, pk, movement):
        return HttpResponseRedirect(self.config.get_object(request.user, pk).get_absolute_url())

    def post(self, request, pk, movement):
        if movement not in MOVEMENTS:
            raise Http404
        document = self.config.get_object(request.user, pk)
        form = MOVEMENTS[movement][0](request.POST, document=document, user=request.user)
        if form.is_valid():
            try:
                run_movement(request.user, document, movement, form.cleaned_data)
            except ApplicationError as error:
                if error.status == 400:
                    form.add_error(None, error.message)
                    return self.render_document(document, {movement: form}, 400)
                messages.error(request, error.message)
            else:
                messages.success(request, _("Recorded. The handover receipt is in the custody ledger below."))
            return HttpResponseRedirect(document.get_absolute_url())
        return self.render_document(document, {movement: form}, 400)


def receipt(request, pk):
    """The A4 handover receipt of one movement."""
    movement = get_object_or_404(CustodyMovement.objects.select_related("document__person", "trip"), pk=pk)
    if not TravelDocument.objects.restrict(request.user).filter(pk=movement.document_id).exists():
        raise Http404
    return render(request, "passports/receipt.html", {"movement": movement, "document": movement.document})


def document_list_url(**params) -> str:
    """The document list filtered by ``params`` (a list value repeats its parameter; None is left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    return f"{reverse('passports:traveldocument_list')}?{query}"


def custody(request):
    """What is in the safe now, what is out and with whom, what is overdue: each section's count, its first
    rows (WAISHI_SUMMARY_ROWS) and a link to all of them in the document list."""
    if not request.user.has_perm("passports.view_traveldocument"):
        raise PermissionDenied
    today = timezone.localdate()
    limit = settings.WAISHI_SUMMARY_ROWS
    query = request.GET.get("q", "").strip()[:50]
    documents = selectors.search(request.user, query) if query else selectors.documents(request.user)
    sections = selectors.custody_sections(documents, limit, today)
    for section in sections:
        sort = "due_date" if section.out else None
        section.url = document_list_url(q=query, state=section.states, sort=sort)
    expiring = selectors.expiring(request.user, today)
    months = selectors.expiry_months(request.user)
    return render(
        request,
        "passports/custody.html",
        {
            "query": query,
            "sections": sections,
            "expiring": list(expiring.order_by("expires", "pk")[:limit]),
            "expiring_count": expiring.count(),
            "expiring_url": document_list_url(
                valid_on=today, expires_before=add_months(today, months), sort="expires"
            ),
            "expiry_months": months,
        },
    )


def _date(value, default):
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def figures(request):
    """Collection rate and custody rate of an office (and the offices below it) for a period, with the
    records behind each number."""
    if not request.user.has_perm("passports.view_traveldocument"):
        raise PermissionDenied
    today = timezone.localdate()
    start = _date(request.GET.get("from"), date(today.year, 1, 1))
    end = _date(request.GET.get("to"), today)
    offices = Organization.objects.restrict(request.user).filter(kind="fao")
    office = (
        offices.filter(pk=request.GET.get("office")).first()
        if request.GET.get("office", "").isdigit()
        else None
    )
    documents = (
        selectors.office_documents(office, include_lower=True)
        if office is not None
        else TravelDocument.objects.restrict(request.user)
    )
    collection, checkouts = selectors.collection_rate(request.user, start, end, documents=documents)
    custody_value = selectors.custody_rate_on(documents, min(end, today))
    rate, counted = selectors.custody_rate(request.user, today, documents=documents)
    limit = settings.WAISHI_SUMMARY_ROWS
    office_pk = office.pk if office is not None else None
    return render(
        request,
        "passports/figures.html",
        {
            "start": start,
            "end": end,
            "collection": collection,
            "checkouts": selectors.late_first(checkouts, limit),
            "checkout_documents": selectors.checked_out_documents(checkouts),
            "checkouts_url": document_list_url(
                office_tree=office_pk, due_back_after=start, due_back_before=end
            ),
            "custody_value": custody_value,
            "counted": rate.denominator,
            # The counted documents not in custody now: the valid ones overdue (the others are in the safe).
            "not_in_custody": list(
                counted.filter(custody=Custody.CHECKED_OUT).order_by("due_date", "pk")[:limit]
            ),
            "not_in_custody_count": rate.denominator - rate.numerator,
            "not_in_custody_url": document_list_url(
                office_tree=office_pk, state=DocumentState.OVERDUE, valid_on=today, sort="due_date"
            ),
            "today": min(end, today),
            "offices": offices,
            "office": office,
        },
    )


class TravelDocumentViews(ModelViews):
    model = TravelDocument
    url_segment = "documents"
    filterset_class = TravelDocumentFilterSet
    table_class = TravelDocumentTable
    form_class = forms.TravelDocumentForm
    allow_delete = False
    list_select_related = ("person__organization", "custodian", "trip__applicant_unit")
    detail_fields = [
        "person",
        "kind",
        "number",
        "issued",
        "expires",
        "authority",
        "custodian",
        "due_date",
        "trip",
    ]
    view_overrides = {"": DocumentDetailView}

    @classmethod
    def annotate(cls, queryset):
        return queryset.with_state(timezone.localdate())

    @staticmethod
    def create(*, actor, obj, extra):
        return services.document_register(
            actor=actor,
            document=obj,
            on=extra["date"],
            handed_over_by=extra["handed_over_by"],
            received_by=extra["received_by"],
        )
