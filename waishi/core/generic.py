"""Generic views, written once and registered per model.

A module declares what differs and gets every page with uniform URLs and names::

    class PersonViews(ModelViews):
        model = Person
        filterset_class = PersonFilterSet
        table_class = PersonTable
        form_class = PersonForm
        importer_class = PersonImporter
        detail_fields = ["name", "organization", ...]

    urlpatterns = PersonViews.urls()   # person_list, person, person_add, person_edit, ...

Every queryset goes through ``restrict()``: a user without the permission gets 403, a record outside
his organization's subtree 404. Writes go through the module's services (``create``, ``update``,
``delete``; core's generic ones by default).
"""

import functools
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_tables2 import RequestConfig

from waishi.core import services, tables
from waishi.core.audit import audit
from waishi.core.changes import readable_changes
from waishi.core.choices import JournalKind
from waishi.core.errors import ApplicationError
from waishi.core.excel import CONTENT_TYPE as XLSX_CONTENT_TYPE
from waishi.core.excel import stream_xlsx
from waishi.core.fields import EncryptedCharField, mask_numbers
from waishi.core.forms import Form
from waishi.core.models import Attachment, ChangeLog, JournalEntry, permission_name
from waishi.core.money import MoneyField, money
from waishi.core.pagination import CURSOR_PARAMS, paginate

REGISTRY: list[type["ModelViews"]] = []

PAGE_SIZES = (25, 50, 100)


def has_perm(user, model, action: str) -> bool:
    return user.has_perm(permission_name(model, action))


def apply_error(form, error: ApplicationError) -> None:
    """Show a service's error on the form: per field where it names fields, else above the form."""
    field_errors = error.extra.get("errors") or {}
    for name, messages_ in field_errors.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)
    if not field_errors:
        form.add_error(None, error.message)


class JournalForm(Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"), choices=JournalKind.choices, initial=JournalKind.INFO
    )
    comments = forms.CharField(label=gettext_lazy("comments"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(Form):
    file = forms.FileField(label=gettext_lazy("file"))
    description = forms.CharField(label=gettext_lazy("description"), max_length=200, required=False)


class ImportForm(Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


class RevealForm(Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=200)


class ModelViews:
    model = None
    filterset_class = None
    table_class = None
    form_class = None
    importer_class = None
    detail_fields: list[str] = []
    list_template = "generic/object_list.html"
    detail_template = "generic/object_detail.html"
    edit_template = "generic/object_edit.html"
    url_segment: str = ""  # defaults to the plural of the model name
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()
    list_related_rows: tuple["RelatedRows", ...] = ()
    # The columns a list reads (``QuerySet.only``) when its model has many more than its table shows;
    # empty: every column.
    list_only: tuple[str, ...] = ()
    # A module's own view for an action ("add", "edit", "" for detail, ...) in place of the generic one.
    view_overrides: dict = {}
    allow_delete = True
    # The list's "add" button when the module names the action itself (the menu's "New application").
    add_label = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            REGISTRY.append(cls)

    # The services that write; override with a module's own.
    # ``extra``: the form's values that are not columns of the model (many-to-many and extra fields).
    @staticmethod
    def create(*, actor, obj, extra):
        return services.model_create(actor=actor, obj=obj, m2m=m2m_values(obj, extra))

    @staticmethod
    def update(*, actor, obj, version, extra):
        return services.model_update(actor=actor, obj=obj, version=version, m2m=m2m_values(obj, extra))

    @staticmethod
    def delete(*, actor, obj):
        services.model_delete(actor=actor, obj=obj)

    @classmethod
    def name(cls, action: str = "") -> str:
        base = cls.model._meta.model_name
        return f"{base}_{action}" if action else base

    @classmethod
    def url_name(cls, action: str = "") -> str:
        return f"{cls.model._meta.app_label}:{cls.name(action)}"

    @classmethod
    def urls(cls) -> list:
        segment = cls.url_segment or f"{cls.model._meta.model_name}s"
        routes = [
            ("", ListView, "list"),
            ("export/", ExportView, "export"),
            ("add/", EditView, "add"),
            ("<int:pk>/", DetailView, ""),
            ("<int:pk>/edit/", EditView, "edit"),
            ("<int:pk>/changelog/", ChangeLogView, "changelog"),
            ("<int:pk>/journal/", JournalView, "journal"),
            ("<int:pk>/attachments/", AttachmentView, "attachments"),
            ("<int:pk>/reveal/<str:field>/", RevealView, "reveal"),
        ]
        if cls.allow_delete:
            routes.append(("<int:pk>/delete/", DeleteView, "delete"))
        if cls.importer_class is not None:
            routes += [
                ("import/", ImportView, "import"),
                ("import/template/", ImportTemplateView, "import_template"),
            ]
        if cls.model._meta.pk.get_internal_type() != "BigAutoField":
            routes = [(r.replace("<int:pk>", "<str:pk>"), v, n) for r, v, n in routes]
        return [
            path(
                f"{segment}/{route}",
                cls.view_overrides.get(action, view).as_view(config=cls),
                name=cls.name(action),
            )
            for route, view, action in routes
        ]

    @classmethod
    def annotate(cls, queryset):
        """Add what the list and the filters need beyond the columns (e.g. a derived state)."""
        return queryset

    @classmethod
    def queryset(cls, user, action: str = "view"):
        """The records ``user`` may ``action``; 403 when he may not do it to any."""
        if not has_perm(user, cls.model, action):
            audit(
                "access.denied",
                user=user,
                result="denied",
                detail={"model": cls.model._meta.label_lower, "action": action},
            )
            raise PermissionDenied
        return cls.model.objects.restrict(user, action)

    @classmethod
    def get_object(cls, user, pk, action: str = "view"):
        """The record, with the records its detail fields name (its unit, its country) in the same query."""
        related = [
            name
            for name in cls.detail_fields
            if (field := cls.model._meta.get_field(name)).many_to_one or field.one_to_one
        ]
        return get_object_or_404(cls.queryset(user, action).select_related(*related), pk=pk)


def m2m_values(obj, extra: dict) -> dict:
    names = {f.name for f in obj._meta.many_to_many}
    return {name: value for name, value in extra.items() if name in names}


class ConfiguredView(View):
    config: type[ModelViews] = None

    def context(self, **extra):
        model = self.config.model
        user = self.request.user
        return {
            "views": self.config,
            "model_name": model._meta.verbose_name,
            "model_name_plural": model._meta.verbose_name_plural,
            "can_add": has_perm(user, model, "add"),
            "can_change": has_perm(user, model, "change"),
            "can_delete": self.config.allow_delete and has_perm(user, model, "delete"),
            "can_import": self.config.importer_class is not None and has_perm(user, model, "add"),
            "list_url": reverse(self.config.url_name("list")),
            **extra,
        }


@functools.cache
def column_relations(table_class) -> tuple[str, ...]:
    """The forward relations the table's columns show (``organization``, ``person__organization``), to be
    joined into the list's query instead of read row by row."""
    model = table_class._meta.model
    paths = []
    for column in table_class(model.objects.none()).columns.iterall():
        opts, parts = model._meta, []
        for part in str(column.accessor).replace(".", "__").split("__"):
            try:
                field = opts.get_field(part)
            except FieldDoesNotExist:
                break
            if not (field.many_to_one or field.one_to_one):
                break
            parts.append(part)
            opts = field.related_model._meta
        if parts:
            paths.append("__".join(parts))
    return tuple(dict.fromkeys(paths))


@dataclass(frozen=True)
class RelatedRows:
    """Rows of related records a list shows, read as plain rows for a page of records: on each record,
    ``to_attr`` is the list of ``rows`` (a ``values_list(..., named=True)`` queryset that includes
    ``link``) whose ``link`` names it, in the order of ``rows``. One query a page, as ``Prefetch`` makes, but
    without building a model instance a related record and another a record it joins (a trip's members and
    their people, its stops and their countries): that was a tenth of the trip list's time."""

    to_attr: str
    link: str
    rows: QuerySet

    def attach(self, records: list) -> None:
        found = defaultdict(list)
        if records:
            for row in self.rows.filter(**{f"{self.link}__in": [record.pk for record in records]}):
                found[getattr(row, self.link)].append(row)
        for record in records:
            setattr(record, self.to_attr, found[record.pk])


def with_related_rows(records, related: tuple[RelatedRows, ...], chunk_size: int):
    """``records`` (an iterator) with ``related`` attached, ``chunk_size`` records a query."""
    records = iter(records)
    while chunk := list(islice(records, chunk_size)):
        for rows in related:
            rows.attach(chunk)
        yield from chunk


class ListView(ConfiguredView):
    def filtered(self):
        queryset = self.config.annotate(self.config.queryset(self.request.user))
        related = (*self.config.list_select_related, *column_relations(self.config.table_class))
        if related:
            queryset = queryset.select_related(*related)
        if self.config.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.config.list_prefetch_related)
        if self.config.list_only:
            queryset = queryset.only(*self.config.list_only)
        filterset = self.config.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset)

    def get(self, request):
        filterset, queryset = self.filtered()
        table = self.config.table_class(queryset)
        try:
            per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            per_page = PAGE_SIZES[0]
        per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
        RequestConfig(request, paginate=False).configure(table)
        page = paginate(table, request.GET, per_page)
        for rows in self.config.list_related_rows:
            rows.attach(page.records)
        query = request.GET.copy()
        for name in CURSOR_PARAMS:
            query.pop(name, None)
        return render(
            request,
            self.config.list_template,
            self.context(
                table=table,
                page=page,
                filterset=filterset,
                query=query.urlencode(),
                page_sizes=PAGE_SIZES,
                per_page=per_page,
                export_url=reverse(self.config.url_name("export"))
                + (f"?{query.urlencode()}" if query else ""),
            ),
        )


class ExportView(ListView):
    """The list on screen (its columns, filters and order, every page) as .xlsx, streamed: the records are
    read in chunks as the file leaves, so the first bytes go out at once and memory stays flat."""

    def get(self, request):
        _filterset, queryset = self.filtered()
        table = self.config.table_class(queryset)
        RequestConfig(request, paginate=False).configure(table)
        excluded = getattr(table.Meta, "export_exclude", ())
        columns = [
            column
            for column in table.columns.iterall()
            if not (column.column.exclude_from_export or column.name in excluded)
        ]
        model = self.config.model
        audit(
            "data.export",
            user=request.user,
            detail={
                "model": model._meta.label_lower,
                "filters": mask_numbers(model, dict(request.GET.items())),
            },
        )
        response = StreamingHttpResponse(
            stream_xlsx(
                [force_str(column.header, strings_only=True) for column in columns],
                self.rows(table, columns, self.config.list_related_rows, translation.get_language()),
                title=str(model._meta.verbose_name_plural),
            ),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{model._meta.verbose_name_plural}.xlsx"
        )
        return response

    @staticmethod
    def rows(table, columns, related, language):
        """The table's cell values (as ``Table.as_values`` gives them, dates kept), one record at a time:
        as_values would load the whole queryset first. Runs while the response streams, in the request's
        language."""
        size = settings.WAISHI_EXPORT_CHUNK_ROWS
        records = with_related_rows(table.data.data.iterator(chunk_size=size), related, size)
        with translation.override(language):
            yield from tables.values(table, columns, records)


def field_rows(obj, names, user) -> list[dict]:
    """Label, display value and, for encrypted fields, whether the user may reveal it."""
    rows = []
    can_reveal = has_perm(user, type(obj), "reveal")
    for name in names:
        field = obj._meta.get_field(name)
        row = {"name": name, "label": field.verbose_name}
        if isinstance(field, EncryptedCharField):
            row.update(
                value=getattr(obj, f"{name}_masked"),
                sensitive=True,
                can_reveal=can_reveal and bool(getattr(obj, name)),
            )
        elif field.choices:
            row["value"] = getattr(obj, f"get_{name}_display")()
        elif field.many_to_many:
            row["value"] = ", ".join(str(o) for o in getattr(obj, name).all())
        elif isinstance(field, MoneyField):
            row["value"] = money(getattr(obj, name))
        else:
            value = getattr(obj, name)
            row["value"] = value
            row["link"] = (
                value.get_absolute_url() if hasattr(value, "get_absolute_url") and field.is_relation else ""
            )
        rows.append(row)
    return rows


def related_records(obj):
    content_type = ContentType.objects.get_for_model(obj)
    filters = {"content_type": content_type, "object_id": str(obj.pk)}
    return filters


class DetailView(ConfiguredView):
    def get(self, request, pk):
        obj = self.config.get_object(request.user, pk)
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=obj,
                fields=field_rows(obj, self.config.detail_fields, request.user),
                **self.related(obj),
            ),
        )

    @staticmethod
    def related(obj) -> dict:
        """The record's journal and attachments, with their forms: every detail page shows them."""
        filters = related_records(obj)
        return {
            "journal": JournalEntry.objects.filter(**filters).select_related("author")[:50],
            "attachments": Attachment.objects.filter(**filters).select_related("uploaded_by"),
            "journal_form": JournalForm(),
            "attachment_form": AttachmentForm(),
        }


class EditView(ConfiguredView):
    def get_instance(self, pk):
        if pk is None:
            return None, None
        obj = self.config.get_object(self.request.user, pk, "change")
        return obj, getattr(obj, "version", None)

    def render_form(self, form, obj, version):
        return render(
            self.request, self.config.edit_template, self.context(form=form, object=obj, version=version)
        )

    def get(self, request, pk=None):
        if pk is None:
            self.config.queryset(request.user, "add")
        obj, version = self.get_instance(pk)
        return self.render_form(self.config.form_class(instance=obj, user=request.user), obj, version)

    def post(self, request, pk=None):
        if pk is None:
            self.config.queryset(request.user, "add")
        obj, version = self.get_instance(pk)
        form = self.config.form_class(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            instance = form.save(commit=False)
            columns = {f.name for f in instance._meta.concrete_fields}
            extra = {name: value for name, value in form.cleaned_data.items() if name not in columns}
            try:
                if obj is None:
                    instance = self.config.create(actor=request.user, obj=instance, extra=extra)
                else:
                    instance = self.config.update(
                        actor=request.user,
                        obj=instance,
                        version=_int(request.POST.get("_version"), version),
                        extra=extra,
                    )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Saved “%(object)s”.") % {"object": instance})
                return HttpResponseRedirect(instance.get_absolute_url())
        return self.render_form(form, obj, request.POST.get("_version", version))


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class DeleteView(ConfiguredView):
    def get(self, request, pk):
        obj = self.config.get_object(request.user, pk, "delete")
        return render(request, "generic/object_delete.html", self.context(object=obj))

    def post(self, request, pk):
        obj = self.config.get_object(request.user, pk, "delete")
        try:
            self.config.delete(actor=request.user, obj=obj)
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("Deleted “%(object)s”.") % {"object": obj})
        return HttpResponseRedirect(reverse(self.config.url_name("list")))


class ChangeLogView(ConfiguredView):
    def get(self, request, pk):
        obj = self.config.get_object(request.user, pk)
        entries = list(ChangeLog.objects.filter(**related_records(obj)).select_related("user")[:200])
        changes = readable_changes(type(obj), [entry.changes for entry in entries], request.user)
        return render(
            request,
            "generic/object_changelog.html",
            self.context(object=obj, entries=list(zip(entries, changes, strict=True))),
        )


class JournalView(ConfiguredView):
    def post(self, request, pk):
        obj = self.config.get_object(request.user, pk)
        form = JournalForm(request.POST)
        if form.is_valid():
            try:
                services.journal_add(actor=request.user, obj=obj, **form.cleaned_data)
                messages.success(request, _("Journal entry added."))
            except ApplicationError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Write something in the journal entry."))
        return HttpResponseRedirect(obj.get_absolute_url() + "#journal")

    def get(self, request, pk):
        obj = self.config.get_object(request.user, pk)
        return HttpResponseRedirect(obj.get_absolute_url() + "#journal")


class AttachmentView(ConfiguredView):
    def post(self, request, pk):
        obj = self.config.get_object(request.user, pk, "change")
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(
                    actor=request.user,
                    obj=obj,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
                messages.success(request, _("File attached."))
            except ApplicationError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Choose a file to attach."))
        return HttpResponseRedirect(obj.get_absolute_url() + "#attachments")

    def get(self, request, pk):
        obj = self.config.get_object(request.user, pk)
        return HttpResponseRedirect(obj.get_absolute_url() + "#attachments")


class RevealView(ConfiguredView):
    """POST a reason, get the full value in a fragment (htmx) — audited by the service."""

    def post(self, request, pk, field):
        return self.reveal(request, self.config.get_object(request.user, pk), field)

    @staticmethod
    def reveal(request, obj, field: str):
        """The fragment for ``obj``'s ``field`` and the POSTed reason; also used by module pages."""
        form = RevealForm(request.POST)
        reason = form.data.get("reason", "")
        try:
            value = services.reveal(actor=request.user, obj=obj, field=field, reason=reason)
        except ApplicationError as error:
            # A missing reason is shown in place (htmx swaps only 2xx answers); a refusal stays a 403.
            status = 200 if error.status == 400 else error.status
            return render(request, "generic/reveal.html", {"error": error.message}, status=status)
        except FieldDoesNotExist as exc:
            raise Http404 from exc
        return render(request, "generic/reveal.html", {"value": value})


class ImportView(ConfiguredView):
    def get(self, request):
        self.config.queryset(request.user, "add")
        return render(request, "generic/object_import.html", self.context(form=ImportForm()))

    def post(self, request):
        self.config.queryset(request.user, "add")
        form = ImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            try:
                report = self.config.importer_class().run(
                    actor=request.user, fileobj=form.cleaned_data["file"]
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                        % {
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                    )
                    return HttpResponseRedirect(reverse(self.config.url_name("list")))
        return render(
            request, "generic/object_import.html", self.context(form=form, report=report), status=400
        )


class ImportTemplateView(ConfiguredView):
    def get(self, request):
        self.config.queryset(request.user, "add")
        model = self.config.model
        return FileResponse(
            self.config.importer_class().template(),
            as_attachment=True,
            filename=f"{model._meta.verbose_name_plural}-template.xlsx",
        )
