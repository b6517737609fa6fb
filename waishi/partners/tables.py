import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from waishi.partners.choices import Activity, PartnerLevel
from waishi.partners.models import PartnerExchange, Partnership, Target

LEVEL_BADGES = {PartnerLevel.INTENT: "info", PartnerLevel.FRIENDLY: "primary", PartnerLevel.SISTER: "success"}
ACTIVITY_BADGES = {Activity.ACTIVE: "success", Activity.OCCASIONAL: "warning", Activity.DORMANT: "secondary"}


def level_badge(level: str, label) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', LEVEL_BADGES.get(level, "light"), label)


def activity_badge(activity: str | None) -> str:
    if not activity:
        return "—"
    return format_html(
        '<span class="badge text-bg-{}" data-activity="{}">{}</span>',
        ACTIVITY_BADGES.get(activity, "light"),
        activity,
        Activity(activity).label,
    )


class PartnershipTable(tables.Table):
    city = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("city__name_en",))
    country = tables.Column(
        accessor="city__country", verbose_name=_("country"), order_by=("city__country__name_en",)
    )
    office = tables.Column(verbose_name=_("our side"), order_by=("office__path",))
    level = tables.Column()
    activity = tables.Column(verbose_name=_("activity"), empty_values=(), order_by=("activity",))
    last_exchange = tables.DateColumn(verbose_name=_("last exchange"))

    class Meta:
        model = Partnership
        fields = [
            "city",
            "country",
            "office",
            "level",
            "signed_on",
            "level_since",
            "activity",
            "last_exchange",
        ]
        order_by = ("-signed_on",)

    def render_office(self, record):
        return record.office.short_name or record.office.name

    def value_office(self, record):
        return record.office.name

    def render_level(self, record):
        return level_badge(record.level, record.get_level_display())

    def value_level(self, record):
        return record.get_level_display()

    def render_activity(self, record):
        return activity_badge(record.activity)

    def value_activity(self, record):
        return Activity(record.activity).label if record.activity else ""


class PartnerExchangeTable(tables.Table):
    date = tables.DateColumn(linkify=True)
    partners = tables.Column(verbose_name=_("partners"), empty_values=(), orderable=False)
    summary = tables.Column()

    class Meta:
        model = PartnerExchange
        fields = ["date", "kind", "substantive", "partners", "summary", "office", "trip"]
        order_by = ("-date",)

    def render_partners(self, record):
        return format_html_join(
            "、", '<a href="{}">{}</a>', ((p.get_absolute_url(), p.city) for p in record.partnerships.all())
        )

    def value_partners(self, record):
        return "、".join(str(p.city) for p in record.partnerships.all())

    def render_summary(self, value):
        return value if len(value) <= 60 else value[:60] + "…"

    def value_summary(self, value):
        return value

    def render_substantive(self, value):
        return _("Yes") if value else _("No")


class TargetTable(tables.Table):
    metric = tables.Column(linkify=True)

    class Meta:
        model = Target
        fields = ["office", "metric", "level", "value", "start", "deadline", "include_lower", "note"]
