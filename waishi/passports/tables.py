import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from waishi.passports.choices import DocumentState
from waishi.passports.models import CustodyMovement, TravelDocument

STATE_BADGES = {
    "in_custody": "success",
    "checked_out": "primary",
    "overdue": "danger",
    "lost": "dark",
    "cancelled": "secondary",
    "expired": "warning",
}


class TravelDocumentTable(tables.Table):
    person = tables.Column(linkify=lambda record: record.get_absolute_url())
    organization = tables.Column(accessor="person__organization", verbose_name=_("unit"))
    number = tables.Column(
        accessor="number_masked",
        orderable=False,
        verbose_name=TravelDocument._meta.get_field("number").verbose_name,
    )
    state = tables.Column(verbose_name=_("state"))
    trip = tables.Column(linkify=True)

    class Meta:
        model = TravelDocument
        fields = [
            "person",
            "organization",
            "kind",
            "number",
            "expires",
            "custodian",
            "state",
            "trip",
            "due_date",
        ]

    def render_state(self, value):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            STATE_BADGES.get(value, "secondary"),
            DocumentState(value).label,
        )

    def value_state(self, value):
        return DocumentState(value).label


class MovementTable(tables.Table):
    receipt = tables.TemplateColumn(
        '{% load i18n %}<a href="{{ record.get_absolute_url }}">{% translate "Handover receipt" %}</a>',
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = CustodyMovement
        fields = ["date", "kind", "trip", "due_date", "returned_on", "handed_over_by", "received_by", "note"]
