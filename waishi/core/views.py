"""Core pages: home with the work queue and the whole queue, global search, notifications, attachments,
audit and change logs."""

import json

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from waishi.core import config, services
from waishi.core.audit import AuditEvent, audit, audit_refusal
from waishi.core.errors import ApplicationError
from waishi.core.filtersets import FilterSet
from waishi.core.forms import Form, ModelForm, matching_choices, searchable_queryset
from waishi.core.generic import PAGE_SIZES, ModelViews
from waishi.core.models import Attachment, AuditLog, ChangeLog, Notification, OfficeSetting, WorkdayOverride
from waishi.core.navigation import work_queue
from waishi.core.pagination import list_page, page_number
from waishi.core.search import global_search


def permission_denied(request, exception):
    """The 403 page (``handler403``): every refused request leaves one audit row."""
    audit_refusal(getattr(request, "user", None), {"method": request.method, "path": request.path})
    return defaults.permission_denied(request, exception)


def home(request):
    """The most urgent items of the work queue (WAISHI_SUMMARY_ROWS), how many there are of each kind, and
    the unread notifications."""
    queue = work_queue(request.user, settings.WAISHI_SUMMARY_ROWS)
    return render(
        request,
        "core/home.html",
        {
            "work_items": queue.items,
            "work_total": queue.total,
            "work_categories": queue.categories,
            "notifications": request.user.notifications.filter(read_at__isnull=True)[:5],
        },
    )


def work(request):
    """The whole work queue, most urgent first, a page at a time, of one kind (``?category=``) or all."""
    per_page = PAGE_SIZES[1]
    queue = work_queue(request.user, page_number(request.GET) * per_page, request.GET.get("category", ""))
    return render(
        request,
        "core/work.html",
        {
            "page": list_page(queue.items, queue.total, request.GET, per_page),
            "categories": queue.categories,
            "category": queue.category,
        },
    )


def search(request):
    query = request.GET.get("q", "").strip()[:50]
    results = global_search(request.user, query) if query else []
    return render(request, "core/search.html", {"query": query, "search_query": query, "results": results})


def notifications(request):
    items = request.user.notifications.all()[:200]
    return render(request, "core/notifications.html", {"items": items})


@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id") or None
    services.notification_mark_read(actor=request.user, notification_ids=ids)
    return HttpResponseRedirect(reverse("notifications"))


def attachment_download(request, pk):
    """Download an attachment if the user may see the record it is attached to."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    model = attachment.content_type.model_class()
    if (
        model is None
        or not model.objects.restrict(request.user, "view").filter(pk=attachment.object_id).exists()
    ):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.mime_type,
    )


@require_safe
def record_choices(request, source, field):
    """The records a select of many records offers the user whose search fields contain ``?q=``, as JSON
    (``{"results": [{"value", "text"}]}``): what the select would list, searched on the server."""
    queryset = searchable_queryset(source, field, request.user)
    if queryset is None:
        raise Http404
    rows = matching_choices(queryset, request.GET.get("q", "")[:100])
    results = [{"value": str(pk), "text": str(label)} for pk, label in rows]
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@require_POST
def notification_open(request, pk):
    """Mark one's notification read and go to what it is about: a POST, since it changes the database."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
    target = (
        notification.url
        if notification.url.startswith("/") and not notification.url.startswith("//")
        else "/"
    )
    return HttpResponseRedirect(target)


class AuditLogFilterSet(FilterSet):
    username = django_filters.CharFilter(label=gettext_lazy("username"), lookup_expr="icontains")
    action = django_filters.CharFilter(label=gettext_lazy("action"), lookup_expr="startswith")
    at = django_filters.DateFromToRangeFilter(label=gettext_lazy("time"))

    class Meta:
        model = AuditLog
        fields = ["username", "action", "result", "at"]


class AuditLogTable(tables.Table):
    class Meta:
        model = AuditLog
        fields = ["seq", "at", "username", "ip", "action", "object_type", "object_repr", "result", "detail"]

    def render_action(self, value):
        """The event's label from the catalogue, its code on hover."""
        label = AuditEvent(value).label if value in AuditEvent.values else value
        return format_html('<span title="{}">{}</span>', value, label)


@require_safe
def audit_log(request):
    """The audit trail for the audit administrator: read only (GET), no route changes or deletes a row."""
    if not request.user.has_perm("core.view_auditlog"):
        audit("access.denied", user=request.user, result="denied", detail={"model": "core.auditlog"})
        raise PermissionDenied
    filterset = AuditLogFilterSet(request.GET or None, queryset=AuditLog.objects.all(), request=request)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else AuditLog.objects.all()
    table = AuditLogTable(queryset)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "core/audit_log.html", {"table": table, "filterset": filterset})


class ChangeLogFilterSet(FilterSet):
    object_repr = django_filters.CharFilter(label=gettext_lazy("object"), lookup_expr="icontains")
    at = django_filters.DateFromToRangeFilter(label=gettext_lazy("time"))

    class Meta:
        model = ChangeLog
        fields = ["object_repr", "action", "content_type", "at"]


class ChangeLogTable(tables.Table):
    class Meta:
        model = ChangeLog
        fields = ["at", "user", "content_type", "object_repr", "action", "request_id"]


@require_safe
def change_log(request):
    if not request.user.has_perm("core.view_changelog"):
        audit("access.denied", user=request.user, result="denied", detail={"model": "core.changelog"})
        raise PermissionDenied
    base = ChangeLog.objects.select_related("user", "content_type")
    filterset = ChangeLogFilterSet(request.GET or None, queryset=base, request=request)
    table = ChangeLogTable(filterset.qs if filterset.is_bound and filterset.is_valid() else base)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "core/change_log.html", {"table": table, "filterset": filterset})


class WorkdayOverrideForm(ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "kind", "name"]


class WorkdayOverrideFilterSet(FilterSet):
    date = django_filters.DateFromToRangeFilter(label=gettext_lazy("date"))

    class Meta:
        model = WorkdayOverride
        fields = ["date", "kind"]


class WorkdayOverrideTable(tables.Table):
    date = tables.Column(linkify=True)

    class Meta:
        model = WorkdayOverride
        fields = ["date", "kind", "name"]


class WorkdayOverrideViews(ModelViews):
    model = WorkdayOverride
    filterset_class = WorkdayOverrideFilterSet
    table_class = WorkdayOverrideTable
    form_class = WorkdayOverrideForm
    detail_fields = ["date", "kind", "name"]


class SettingForm(Form):
    """One setting's value, typed as its default is; lists and tables are written as JSON."""

    value = forms.CharField(label=gettext_lazy("value"), widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args, definition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition

    def clean_value(self):
        text = self.cleaned_data["value"].strip()
        kind = self.definition.kind
        try:
            if kind is bool:
                return text.lower() in {"1", "true", "yes", "是"}
            if kind is int:
                return int(text)
            if kind is str:
                return text
            value = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(
                _("Write a value like the default: %(default)s")
                % {"default": json.dumps(self.definition.default, ensure_ascii=False)}
            ) from exc
        if not isinstance(value, kind):
            raise forms.ValidationError(
                _("Write a value like the default: %(default)s")
                % {"default": json.dumps(self.definition.default, ensure_ascii=False)}
            )
        return value


def _offices(user):
    from waishi.directory.models import Organization

    return Organization.objects.restrict(user).filter(kind="fao")


def office_settings(request):
    """The rules, deadlines and limits in force for an office, each editable by its leader."""
    if not request.user.has_perm("core.view_officesetting"):
        raise PermissionDenied
    offices = _offices(request.user)
    requested = request.POST.get("office") or request.GET.get("office")
    office = offices.filter(pk=requested).first() if requested and requested.isdigit() else offices.first()
    if office is None:
        raise Http404
    forms_by_key, status = {}, 200
    if request.method == "POST":
        definition = config.definition(request.POST.get("key", ""))
        form = SettingForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                services.office_setting_set(
                    actor=request.user, office=office, key=definition.key, value=form.cleaned_data["value"]
                )
            except ApplicationError as error:
                form.add_error("value", error.message)
            else:
                messages.success(request, _("Saved “%(label)s”.") % {"label": definition.label})
                return HttpResponseRedirect(f"{reverse('core:settings')}?office={office.pk}")
        forms_by_key[definition.key] = form
        status = 400
    own = dict(OfficeSetting.objects.filter(organization=office).values_list("key", "value"))
    rows = []
    for definition in config.definitions():
        value = config.get(definition.key, office)
        initial = (
            value
            if isinstance(value, (str, int)) and not isinstance(value, bool)
            else json.dumps(value, ensure_ascii=False)
        )
        rows.append(
            {
                "definition": definition,
                "value": value,
                "own": definition.key in own,
                "inherited": value != definition.default and definition.key not in own,
                "form": forms_by_key.get(definition.key)
                or SettingForm(initial={"value": initial}, definition=definition),
            }
        )
    return render(
        request,
        "core/settings.html",
        {
            "office": office,
            "offices": offices,
            "rows": rows,
            "can_change": request.user.has_perm("core.change_officesetting"),
        },
        status=status,
    )
