"""The cells of a django-tables2 table, written in Python: the rows of a list page and of its export.

django-tables2 works out, for every cell, the signature of the column's render method, the cell's attributes,
the labels of a choice field (hashing every lazy label) and, for a date column, a template it compiles:
most of a list page's time, and most of an export's. Here what can be worked out once a column is, and a
column that shows a model field is read with ``getattr``. ``body()`` writes the same HTML as the stock
template's ``<tbody>`` and ``values()`` the same values as ``Table.as_values`` (dates stay dates), tested
against django-tables2 for every list; anything unusual goes through django-tables2's own code.
"""

import functools
import itertools
import types
from urllib.parse import urlencode

from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django_tables2 import DateColumn, DateTimeColumn, TemplateColumn
from django_tables2.columns.base import Column
from django_tables2.rows import BoundRow
from django_tables2.utils import AttributeDict, signature

from waishi.core.models import field_path
from waishi.core.money import money

DATE_COLUMNS = (DateColumn, DateTimeColumn)


class MoneyColumn(Column):
    """An amount of money: written with ``money()`` on the page (28,500.00), right-aligned; an export
    keeps the number, so that a spreadsheet can add it up."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "text-end"}, "td": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)

    def value(self, value):
        return value


def html(table, context) -> SafeString:
    """The table as ``{% render_table %}`` writes it with django-tables2's Bootstrap 5 template in the
    template ``context`` (which holds the request): the header with its sort links, the rows (``body``)
    and the footer, in Python rather than through three templates (tested against the template for every
    list). As ``Table.as_html``, the rows' odd and even count from the first; as ``{% render_table %}``, a
    template column sees the page's context."""
    request = context["request"]
    table._counter = itertools.count()
    table.context = context
    table.before_render(request)
    attrs = AttributeDict({"class": "table"})
    attrs.update(table.attrs)
    parts = [f'<div class="table-container"><table {attrs.as_html()}>']
    if table.show_header:
        parts.append(f"<thead {_attrs(table.attrs, 'thead')}><tr>")
        params = dict(request.GET)
        for column in table.columns:
            header = conditional_escape(column.header)
            if column.orderable:
                query = {**params, table.prefixed_order_by_field: column.order_by_alias.next}
                header = f'<a href="{escape("?" + urlencode(query, doseq=True))}">{header}</a>'
            parts.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
        parts.append("</tr></thead>")
    parts.append(f"<tbody {_attrs(table.attrs, 'tbody')}>{body(table)}</tbody>")
    if table.has_footer():
        cells = "".join(
            f"<td {column.attrs['tf'].as_html()}>{render_value_in_context(column.footer, context)}</td>"
            for column in table.columns
        )
        parts.append(f"<tfoot {_attrs(table.attrs, 'tfoot')}><tr>{cells}</tr></tfoot>")
    parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308  (every value escaped)


def _attrs(attrs, part: str) -> str:
    """``{{ table.attrs.<part>.as_html }}`` as the template reads it (nothing unless attributes were set)."""
    value = attrs.get(part)
    return value.as_html() if isinstance(value, AttributeDict) else ""


def body(table) -> SafeString:
    """The rows of the table's current page as ``<tr>`` elements (the empty text when there are none)."""
    context = Context(autoescape=True)
    cells = [Cell(table, column) for column in table.columns]
    rows = []
    for row in table.paginated_rows:
        tds = "".join(cell.td(row, context) for cell in cells)
        rows.append(f"<tr {row.attrs.as_html()}>{tds}</tr>")
    if not rows and table.empty_text:
        text = conditional_escape(table.empty_text)
        rows.append(f'<tr><td colspan="{len(cells)}">{text}</td></tr>')
    return mark_safe("".join(rows))  # noqa: S308  (every value escaped by render_value_in_context)


def values(table, columns, records):
    """Each record's cell values for ``columns`` (bound columns of ``table``), as ``Table.as_values`` gives
    them but dates kept as dates: an export's rows."""
    cells = [Cell(table, column, export=True) for column in columns]
    for record in records:
        row = BoundRow(record, table=table)
        yield [cell.value(row) for cell in cells]


@functools.cache
def method_signature(function, bound: bool) -> tuple[tuple[str, ...], str | None]:
    """django-tables2's ``signature`` of a column's method (``bound``: the function of a bound method, read
    as bound to its table or column), worked out once a method in a process."""
    return signature(types.MethodType(function, object()) if bound else function)


class Cell:
    """How one column's cells are read and written (``export``: the values of an export)."""

    def __init__(self, table, bound_column, export=False):
        self.table, self.bound_column = table, bound_column
        column = bound_column.column
        if not export:
            merged = {**table.attrs, **column.attrs}
            td = merged.get("td", merged.get("cell", {}))
            # Attributes computed from the record are computed a row, as django-tables2 does; others once.
            dynamic = any(callable(value) for value in td.values())
            self.td_html = None if dynamic else bound_column.attrs["td"].as_html()
        self.method = bound_column.value if export else bound_column.render
        self.link = None if export else bound_column.link
        function = getattr(self.method, "__func__", None)
        self.date_format = None
        if export:  # a column without a method of its own gives its value as it is (a date stays a date)
            stock = function in (Column.value, TemplateColumn.value, DateColumn.value, DateTimeColumn.value)
            self.plain = stock and (type(column) is Column or isinstance(column, DATE_COLUMNS))
        else:
            self.plain = function is Column.render
            if type(column) in DATE_COLUMNS and function is TemplateColumn.render:
                # What the column's template gives the date filter: {{ value|date:"FORMAT"|default:default }}
                self.date_format = column.template_code.split('"')[1]
        if not self.plain and self.date_format is None:
            self.arguments, self.keywords = method_signature(function or self.method, function is not None)
        # A column that shows a model field is read with getattr, its choices' labels looked up in a dict
        # made once; others are resolved by django-tables2.
        model = table._meta.model
        fields = field_path(model, bound_column.accessor.bits) if model is not None else None
        self.bits = bound_column.accessor.bits if fields else None
        last = fields[-1] if fields else None
        self.choices = {key: str(label) for key, label in last.flatchoices} if last and last.choices else None
        # A column of values no record can lack (``empty_values=()``) whose method reads only the record (a
        # trip's delegation): its value is not read at all (it would be the trip's related manager).
        self.record_only = (
            self.bits is None
            and not column.empty_values
            and not self.plain
            and self.date_format is None
            and not self.keywords
            and "value" not in self.arguments
            and not self.link
        )

    def resolve(self, row, default):
        """The cell's content: django-tables2's resolution of the value (a choice's label, the column's
        default for an empty value) and the column's method."""
        column = self.bound_column
        if self.record_only:
            return self.call(row, None)
        if self.bits is None:

            def call(_column, value=None):
                return self.call(row, value)

            return row._get_and_render_with(column, render_func=call, default=default)
        value = row.record
        for bit in self.bits:
            value = getattr(value, bit)
            if value is None:
                break
        else:
            if self.choices is not None:  # as get_<field>_display()
                value = self.choices.get(value, value)
        return default if value in column.column.empty_values else self.call(row, value)

    def call(self, row, value):
        """The column's method on the value, as ``BoundRow._call_render`` calls it, without inspecting the
        method again; the link around it on a page."""
        column = self.bound_column
        available = {"value": value, "record": row.record, "column": column.column, "bound_column": column,
                     "bound_row": row, "table": self.table}  # fmt: skip
        if self.plain:
            content = value
        elif self.date_format is not None:
            content = date_filter(template_localtime(value), self.date_format) or column.default
        elif self.keywords:
            content = self.method(**available)
        elif all(name in available for name in self.arguments):
            content = self.method(**{name: available[name] for name in self.arguments})
        else:
            content = None
        return self.link(content, **available) if self.link else content

    def td(self, row, context) -> str:
        column = self.bound_column
        content = self.resolve(row, column.default)
        if self.td_html is None:
            column.current_value, column.current_record = content, row.record
        attrs = self.td_html if self.td_html is not None else column.attrs["td"].as_html()
        if column.column.localize is not None:  # the stock template's |localize or |unlocalize
            content = str(formats.localize(content, use_l10n=column.column.localize))
        return f"<td {attrs}>{render_value_in_context(content, context)}</td>"

    def value(self, row):
        return force_str(self.resolve(row, None), strings_only=True)
