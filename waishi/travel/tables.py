import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from waishi.core.tables import MoneyColumn
from waishi.travel.models import PerDiemRate, PlanEntry, Trip

STATE_BADGES = {
    "draft": "secondary",
    "signed_off": "info",
    "submitted": "primary",
    "returned": "warning",
    "reviewed": "primary",
    "escalated": "primary",
    "approved": "success",
    "rejected": "danger",
    "cancelled": "dark",
    "briefed": "success",
    "departed": "success",
    "returned_home": "success",
    "reported": "success",
    "evaluated": "success",
    "closed": "light",
}


class TripTable(tables.Table):
    approval_number = tables.Column(linkify=True, empty_values=(), verbose_name=_("application"))
    applicant_unit = tables.Column()
    members = tables.Column(verbose_name=_("delegation"), empty_values=(), orderable=False)
    countries = tables.Column(verbose_name=_("countries and regions"), empty_values=(), orderable=False)
    state = tables.Column()

    class Meta:
        model = Trip
        fields = [
            "approval_number",
            "applicant_unit",
            "category",
            "members",
            "countries",
            "depart_date",
            "return_date",
            "state",
        ]
        order_by = ("-depart_date",)

    def render_approval_number(self, record):
        if record.approval_number:
            return record.approval_number
        created = date_format(timezone.localtime(record.created_at).date())
        return gettext("Application of %(date)s") % {"date": created}

    def value_approval_number(self, record):
        return record.approval_number

    # ``delegation`` and ``itinerary``: the trip's members and stops as rows (TripViews.list_related_rows).
    def render_members(self, record):
        members = record.delegation
        head = next((m.name for m in members if m.role == "head"), "")
        if not head:
            return len(members)
        return gettext("%(head)s and %(count)d") % {"head": head, "count": len(members)}

    def value_members(self, record):
        return "、".join(m.name for m in record.delegation)

    def render_countries(self, record):
        return "、".join(dict.fromkeys(stop.country_name for stop in record.itinerary))

    def render_state(self, value, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', STATE_BADGES.get(record.state, "secondary"), value
        )

    def value_state(self, record):
        return record.get_state_display()


class PlanEntryTable(tables.Table):
    title = tables.Column(linkify=True)

    class Meta:
        model = PlanEntry
        fields = ["year", "unit", "title", "planned_members", "planned_month", "note"]


class PerDiemRateTable(tables.Table):
    country = tables.Column(linkify=True)
    lodging = MoneyColumn()
    meals = MoneyColumn()
    incidentals = MoneyColumn()

    class Meta:
        model = PerDiemRate
        fields = ["country", "city_name", "currency", "lodging", "meals", "incidentals"]
