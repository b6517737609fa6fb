"""Excel export and import (openpyxl).

Export writes what a list shows (its columns, its filters) as a stream: the rows are read in chunks
and the workbook (minimal SpreadsheetML, text inline, in a zip built on the fly by zipstream-ng) leaves
as it is made, so memory stays flat whatever the size; cells that a spreadsheet would run as formulas
are escaped. Import reads an .xlsx whose first row holds the column
headers (Chinese or English), validates every row with the model's form first, and only when every
row is good writes them all in one transaction. A row whose record already exists (by the importer's
key) and carries nothing new is left alone, so importing the same file twice creates nothing.
"""

import copy
import datetime as dt
import itertools
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from zipstream import ZipStream

from waishi.core.attachments import check_size
from waishi.core.audit import audit
from waishi.core.errors import ApplicationError
from waishi.core.services import model_bulk_write, model_create, model_update, snapshot

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 has no place for these control characters: they are dropped from exported text.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
DATE_STYLE, DATETIME_STYLE = 1, 2  # indexes into cellXfs of STYLES
FLUSH_BYTES = 64 * 1024
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An imported workbook is a zip: one that would unpack to more than this (a "zip bomb") is not read. A file
# of Importer.max_rows rows of a dozen columns unpacks to some tens of MB.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STATIC_PARTS = {
    "[Content_Types].xml": _XML
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>",
    "_rels/.rels": _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/_rels/workbook.xml.rels": _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>",
    # cellXfs: 0 general, 1 date (yyyy-mm-dd), 2 date and time (yyyy-mm-dd hh:mm).
    "xl/styles.xml": _XML + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}
WORKBOOK = (
    _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
SHEET_HEAD = _XML + f'<worksheet xmlns="{_MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _valid_date(year, month, day) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def safe_cell(value):
    """A cell value that no spreadsheet will evaluate (QUALITY.md line 12)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, (str, int, float, Decimal, dt.date, dt.datetime)) or value is None:
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.make_naive(value)  # the wall-clock time of the user's zone
        return value
    return str(value)


def _xml_text(text: str) -> str:
    return escape(ILLEGAL_XML.sub("", text), {'"': "&quot;"})


def _cell(reference: str, value) -> str:
    """One cell of SpreadsheetML: numbers and dates as numbers (dates styled), text inline."""
    value = safe_cell(value)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - EXCEL_EPOCH).total_seconds() / 86400
        return f'<c r="{reference}" s="{DATETIME_STYLE}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{reference}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH.date()).days}</v></c>'
    if isinstance(value, int) or (isinstance(value, (float, Decimal)) and math.isfinite(value)):
        return f'<c r="{reference}"><v>{value}</v></c>'
    text = _xml_text(str(value))  # text, and the odd NaN or infinity, which a number cell cannot hold
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet(headers: list, rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The worksheet part, produced row by row and handed on in pieces of about ``FLUSH_BYTES``."""
    buffer = [SHEET_HEAD]
    size = 0
    for number, row in enumerate(itertools.chain([headers], rows), start=1):
        cells = "".join(
            _cell(f"{get_column_letter(column)}{number}", value) for column, value in enumerate(row, start=1)
        )
        line = f'<row r="{number}">{cells}</row>'
        buffer.append(line)
        size += len(line)
        if size >= FLUSH_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append(SHEET_TAIL)
    yield "".join(buffer).encode()


def stream_xlsx(headers: list, rows: Iterable[Iterable], title: str = "Sheet1") -> Iterator[bytes]:
    """An .xlsx workbook of one sheet as a stream of bytes: ``rows`` is consumed only as the bytes are
    read, so memory stays flat however many rows there are. Every cell goes through ``safe_cell``."""
    archive = ZipStream(compress_type=ZIP_DEFLATED)
    name = _xml_text(re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet1")
    for arcname, content in STATIC_PARTS.items():
        archive.add(content, arcname)
    archive.add(WORKBOOK.format(name=name), "xl/workbook.xml")
    archive.add(_sheet(list(headers), rows), "xl/worksheets/sheet1.xml")
    yield from archive


def write_xlsx(headers: list[str], rows: Iterable[Iterable], title: str = "Sheet1"):
    """A temporary file holding the workbook, positioned at its start (for a FileResponse)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115  (returned open, closed by the response)
    for chunk in stream_xlsx(headers, rows, title):
        out.write(chunk)
    out.seek(0)
    return out


@dataclass
class Column:
    """One column of an import file: the model field it fills and how a cell becomes form data."""

    field: str
    required: bool = False
    lookup: str | None = None  # for a foreign key: the field of the related model the cell names
    label: object = None  # the header of a column that is not a model field (a lazy translation)


@dataclass(frozen=True)
class Unresolved:
    """A cell naming a related record that does not exist, or that several records match."""

    text: str
    ambiguous: bool = False


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Pending:
    """A validated row waiting to be written: the record (or whatever the importer's own ``save`` takes),
    whether it is new, whether it differs from the stored record, and the stored record's snapshot."""

    obj: object
    created: bool
    changed: bool
    before: dict | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Importer:
    """Declare ``model``, ``form_class``, ``columns`` and ``key`` (the fields that identify a record).

    The rows are written in batches of ``WAISHI_IMPORT_BATCH_ROWS`` by ``save_batch``: with ``bulk`` (the
    default) in a constant number of queries per batch (``services.model_bulk_write``); an importer whose
    rows need their model's ``save()`` or a domain service sets ``bulk = False`` and each row goes through
    ``save(actor, obj, created)``."""

    model: type[models.Model]
    form_class = None
    columns: list[Column] = []
    key: tuple[str, ...] = ()
    max_rows = 50_000
    bulk = True

    def __init__(self):
        self._memo: dict = {}  # choice maps and looked-up related records, for one run
        self._rows: list[dict] = []  # the form data of the file's rows
        self._existing: dict | None = None  # the stored records the rows name, by key
        self._form_options: dict = {}  # what every row's form shares (form_options), for one run
        self._blank_form = None  # the form a new record's form is copied from (make_form), for one run

    def form_options(self, actor) -> dict:
        """Keyword arguments for every row's form, worked out once a file: a form whose ``__init__`` reads
        settings or the database takes them precomputed from here (an override adds to these: the record
        choices narrowed to what the actor may see, ``ModelForm.restricted_querysets``)."""
        restricted = getattr(self.form_class, "restricted_querysets", None)
        return {"querysets": restricted(actor)} if restricted else {}

    def make_form(self, actor, data: dict, existing):
        """The row's form. Its record choices (``ModelChoiceField``) are checked once per distinct cell of
        the file by the field itself, with its own queryset and messages, so validating a row reads
        nothing from the database; the model does not check again that the chosen record exists.

        A new record's form is a copy of one form built once a file, bound to the row's data with its
        own instance, errors and bound fields: building a form deep-copies its fields, which was half
        of validating a row. The copies share the fields, which validating a row does not change, so a
        form class whose ``__init__`` depends on the data it is given cannot be imported this way (the
        forms here narrow their choices and read the user and the instance, never the data); a row of
        an existing record has a form of its own (``PersonForm`` changes its fields for a stored
        record)."""
        if existing is not None:
            return self._build_form(actor, data, existing)
        if self._blank_form is None:
            self._blank_form = self._build_form(actor, {}, None)
        form = copy.copy(self._blank_form)  # never validated itself: no errors, no cleaned data
        form.data, form._bound_fields_cache = data, {}
        if isinstance(form, forms.BaseModelForm):
            form.instance = form._meta.model()
        self._exclude_resolved(form)
        return form

    def _build_form(self, actor, data: dict, existing):
        form = self.form_class(data=data, instance=existing, user=actor, **self._form_options)
        for name in self._resolved(form):
            form.fields[name].clean = self._remembered_clean(name, form.fields[name])
        return self._exclude_resolved(form)

    @staticmethod
    def _resolved(form) -> set[str]:
        """The fields of a record choice, which ``_remembered_clean`` resolves once per distinct cell."""
        return {
            name
            for name, form_field in form.fields.items()
            if isinstance(form_field, forms.ModelChoiceField)
            and not isinstance(form_field, forms.ModelMultipleChoiceField)
        }

    @classmethod
    def _exclude_resolved(cls, form):
        """The model does not check again the records the fields chose."""
        resolved = cls._resolved(form)
        if resolved and hasattr(form, "_get_validation_exclusions"):
            exclusions = type(form)._get_validation_exclusions
            form._get_validation_exclusions = lambda: exclusions(form) | resolved
        return form

    def _remembered_clean(self, name: str, form_field):
        clean = form_field.clean

        def remembered(value):
            key = ("clean", name, form_field.required, str(value))
            if key not in self._memo:
                try:
                    self._memo[key] = clean(value)
                except ValidationError as error:
                    self._memo[key] = error
            if isinstance(self._memo[key], ValidationError):
                raise ValidationError(self._memo[key].error_list)  # a fresh one: no traceback piles up
            return self._memo[key]

        return remembered

    def headers(self) -> list[str]:
        return [self.label(c.field) for c in self.columns]

    def template(self):
        """An empty workbook with the headers in the user's language: the documented template."""
        return write_xlsx(self.headers(), [], title=str(self.model._meta.verbose_name_plural))

    def _header_map(self) -> dict[str, Column]:
        names = {}
        for column in self.columns:
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    names[self.label(column.field).strip().lower()] = column
            names[column.field.lower()] = column
        return names

    def _choice_map(self, model_field) -> dict[str, str]:
        mapping = {}
        for value, label in model_field.flatchoices:
            mapping[str(value).lower()] = value
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    mapping[str(label).strip().lower()] = value
        return mapping

    def cell_to_form(self, actor, column: Column, value):
        if column.label is not None:  # not a model field: the cell as text (dates as ISO)
            if isinstance(value, (dt.date, dt.datetime)):
                return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
            return "" if value is None else str(value).strip()
        model_field = self.model._meta.get_field(column.field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return ""
        if isinstance(value, dt.date) and isinstance(model_field, models.DateField):
            # The day itself, as a stored record's value is given: the form need not parse its text (in
            # each of the language's formats until one fits, a tenth of validating a row).
            return value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if isinstance(model_field, models.DateField) and (match := CHINESE_DATE.fullmatch(text)):
            return dt.date(*map(int, match.groups())).isoformat() if _valid_date(*match.groups()) else text
        if isinstance(model_field, models.BooleanField):
            return text.lower() in {"1", "true", "yes", "是", "y", "√"}
        if model_field.choices:
            if model_field.name not in self._memo:
                self._memo[model_field.name] = self._choice_map(model_field)
            return self._memo[model_field.name].get(text.lower(), text)
        if column.lookup and model_field.is_relation:
            if (model_field.name, text) not in self._memo:  # a file names the same unit on many rows
                related = model_field.related_model.objects.restrict(actor, "view")
                matches = list(related.filter(**{column.lookup: text}).values_list("pk", flat=True)[:2])
                self._memo[model_field.name, text] = (
                    matches[0] if len(matches) == 1 else Unresolved(text, ambiguous=bool(matches))
                )
            return self._memo[model_field.name, text]
        return text

    def find_existing(self, actor, data: dict):
        """The record the row describes, by the key fields; an empty key cell matches an empty value.
        The records every row of the file names are read at the first call, a chunk of rows a query."""
        if not self.key:
            return None
        if self._existing is None:
            self._existing = self._read_existing(actor)
        return self._existing.get(self._key_of(data))

    def _read_existing(self, actor) -> dict[tuple, models.Model]:
        """The stored records the rows name, by key: the keys of those whose first key field matches a row
        (a chunk of rows a query), then the records themselves of the keys a row names (people who share a
        name with a row's person elsewhere are not read, nor their numbers decrypted)."""
        first = self.key[0]
        wanted = {self._key_of(data) for data in self._rows}
        values = {key[0] for key in wanted}
        values.discard(None)
        model_field = self.model._meta.get_field(first)
        queryset = self.model.objects.restrict(actor, "change")
        keys: dict[tuple, object] = {}
        chunk_size = settings.WAISHI_IMPORT_BATCH_ROWS
        values = sorted(values, key=str)
        for start in range(0, len(values), chunk_size):
            chunk = values[start : start + chunk_size]
            match = Q(**{f"{first}__in": [v for v in chunk if v != ""]})
            if "" in chunk:
                match |= Q(**{f"{first}__isnull": True}) if model_field.null else Q(**{first: ""})
            for pk, *stored in queryset.filter(match).values_list("pk", *self.key):
                key = tuple(self._normal(name, value) for name, value in zip(self.key, stored, strict=True))
                if key in wanted:
                    keys.setdefault(key, pk)
        records = queryset.in_bulk(keys.values())
        return {key: records[pk] for key, pk in keys.items() if pk in records}  # unless deleted meanwhile

    def _key_of(self, data: dict) -> tuple:
        return tuple(self._normal(name, data.get(name)) for name in self.key)

    def _normal(self, name: str, value):
        """A key value as the model field reads it ("" for empty, None for a value the field refuses)."""
        if value in (None, "") or isinstance(value, Unresolved):
            return "" if value in (None, "") else None
        try:
            return self.model._meta.get_field(name).to_python(value)
        except (ValidationError, ValueError, TypeError):
            return None

    def save_batch(self, actor, batch: list[Pending]):
        """Write a batch of new or changed rows."""
        if not self.bulk:
            for item in batch:
                self.save(actor, item.obj, item.created)
            return
        model_bulk_write(
            actor=actor,
            model=self.model,
            created=[item.obj for item in batch if item.created],
            updated=[(item.obj, item.before) for item in batch if not item.created],
        )

    def save(self, actor, obj, created: bool):
        """Write one validated record (importers with ``bulk = False``); modules with a domain service
        override this."""
        if created:
            model_create(actor=actor, obj=obj)
        else:
            model_update(actor=actor, obj=obj, version=obj.version)

    def label(self, name: str) -> str:
        for column in self.columns:
            if column.field == name and column.label is not None:
                return str(column.label)
        try:
            return str(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return ""

    def run(self, *, actor, fileobj) -> ImportReport:
        report = ImportReport()
        self._memo, self._rows, self._existing, self._blank_form = {}, [], None, None
        self._form_options = self.form_options(actor)
        check_size(fileobj)
        try:
            with zipfile.ZipFile(fileobj) as archive:  # the directory only: what reading would unpack
                unpacked = sum(member.file_size for member in archive.infolist())
            fileobj.seek(0)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ApplicationError(
                    "too_large",
                    _("The workbook holds more than %(limit)d MB once unpacked.")
                    % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)},
                )
            workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ApplicationError("bad_file", _("The file is not an Excel workbook (.xlsx).")) from exc
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None) or ()
        header_map = self._header_map()
        positions: dict[int, Column] = {}
        for index, header in enumerate(header_row):
            column = header_map.get(str(header or "").strip().lower())
            if column is not None:
                positions[index] = column
        present = {c.field for c in positions.values()}
        for column in self.columns:
            if column.required and column.field not in present:
                report.errors.append(RowError(1, self.label(column.field), _("This column is missing.")))
        if report.errors:
            return report

        numbers = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > self.max_rows:
                report.errors.append(RowError(number, "", _("Too many rows in one file.")))
                break
            if not any(v not in (None, "") for v in values):
                continue
            cells = {c.field: values[i] if i < len(values) else None for i, c in positions.items()}
            numbers.append(number)
            self._rows.append(
                {
                    name: self.cell_to_form(actor, column, cells[name])
                    for name, column in ((c.field, c) for c in positions.values())
                }
            )
        pending, seen_keys = [], {}
        for number, data in zip(numbers, self._rows, strict=True):
            self._validate_row(actor, number, data, pending, seen_keys, report)

        if report.errors:
            return report
        writes = [item for item in pending if item.created or item.changed]
        report.created = sum(item.created for item in writes)
        report.updated = len(writes) - report.created
        report.unchanged = len(pending) - len(writes)
        size = settings.WAISHI_IMPORT_BATCH_ROWS
        with transaction.atomic():
            for start in range(0, len(writes), size):
                self.save_batch(actor, writes[start : start + size])
            audit(
                "data.import",
                user=actor,
                detail={
                    "model": self.model._meta.label_lower,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
        return report

    def _validate_row(self, actor, number, data, pending, seen_keys, report):
        for name, value in data.items():
            if isinstance(value, Unresolved):
                message = (
                    _("“%(value)s” matches several records: make it unique first.")
                    if value.ambiguous
                    else _("“%(value)s” was not found.")
                )
                report.errors.append(RowError(number, self.label(name), message % {"value": value.text}))
                return
        existing = self.find_existing(actor, data)
        if existing is not None:
            initial = {name: existing.serializable_value(name) for name in data}
            before = snapshot(existing)  # the form writes its values into ``existing``
        form = self.make_form(actor, self._complete(existing, data), existing)
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    report.errors.append(RowError(number, self.label(name), message))
            return
        key = tuple(str(data.get(k, "")) for k in self.key)
        if self.key and all(key):
            if key in seen_keys:
                report.errors.append(
                    RowError(number, "", _("Same record as row %(row)d.") % {"row": seen_keys[key]})
                )
                return
            seen_keys[key] = number
        obj = form.save(commit=False)
        changed = existing is None or any(
            not self._same(name, initial[name], obj.serializable_value(name)) for name in data
        )
        pending.append(Pending(obj, existing is None, changed, None if existing is None else before))

    def _complete(self, existing, data: dict) -> dict:
        """Form data: the row's cells over the existing record's values (or the model's defaults) for the
        fields the file leaves out."""
        full = {}
        for name in self.form_class.base_fields:
            if existing is not None:
                value = existing.serializable_value(name)
            else:
                model_field = self.model._meta.get_field(name)
                value = model_field.get_default() if model_field.has_default() else None
            full[name] = "" if value is None else value
        full.update(
            {
                name: value
                for name, value in data.items()
                if value != "" or existing is not None or not self._has_default(name)
            }
        )
        return full

    def _same(self, name: str, before, after) -> bool:
        """Equal as the model field reads them (20000 and 20000.00 are the same amount)."""
        try:
            field = self.model._meta.get_field(name)
            return field.to_python(before) == field.to_python(after)
        except (FieldDoesNotExist, ValidationError):
            return str(before or "") == str(after or "")

    def _has_default(self, name: str) -> bool:
        try:
            return self.model._meta.get_field(name).has_default()
        except FieldDoesNotExist:
            return False
