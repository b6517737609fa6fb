"""Import an office's existing partner list from Excel: one partner city per row (city, its English name,
country, level, date signed). The partnerships are the importing user's office's; each city is found in
the directory or created there (and geocoded). Documented in docs/partners.md."""

from django import forms
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waishi.core.errors import ApplicationError
from waishi.core.excel import Column, Importer, Pending, RowError
from waishi.directory.models import City, Country
from waishi.partners import services
from waishi.partners.choices import PartnerLevel
from waishi.partners.models import Partnership

# Words an office's own list uses for the levels, besides the labels and codes.
LEVEL_WORDS = {
    "意向书": PartnerLevel.INTENT,
    "友好城市意向书": PartnerLevel.INTENT,
    "友好意向城市": PartnerLevel.INTENT,
    "意向": PartnerLevel.INTENT,
    "友好交流城市": PartnerLevel.FRIENDLY,
    "友好合作城市": PartnerLevel.FRIENDLY,
    "友好交流": PartnerLevel.FRIENDLY,
    "国际友好城市": PartnerLevel.SISTER,
    "友好城市": PartnerLevel.SISTER,
    "友城": PartnerLevel.SISTER,
    "姊妹城市": PartnerLevel.SISTER,
    "姐妹城市": PartnerLevel.SISTER,
}
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


def level_of(text: str) -> str | None:
    wanted = (text or "").strip().lower()
    if wanted in LEVEL_WORDS:
        return LEVEL_WORDS[wanted]
    for value, label in PartnerLevel.choices:
        if wanted == value:
            return value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if wanted == str(label).strip().lower():
                    return value
    return None


def country_of(text: str) -> Country | None:
    text = (text or "").strip()
    if not text:
        return None
    return (
        Country.objects.filter(Q(name_zh=text) | Q(name_en__iexact=text) | Q(code__iexact=text))
        .order_by("code")
        .first()
    )


class PartnerRowForm(forms.Form):
    city = forms.CharField(max_length=100)
    city_en = forms.CharField(max_length=100, required=False)
    country = forms.CharField()
    level = forms.CharField()
    signed_on = forms.DateField(input_formats=DATE_FORMATS)

    def __init__(self, *args, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office

    def clean_country(self):
        country = country_of(self.cleaned_data["country"])
        if country is None:
            raise forms.ValidationError(
                _("Unknown country: %(name)s") % {"name": self.cleaned_data["country"]}
            )
        try:
            services.check_country(self.office, country)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return country

    def clean_level(self):
        level = level_of(self.cleaned_data["level"])
        if level is None:
            raise forms.ValidationError(
                _("Write one of: %(levels)s.")
                % {"levels": "、".join(str(label) for _v, label in PartnerLevel.choices)}
            )
        return level

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        return day


class PartnershipImporter(Importer):
    """Row by row: each row may create its city (found or geocoded) through the partners' service."""

    model = Partnership
    bulk = False
    form_class = PartnerRowForm
    key = ("country", "city")
    columns = [
        Column("city", required=True, label=gettext_lazy("partner city")),
        Column("city_en", label=gettext_lazy("English name")),
        Column("country", required=True, label=gettext_lazy("country")),
        Column("level", required=True, label=gettext_lazy("level")),
        Column("signed_on", required=True, label=gettext_lazy("date signed")),
    ]

    def run(self, *, actor, fileobj):
        organization = getattr(actor, "organization", None)
        self.office = organization.office() if organization is not None else None
        if self.office is None:
            raise ApplicationError(
                "no_office", _("Only the staff of a Foreign Affairs Office import partners.")
            )
        return super().run(actor=actor, fileobj=fileobj)

    def _validate_row(self, actor, number, data, pending, seen_keys, report):
        form = PartnerRowForm(data, office=self.office)
        if not form.is_valid():
            for name, messages in form.errors.items():
                for message in messages:
                    report.errors.append(
                        RowError(number, self.label(name) if name != "__all__" else "", message)
                    )
            return
        row = form.cleaned_data
        name_en = row["city_en"].strip() or (row["city"] if row["city"].isascii() else "")
        key = (row["country"].code, (name_en or row["city"]).casefold())
        if key in seen_keys:
            report.errors.append(
                RowError(number, "", _("Same partner as row %(row)d.") % {"row": seen_keys[key]})
            )
            return
        seen_keys[key] = number
        match = Q(name_zh=row["city"]) | (Q(name_en__iexact=name_en) if name_en else Q(pk__in=[]))
        city = City.objects.filter(match, country=row["country"]).order_by("id").first()
        existing = (
            Partnership.objects.filter(office=self.office, city=city).first() if city is not None else None
        )
        if existing is not None:
            same = existing.level == row["level"] and row["signed_on"] in (
                existing.signed_on,
                existing.level_since,
            )
            if not same:
                report.errors.append(
                    RowError(
                        number,
                        self.label("level"),
                        _(
                            "Already recorded as %(level)s signed on %(date)s: change it on the "
                            "partnership's page."
                        )
                        % {"level": existing.get_level_display(), "date": date_format(existing.signed_on)},
                    )
                )
                return
            pending.append(Pending(row, created=False, changed=False))
            return
        pending.append(Pending({**row, "name_en": name_en}, created=True, changed=True))

    def save(self, actor, obj, created):
        services.partnership_import(
            actor=actor,
            office=self.office,
            country=obj["country"],
            name_zh=obj["city"],
            name_en=obj["name_en"],
            level=obj["level"],
            signed_on=obj["signed_on"],
        )
