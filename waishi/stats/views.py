"""The dashboard, the statistics JSON and the annual report downloads."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from waishi.core.audit import audit
from waishi.core.docx import DOCX_TYPE, disposition
from waishi.core.forms import Form
from waishi.stats import report, selectors
from waishi.travel.choices import TripCategory, TripState


class ScopeForm(Form):
    office = forms.ModelChoiceField(label=_("office"), queryset=None, empty_label=None)
    start = forms.DateField(label=_("from"))
    end = forms.DateField(label=_("to"))
    include_lower = forms.BooleanField(label=_("include the offices below"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = selectors.offices(user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end lies before the start."))
        return cleaned


def scope_from_request(request) -> tuple[ScopeForm, selectors.Scope]:
    """The office and span asked for, or the user's office and this year to date."""
    offices = selectors.offices(request.user)
    if not request.user.has_perm("travel.view_statistics") or not offices.exists():
        raise PermissionDenied
    today = timezone.localdate()
    own = request.user.organization.office() if request.user.organization else None
    initial = {
        "office": own if own and offices.filter(pk=own.pk).exists() else offices.first(),
        "start": date(today.year, 1, 1),
        "end": today,
    }
    form = ScopeForm(request.GET or None, initial=initial, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.Scope(data["office"], data["start"], data["end"], data["include_lower"])
    return form, selectors.Scope(initial["office"], initial["start"], initial["end"])


def trip_list_url(scope: selectors.Scope, **filters) -> str:
    """The trip list filtered to the records behind a number."""
    query = {"approved_from": scope.start.isoformat(), "approved_to": scope.end.isoformat(), **filters}
    query["office_tree" if scope.include_lower else "office"] = scope.office.pk
    return f"{reverse('travel:trip_list')}?{urlencode(query, doseq=True)}"


def partnership_list_url(scope: selectors.Scope, **filters) -> str:
    query = {
        "office": scope.office.pk,
        "signed_from": scope.start.isoformat(),
        "signed_to": scope.end.isoformat(),
        **filters,
    }
    return f"{reverse('partners:partnership_list')}?{urlencode(query, doseq=True)}"


CHART_COUNTRIES = 15  # bars of the countries chart; the table below it lists them all


def month_labels(months: list[date]) -> list[str]:
    """Months as the reader writes them: within one year the month alone (6月, Jun), across years with
    the year (2026年6月, June 2026)."""
    if len({month.year for month in months}) > 1:
        return [date_format(month, "YEAR_MONTH_FORMAT") for month in months]
    # Translators: a Django date format for a month on a chart axis within one year (Chinese: n月).
    month_only = pgettext("date format", "M")
    return [date_format(month, month_only) for month in months]


def dashboard(request):
    form, scope = scope_from_request(request)
    data = selectors.statistics(scope)
    outbound = data["outbound"]
    cards = [
        {
            "label": _("Delegations approved"),
            "value": outbound["batches"],
            "unit": _("batches"),
            "sub": outbound["person_times"],
            "sub_unit": _("person-times"),
            "url": trip_list_url(scope),
            "change": data["change"]["outbound"]["batches"],
            "previous": data["previous"]["outbound"]["batches"],
        },
        {
            "label": _("Cross-unit delegations"),
            "value": outbound["cross_unit"]["batches"],
            "unit": _("batches"),
            "sub": outbound["cross_unit"]["person_times"],
            "sub_unit": _("person-times"),
            "url": trip_list_url(scope, is_cross_unit="true"),
        },
        {
            "label": _("Hong Kong and Macao"),
            "value": outbound["hkmo"]["batches"],
            "unit": _("batches"),
            "sub": outbound["hkmo"]["person_times"],
            "sub_unit": _("person-times"),
            "url": trip_list_url(scope, category=TripCategory.HKMO),
        },
        {
            "label": _("Did not travel"),
            "value": outbound["cancelled"]["batches"],
            "unit": _("batches"),
            "sub": outbound["cancelled"]["person_times"],
            "sub_unit": _("person-times"),
            "url": trip_list_url(scope, state=TripState.CANCELLED),
        },
        {
            "label": _("Countries and regions"),
            "value": outbound["countries"],
            "unit": "",
            "sub": _("countries: %(countries)s, regions of China: %(regions)s")
            % {"countries": outbound["countries"] - outbound["regions"], "regions": outbound["regions"]},
            "note": _("delegations that travelled: %(batches)s")
            % {"batches": outbound["travelled"]["batches"]},
            "url": trip_list_url(scope, state=list(selectors.TRAVELLED)),
        },
        {
            "label": _("Collection rate"),
            "value": report.percent(data["passports"]["collection_rate"]),
            "unit": "",
            "sub": f"{data['passports']['returned_on_time']}/{data['passports']['due']}",
            "url": f"{reverse('passports:figures')}?from={scope.start}&to={scope.end}",
        },
        {
            "label": _("Custody rate"),
            "value": report.percent(data["passports"]["custody_rate"]),
            "unit": "",
            "url": reverse("passports:custody"),
        },
        {
            "label": _("New letters of intent"),
            "value": data["partners"]["new_intents"],
            "unit": "",
            "url": partnership_list_url(scope, level="intent"),
        },
    ]
    places = selectors.places_visited(scope)
    months = selectors.by_month(scope)
    labels = month_labels([month for month, _batches, _people in months])
    charts = {
        "months": [
            [label, batches, people] for label, (_m, batches, people) in zip(labels, months, strict=True)
        ],
        "categories": [
            [str(_("Abroad")), outbound["batches"] - outbound["hkmo"]["batches"]],
            [str(_("Hong Kong or Macao")), outbound["hkmo"]["batches"]],
        ],
        "countries": places["countries"],
        "chart_countries": places["countries"][:CHART_COUNTRIES],
        "regions": places["regions"],
        "points": report.country_points(places["countries"] + places["regions"]),
        "labels": {"batches": str(_("batches")), "person_times": str(_("person-times"))},
        "place_url": trip_list_url(scope, state=list(selectors.TRAVELLED)),
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "data": data,
            "cards": cards,
            "charts": charts,
            "report_query": request.GET.urlencode(),
        },
    )


def annual_report(request, fmt: str):
    _form, scope = scope_from_request(request)
    audit(
        "data.export",
        user=request.user,
        obj=scope.office,
        detail={
            "report": "annual",
            "format": fmt,
            "from": scope.start.isoformat(),
            "to": scope.end.isoformat(),
        },
    )
    if fmt == "xlsx":
        response = HttpResponse(
            report.workbook(scope),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = disposition(report.filename(scope, "xlsx"))
        return response
    response = HttpResponse(report.document(scope), content_type=DOCX_TYPE)
    response["Content-Disposition"] = disposition(report.filename(scope, "docx"))
    return response
