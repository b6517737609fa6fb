"""Sister-city pages: partnerships (list, page, level, approvals, contacts), exchanges, targets with their
progress, 三个一批 for a year, and the map with the figures."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.core.errors import ApplicationError
from waishi.core.forms import Form
from waishi.core.generic import (
    DetailView,
    EditView,
    ExportView,
    ListView,
    ModelViews,
    RevealView,
    apply_error,
    field_rows,
    has_perm,
)
from waishi.core.services import attachment_add
from waishi.partners import forms as partner_forms
from waishi.partners import selectors, services
from waishi.partners.choices import Activity, PartnerLevel
from waishi.partners.filtersets import PartnerExchangeFilterSet, PartnershipFilterSet, TargetFilterSet
from waishi.partners.importers import PartnershipImporter
from waishi.partners.models import Contact, PartnerExchange, Partnership, Target
from waishi.partners.tables import PartnerExchangeTable, PartnershipTable, TargetTable


def parse_date(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --- partnerships ---------------------------------------------------------------------------------------


class AsOfMixin:
    """The list and its export show the activity as of ``?as_of=`` (today by default)."""

    def filtered(self):
        as_of = parse_date(self.request.GET.get("as_of"), selectors.today())
        queryset = (
            self.config.queryset(self.request.user)
            .select_related(*selectors.LIST_RELATED)
            .with_activity(as_of)
        )
        filterset = self.config.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset)


class PartnershipListView(AsOfMixin, ListView):
    """The partnership list with each activity as of the chosen date."""


class PartnershipExportView(AsOfMixin, ExportView):
    """The export of that list, with the same date."""


def page_forms(data=None, files=None, user=None):
    return {
        "level": partner_forms.ChangeLevelForm(data, files, prefix="level"),
        "approval": partner_forms.ApprovalForm(data, files, prefix="approval"),
        "contact": partner_forms.ContactForm(data, prefix="contact", user=user),
    }


class PartnershipDetailView(DetailView):
    def get(self, request, pk):
        partnership = self.config.get_object(request.user, pk)
        return self.render_page(partnership, {})

    def render_page(self, partnership, bound, status=200):
        from waishi.core.generic import AttachmentForm, JournalForm, related_records
        from waishi.core.models import Attachment, JournalEntry

        user = self.request.user
        filters = related_records(partnership)
        forms_ = page_forms(user=user)
        forms_.update(bound)
        return render(
            self.request,
            "partners/partnership_detail.html",
            self.context(
                object=partnership,
                fields=field_rows(partnership, self.config.detail_fields, user),
                page=selectors.partnership_page(partnership),
                forms=forms_,
                journal=JournalEntry.objects.filter(**filters).select_related("author")[:50],
                attachments=Attachment.objects.filter(**filters).select_related("uploaded_by"),
                journal_form=JournalForm(),
                attachment_form=AttachmentForm(),
                can_record_exchange=user.has_perm("partners.add_partnerexchange"),
                can_reveal_contacts=has_perm(user, Contact, "reveal"),
            ),
            status=status,
        )


class PartnershipActionView(PartnershipDetailView):
    """POST one of the partnership page's forms: a level change, an approval stage or a contact."""

    def get(self, request, pk, action):
        return HttpResponseRedirect(self.config.get_object(request.user, pk).get_absolute_url())

    def post(self, request, pk, action):
        if action not in {"level", "approval", "contact"}:
            raise Http404
        partnership = self.config.get_object(request.user, pk)
        form = page_forms(request.POST, request.FILES, user=request.user)[action]
        if form.is_valid():
            try:
                self.run(request.user, partnership, action, form)
            except ApplicationError as error:
                if error.status in (403, 409):
                    messages.error(request, error.message)
                    return HttpResponseRedirect(partnership.get_absolute_url())
                apply_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(partnership.get_absolute_url())
        return self.render_page(partnership, {action: form}, status=400)

    @staticmethod
    def run(user, partnership, action, form):
        data = form.cleaned_data
        if action == "contact":
            return services.contact_add(actor=user, partnership=partnership, contact=form.save(commit=False))
        # A scan goes in as an attachment of the partnership first; a refusal below rolls it back.
        from django.db import transaction

        with transaction.atomic():
            document = None
            if data.get("document"):
                document = attachment_add(
                    actor=user,
                    obj=partnership,
                    upload=data["document"],
                    description=str(form.fields["document"].label),
                    purpose=services.PURPOSE_LEVEL if action == "level" else services.PURPOSE_APPROVAL,
                )
            if action == "level":
                return services.partnership_change_level(
                    actor=user,
                    partnership=partnership,
                    level=data["level"],
                    on=data["date"],
                    document=document,
                    note=data["note"],
                    version=int(form.data.get("_version") or partnership.version),
                )
            return services.approval_record(
                actor=user,
                partnership=partnership,
                stage=data["stage"],
                on=data["date"],
                reference=data["reference"],
                document=document,
                note=data["note"],
            )


class ContactDeleteView(PartnershipDetailView):
    def post(self, request, pk, contact_pk):
        partnership = self.config.get_object(request.user, pk)
        contact = get_object_or_404(Contact, pk=contact_pk, partnership=partnership)
        try:
            services.contact_remove(actor=request.user, contact=contact)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Contact removed."))
        return HttpResponseRedirect(partnership.get_absolute_url() + "#contacts")

    def get(self, request, pk, contact_pk):
        return HttpResponseRedirect(self.config.get_object(request.user, pk).get_absolute_url())


class ContactRevealView(RevealView):
    """POST a reason, get a contact's full phone number in a fragment (htmx), as on the generic page."""

    def post(self, request, pk, contact_pk):
        partnership = self.config.get_object(request.user, pk)
        contacts = Contact.objects.restrict(request.user)
        contact = get_object_or_404(contacts, pk=contact_pk, partnership=partnership)
        return self.reveal(request, contact, "phone")


class PartnershipViews(ModelViews):
    model = Partnership
    filterset_class = PartnershipFilterSet
    table_class = PartnershipTable
    form_class = partner_forms.PartnershipForm
    importer_class = PartnershipImporter
    allow_delete = False
    list_select_related = selectors.LIST_RELATED
    detail_fields = ["office", "city", "level", "signed_on", "level_since", "note"]
    view_overrides = {"": PartnershipDetailView, "list": PartnershipListView, "export": PartnershipExportView}

    @staticmethod
    def create(*, actor, obj, extra):
        city = obj.city if obj.city_id else None
        if city is None:
            city = services.find_or_create_city(
                actor=actor,
                country=extra["new_city_country"],
                name_zh=extra.get("new_city_name_zh", ""),
                name_en=extra.get("new_city_name_en", ""),
            )
        return services.partnership_create(
            actor=actor, office=obj.office, city=city, level=obj.level, signed_on=obj.signed_on, note=obj.note
        )

    @staticmethod
    def update(*, actor, obj, version, extra):
        return services.partnership_update(
            actor=actor, partnership=obj, version=version, signed_on=obj.signed_on, note=obj.note
        )


# --- exchanges and targets ------------------------------------------------------------------------------


class PartnerExchangeEditView(EditView):
    """The exchange form; ``?partnerships=<id>`` (from a partnership's page) ticks that partner."""

    def get(self, request, pk=None):
        if pk is not None:
            return super().get(request, pk)
        self.config.queryset(request.user, "add")
        wanted = [value for value in request.GET.getlist("partnerships") if value.isdigit()]
        form = self.config.form_class(user=request.user, initial={"partnerships": wanted})
        return self.render_form(form, None, None)


class PartnerExchangeViews(ModelViews):
    model = PartnerExchange
    url_segment = "exchanges"
    filterset_class = PartnerExchangeFilterSet
    table_class = PartnerExchangeTable
    form_class = partner_forms.PartnerExchangeForm
    list_select_related = ("office", "trip__applicant_unit")
    list_prefetch_related = ("partnerships__city__country",)
    detail_fields = [
        "partnerships",
        "date",
        "kind",
        "substantive",
        "summary",
        "participants",
        "trip",
        "office",
    ]
    view_overrides = {"add": PartnerExchangeEditView, "edit": PartnerExchangeEditView}

    @staticmethod
    def create(*, actor, obj, extra):
        return services.exchange_create(actor=actor, exchange=obj, partnerships=list(extra["partnerships"]))

    @staticmethod
    def update(*, actor, obj, version, extra):
        return services.exchange_update(
            actor=actor, exchange=obj, version=version, partnerships=list(extra["partnerships"])
        )

    @staticmethod
    def delete(*, actor, obj):
        services.exchange_delete(actor=actor, exchange=obj)


class TargetDetailView(DetailView):
    """The target's fields with its progress and the partners behind it."""

    def context(self, **extra):
        data = super().context(**extra)
        if "object" in data:
            data["progress"] = selectors.target_progress(data["object"])
        return data


class TargetViews(ModelViews):
    model = Target
    filterset_class = TargetFilterSet
    table_class = TargetTable
    form_class = partner_forms.TargetForm
    list_select_related = ("office",)
    detail_template = "partners/target_detail.html"
    detail_fields = ["office", "metric", "level", "value", "start", "deadline", "include_lower", "note"]
    view_overrides = {"": TargetDetailView}


# --- pages built from figures ---------------------------------------------------------------------------


class ScopeForm(Form):
    """Which partnerships a figures page counts: an office of the user's (and those below it)."""

    office = forms.ModelChoiceField(label=gettext_lazy("office"), queryset=None, required=False)
    include_lower = forms.BooleanField(label=gettext_lazy("include lower offices"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = selectors.offices(user)
        self.fields["office"].empty_label = gettext_lazy("All offices I can see")

    def scope(self, user):
        if not self.is_bound:
            return selectors.scoped(user)
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.scoped(user, data.get("office"), data.get("include_lower", False))


def _require(user, permission="partners.view_partnership"):
    if not user.has_perm(permission):
        raise PermissionDenied


def _scope_form(request, extra_fields):
    data = request.GET if any(k in request.GET for k in ("office", *extra_fields)) else None
    form = ScopeForm(data, user=request.user, initial={"include_lower": True})
    return form


def three_batches(request):
    """三个一批 for a chosen year, with the partners behind each number."""
    _require(request.user)
    this_year = selectors.today().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, 1950), this_year)
    form = _scope_form(request, ("year",))
    partnerships = form.scope(request.user)
    batches = selectors.three_batches_for_year(partnerships, year)
    return render(
        request,
        "partners/three_batches.html",
        {
            "form": form,
            "year": year,
            "years": list(range(this_year, this_year - 15, -1)),
            "batches": batches,
            "columns": [
                (
                    "opened",
                    _("Opened (开辟一批)"),
                    _("A letter of intent or an agreement signed in the year."),
                    batches.opened,
                ),
                (
                    "strengthened",
                    _("Strengthened (强化一批)"),
                    _("Active at the end of the year, with a substantive exchange in the year."),
                    batches.strengthened,
                ),
                (
                    "reactivated",
                    _("Reactivated (激活一批)"),
                    _("Occasional or dormant at the start of the year, active at its end."),
                    batches.reactivated,
                ),
            ],
            "new_intents": selectors.new_intents(partnerships, batches.start, batches.end),
            "previous_intents": selectors.new_intents(
                partnerships, date(year - 1, 1, 1), date(year - 1, 12, 31)
            ),
        },
    )


def targets(request):
    """Each target of the user's offices with its progress bar and the partners behind it."""
    _require(request.user, "partners.view_target")
    recent, earlier = selectors.recent_targets(request.user)
    return render(
        request,
        "partners/targets.html",
        {
            "rows": selectors.targets_progress(recent),
            "earlier": earlier,
            "can_add": request.user.has_perm("partners.add_target"),
            "today": selectors.today(),
        },
    )


def map_page(request):
    """World map (land outlines only, no borders) with partner cities as points; figures as tables and
    bar charts."""
    _require(request.user)
    as_of = parse_date(request.GET.get("as_of"), selectors.today())
    form = _scope_form(request, ("as_of",))
    partnerships = form.scope(request.user)
    points, missing = selectors.map_points(partnerships, as_of)
    figures = selectors.figures(partnerships, as_of)
    return render(
        request,
        "partners/map.html",
        {
            "form": form,
            "as_of": as_of,
            "points": points,
            "missing": missing,
            "figures": figures,
            "map_data": {
                "land": static("vendor/world-atlas/land-110m.json"),
                "points": points,
                "levels": {k: str(v) for k, v in PartnerLevel.choices},
                "activities": {k: str(v) for k, v in Activity.choices},
            },
            "charts": {
                "continent": figures["by_continent"],
                "country": [(name, n) for name, _code, n in figures["by_country"][:20]],
                "level": figures["by_level"],
                "tier": figures["by_tier"],
            },
        },
    )
