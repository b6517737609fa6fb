"""Trip pages: the list, the application form, the application page with its workflow steps, documents."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from waishi.core.errors import ApplicationError
from waishi.core.generic import ConfiguredView, DetailView, ModelViews, RelatedRows, apply_error
from waishi.core.services import attachment_add
from waishi.travel import documents, forms, rules, selectors, services, tables
from waishi.travel.choices import TripState
from waishi.travel.filtersets import PerDiemRateFilterSet, PlanEntryFilterSet, TripFilterSet
from waishi.travel.importers import PerDiemRateImporter, PlanEntryImporter, TripImporter
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripLeg, TripMember


class TripEditView(ConfiguredView):
    """The application: the trip's fields and its members, itinerary and budget in one form."""

    def forms(self, trip=None, data=None, files=None):
        user = self.request.user
        form = forms.TripForm(data, files, instance=trip, user=user)
        initial = {}
        if trip is not None and trip.pk and data is None:
            initial = {
                "members": [{"person": m.person, "role": m.role} for m in trip.members.all()],
                "legs": [
                    {
                        "country": leg.country,
                        "city": leg.city,
                        "arrive": leg.arrive,
                        "depart": leg.depart,
                        "transit_airside": leg.transit_airside,
                    }
                    for leg in trip.legs.all()
                ],
                "budget": [
                    {"kind": b.kind, "currency": b.currency, "amount": b.amount} for b in trip.budget.all()
                ],
            }
        members = forms.MemberFormSet(
            data,
            prefix="members",
            initial=initial.get("members"),
            form_kwargs={"people": forms.member_people(user, data, trip)},
        )
        legs = forms.LegFormSet(data, prefix="legs", initial=initial.get("legs"))
        budget = forms.BudgetFormSet(data, prefix="budget", initial=initial.get("budget"))
        return form, members, legs, budget

    def get_trip(self, pk):
        if pk is None:
            self.config.queryset(self.request.user, "add")
            return None
        return self.config.get_object(self.request.user, pk, "change")

    def render_page(self, trip, form, members, legs, budget, status=200):
        return render(
            self.request,
            "travel/trip_form.html",
            self.context(
                object=trip,
                form=form,
                members=members,
                legs=legs,
                budget=budget,
                version=trip.version if trip else None,
            ),
            status=status,
        )

    def get(self, request, pk=None):
        trip = self.get_trip(pk)
        return self.render_page(trip, *self.forms(trip))

    def post(self, request, pk=None):
        trip = self.get_trip(pk)
        form, members, legs, budget = self.forms(trip, request.POST, request.FILES)
        if all(f.is_valid() for f in (form, members, legs, budget)):
            fields = {
                name: value
                for name, value in form.cleaned_data.items()
                if name not in {"sending_units", "invitation_file"}
            }
            application = services.Application(
                fields=fields,
                members=forms.rows(members),
                legs=forms.rows(legs),
                budget=forms.rows(budget),
                sending_units=list(form.cleaned_data.get("sending_units") or []),
            )
            try:
                if trip is None:
                    trip = services.trip_create(actor=request.user, application=application)
                else:
                    version = int(request.POST.get("_version") or trip.version)
                    trip = services.trip_update(
                        actor=request.user, trip=trip, version=version, application=application
                    )
                if form.cleaned_data.get("invitation_file"):
                    attachment_add(
                        actor=request.user,
                        obj=trip,
                        upload=form.cleaned_data["invitation_file"],
                        description=_("Invitation"),
                        purpose="invitation",
                    )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The application is saved."))
                return HttpResponseRedirect(trip.get_absolute_url())
        return self.render_page(trip, form, members, legs, budget, status=400)


# Workflow steps on the application page: (form, the permission it needs, button style).
STEPS = {
    "sign_off": (forms.OpinionForm, "travel.sign_off_trip", "primary"),
    "submit": (forms.EmptyForm, "travel.submit_trip", "primary"),
    "return": (None, "travel.review_trip", "warning"),
    "review": (forms.OpinionForm, "travel.review_trip", "primary"),
    "approve": (forms.OpinionForm, "travel.approve_trip", "success"),
    "reject": (forms.ReasonForm, "travel.approve_trip", "danger"),
    "cancel": (forms.ReasonForm, None, "outline-danger"),
    "brief": (forms.BriefForm, "travel.review_trip", "primary"),
    "depart": (forms.DateForm, "travel.review_trip", "primary"),
    "come_back": (forms.ComeBackForm, "travel.review_trip", "primary"),
    "report": (forms.ReportForm, "travel.report_trip", "primary"),
    "evaluate": (forms.EvaluateForm, "travel.review_trip", "primary"),
    "close": (forms.EmptyForm, "travel.review_trip", "secondary"),
}
# Steps offered beside the next step, never as it: cancelling is possible in most states but is not what the
# trip waits for.
SECONDARY_STEPS = {"cancel"}
STEP_LABELS = {
    "sign_off": gettext_lazy("Sign off"),
    "submit": gettext_lazy("Submit"),
    "return": gettext_lazy("Return for correction"),
    "review": gettext_lazy("Review"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "cancel": gettext_lazy("Cancel the trip"),
    "brief": gettext_lazy("Record briefing"),
    "depart": gettext_lazy("Record departure"),
    "come_back": gettext_lazy("Record return"),
    "report": gettext_lazy("File the report"),
    "evaluate": gettext_lazy("Evaluate"),
    "close": pgettext_lazy("trip step", "Close"),
}
STEP_STATES = {
    "sign_off": {TripState.DRAFT},
    "submit": {TripState.SIGNED_OFF, TripState.RETURNED},
    "return": {TripState.SUBMITTED},
    "review": {TripState.SUBMITTED},
    "approve": {TripState.REVIEWED, TripState.ESCALATED},
    "reject": {TripState.REVIEWED, TripState.ESCALATED},
    "cancel": {
        TripState.DRAFT,
        TripState.SIGNED_OFF,
        TripState.SUBMITTED,
        TripState.RETURNED,
        TripState.REVIEWED,
        TripState.ESCALATED,
        TripState.APPROVED,
        TripState.BRIEFED,
    },
    "brief": {TripState.APPROVED},
    "depart": {TripState.BRIEFED},
    "come_back": {TripState.DEPARTED},
    "report": {TripState.RETURNED_HOME},
    "evaluate": {TripState.REPORTED},
    "close": {TripState.EVALUATED},
}


def step_form(step: str, trip, data=None):
    form_class = STEPS[step][0]
    if step == "return":
        return forms.FixFormSet(data, prefix="fixes")
    if form_class in (forms.BriefForm, forms.ComeBackForm):
        return form_class(data, trip=trip)
    if form_class is forms.DateForm:
        initial = {"date": trip.depart_date if step == "depart" else None}
        return form_class(data, initial=initial)
    return form_class(data)


def available_steps(user, trip) -> list[str]:
    steps = []
    for step, (_form, permission, _style) in STEPS.items():
        if trip.state not in STEP_STATES[step]:
            continue
        if permission is None:
            allowed = user.has_perm("travel.submit_trip") or user.has_perm("travel.review_trip")
        else:
            allowed = user.has_perm(permission)
        if step in {"approve", "reject"}:
            allowed = allowed and trip.deciding_office_id == user.organization_id
        if step == "sign_off":
            allowed = allowed and trip.applicant_unit_id == user.organization_id
        if allowed:
            steps.append(step)
    return steps


def run_step(user, trip, step, form):
    data = getattr(form, "cleaned_data", None)
    if step == "sign_off":
        return services.trip_sign_off(actor=user, trip=trip, opinion=data["opinion"])
    if step == "submit":
        return services.trip_submit(actor=user, trip=trip)
    if step == "return":
        return services.trip_return(
            actor=user, trip=trip, fixes=[f.cleaned_data for f in form.forms if f.cleaned_data]
        )
    if step == "review":
        return services.trip_review(actor=user, trip=trip, opinion=data["opinion"])
    if step == "approve":
        return services.trip_approve(actor=user, trip=trip, opinion=data["opinion"])
    if step == "reject":
        return services.trip_reject(actor=user, trip=trip, reason=data["reason"])
    if step == "cancel":
        return services.trip_cancel(actor=user, trip=trip, reason=data["reason"])
    if step == "brief":
        return services.trip_brief(
            actor=user, trip=trip, on=data["date"], content=data["content"], attendees=list(data["attendees"])
        )
    if step == "depart":
        return services.trip_depart(actor=user, trip=trip, on=data["date"])
    if step == "come_back":
        return services.trip_come_back(actor=user, trip=trip, records=form.records())
    if step == "report":
        return services.trip_report(actor=user, trip=trip, text=data["text"], outcomes=data["outcomes"])
    if step == "evaluate":
        follow_ups = forms.FollowUpFormSet(form.data, prefix="follow_ups")
        items = (
            [f.cleaned_data for f in follow_ups.forms if f.is_valid() and f.cleaned_data]
            if follow_ups.is_valid()
            else []
        )
        return services.trip_evaluate(
            actor=user, trip=trip, score=data["score"], comments=data["comments"], follow_ups=items
        )
    return services.trip_close(actor=user, trip=trip)


def step_message(step: str, trip) -> str:
    """What the step did and what the trip waits for now, read from the trip the service returned."""
    if step == "review":
        if trip.state == TripState.ESCALATED:
            return _(
                "Reviewed and sent on to %(office)s for approval: a member's rank requires the decision of "
                "the superior office."
            ) % {"office": trip.deciding_office}
        return _("Reviewed and sent to the leader of %(office)s for approval.") % {
            "office": trip.deciding_office
        }
    if step == "approve":
        done = _("Approved: approval document %(number)s issued.") % {"number": trip.approval_number}
    else:
        done = _("%(step)s: done.") % {"step": STEP_LABELS[step]}
    waiting = selectors.waiting_for(trip)
    if not waiting:
        return done
    return pgettext("two sentences", "%(done)s %(next)s") % {"done": done, "next": waiting}


class TripDetailView(DetailView):
    def get(self, request, pk, step_forms=None, status=200):
        trip = self.config.get_object(request.user, pk)
        return self.render_trip(trip, step_forms or {}, status)

    def render_trip(self, trip, step_forms, status):
        from waishi.core.generic import field_rows

        request = self.request
        steps = available_steps(request.user, trip)
        forms_by_step = {step: step_forms.get(step) or step_form(step, trip) for step in steps}
        facts = rules.Facts.of(trip)  # the members, legs and budget, read once for the whole page
        budget_standard, unrated = documents.budget_comparison(trip, facts)
        response = render(
            request,
            "travel/trip_detail.html",
            self.context(
                object=trip,
                fields=field_rows(trip, self.config.detail_fields, request.user),
                findings=selectors.trip_findings(trip, facts),
                fixes=selectors.last_fixes(trip)
                if trip.state in {TripState.RETURNED, TripState.SUBMITTED}
                else [],
                changes=selectors.resubmission_changes(trip, request.user)
                if trip.state == TripState.SUBMITTED
                else [],
                flags=selectors.border_flags(trip),
                history=selectors.trip_history(trip),
                members=facts.members,
                legs=facts.legs,
                budget_rows=budget_standard,
                unrated=unrated,
                notice_complete_on=selectors.notice_complete_on(trip),
                report_due=selectors.report_due(trip),
                steps=[
                    {
                        "name": s,
                        "label": STEP_LABELS[s],
                        "style": STEPS[s][2],
                        "form": forms_by_step[s],
                        "secondary": s in SECONDARY_STEPS,
                    }
                    for s in steps
                ],
                main_steps=[s for s in steps if s not in SECONDARY_STEPS],
                waiting=selectors.waiting_for(trip),
                follow_up_formset=forms.FollowUpFormSet(prefix="follow_ups"),
                **self.related(trip),
            ),
            status=status,
        )
        return response


class TripStepView(TripDetailView):
    """POST one workflow step; errors come back on the application page, next to the step's form."""

    def post(self, request, pk, step):
        if step not in STEPS:
            raise Http404
        trip = self.config.get_object(request.user, pk)
        form = step_form(step, trip, request.POST)
        if form.is_valid():
            try:
                trip = run_step(request.user, trip, step, form)
            except ApplicationError as error:
                if error.status in (403, 409):
                    messages.error(request, error.message)
                    return HttpResponseRedirect(trip.get_absolute_url())
                findings = error.extra.get("findings")
                if findings:
                    messages.error(request, error.message)
                    return HttpResponseRedirect(trip.get_absolute_url() + "#findings")
                if hasattr(form, "add_error"):
                    apply_error(form, error)
                else:
                    messages.error(request, error.message)
                return self.render_trip(trip, {step: form}, status=400)
            messages.success(request, step_message(step, trip))
            return HttpResponseRedirect(trip.get_absolute_url())
        return self.render_trip(trip, {step: form}, status=400)

    def get(self, request, pk, step):
        return HttpResponseRedirect(self.config.get_object(request.user, pk).get_absolute_url())


class TripDocumentView(ConfiguredView):
    """The approval document, the task-and-budget form and the public notice: A4 page or .docx."""

    def get(self, request, pk, document, fmt):
        trip = self.config.get_object(request.user, pk)
        if document not in documents.DOCUMENTS or fmt not in {"print", "docx"}:
            raise Http404
        if document == "approval" and not trip.approval_number:
            raise Http404
        builder = documents.DOCUMENTS[document]
        if fmt == "docx":
            content = builder.docx(trip)
            response = HttpResponse(content, content_type=documents.DOCX_TYPE)
            response["Content-Disposition"] = documents.disposition(builder.filename(trip))
            return response
        return render(
            request, "travel/document_print.html", {"document": builder.context(trip), "trip": trip}
        )


class TripViews(ModelViews):
    model = Trip
    filterset_class = TripFilterSet
    table_class = tables.TripTable
    form_class = forms.TripForm
    importer_class = TripImporter
    allow_delete = False
    add_label = gettext_lazy("New application")  # as the menu and the form's page title name it
    list_select_related = ("applicant_unit",)
    # What the table shows and writes to an export (the application's date when it has no number yet).
    list_only = (
        "approval_number",
        "created_at",
        "applicant_unit__name",
        "category",
        "depart_date",
        "return_date",
        "state",
    )
    # The members' names and the stops' countries, as plain rows (see RelatedRows).
    list_related_rows = (
        RelatedRows(
            "delegation",
            "trip",
            TripMember.objects.annotate(name=F("person__name")).values_list(
                "trip", "role", "name", named=True
            ),
        ),
        RelatedRows(
            "itinerary",
            "trip",
            TripLeg.objects.annotate(country_name=F("country__name_zh")).values_list(
                "trip", "country_name", named=True
            ),
        ),
    )
    detail_fields = [
        "applicant_unit",
        "office",
        "deciding_office",
        "category",
        "is_cross_unit",
        "sending_units",
        "mission",
        "depart_date",
        "return_date",
        "plan_entry",
        "approval_number",
        "approved_on",
    ]
    view_overrides = {"add": TripEditView, "edit": TripEditView, "": TripDetailView}


class PlanEntryViews(ModelViews):
    model = PlanEntry
    url_segment = "plan"
    filterset_class = PlanEntryFilterSet
    table_class = tables.PlanEntryTable
    form_class = forms.PlanEntryForm
    importer_class = PlanEntryImporter
    list_select_related = ("unit",)
    detail_fields = ["unit", "year", "title", "countries", "planned_members", "planned_month", "note"]


class PerDiemRateViews(ModelViews):
    model = PerDiemRate
    url_segment = "per-diem"
    filterset_class = PerDiemRateFilterSet
    table_class = tables.PerDiemRateTable
    form_class = forms.PerDiemRateForm
    importer_class = PerDiemRateImporter
    list_select_related = ("country",)
    detail_fields = ["country", "city_name", "currency", "lodging", "meals", "incidentals"]
