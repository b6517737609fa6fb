"""Forms of the sister-city pages: the partnership (with a new partner city on the spot), an exchange with
several partners, a target, and the forms of the partnership page (level, approval, contact)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import Form, ModelForm, ModelMultipleChoiceField
from waishi.directory.models import City, Country, Organization
from waishi.partners.choices import ApprovalStage, PartnerLevel
from waishi.partners.models import Contact, PartnerExchange, Partnership, Target


def foreign_countries():
    """Countries a partner city may lie in: not China, never a region of China."""
    return Country.objects.filter(is_region=False).exclude(code="CN").order_by("continent", "name_en")


class PartnerChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.city}（{obj.city.country}）· {obj.office.short_name or obj.office}"


class PartnershipForm(ModelForm):
    """A new partnership names a city of the directory, or a new one (found or created, then geocoded)."""

    new_city_country = forms.ModelChoiceField(
        label=_("or a new city: country"), queryset=Country.objects.none(), required=False
    )
    new_city_name_zh = forms.CharField(label=_("new city: Chinese name"), max_length=100, required=False)
    new_city_name_en = forms.CharField(
        label=_("new city: English name"),
        max_length=100,
        required=False,
        help_text=_("As GeoNames writes it, so that the city is placed on the map (e.g. Faenza)."),
    )

    class Meta:
        model = Partnership
        fields = ["office", "city", "level", "signed_on", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in (
                "office",
                "city",
                "level",
                "new_city_country",
                "new_city_name_zh",
                "new_city_name_en",
            ):
                del self.fields[name]
            return
        user = self.user
        self.fields["office"].queryset = Organization.objects.restrict(user).filter(kind="fao")
        if user is not None and user.organization is not None and user.organization.is_fao:
            self.fields["office"].initial = user.organization
        self.fields["city"].queryset = (
            City.objects.restrict(user).select_related("country").order_by("country__name_en", "name_en")
        )
        self.fields["city"].required = False
        self.fields["city"].help_text = _("A city of the directory; or fill in the new city below.")
        self.fields["new_city_country"].queryset = foreign_countries().restrict(user)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        new_city = cleaned.get("new_city_name_zh") or cleaned.get("new_city_name_en")
        if not cleaned.get("city") and not new_city:
            self.add_error("city", _("Choose a city, or name a new one below."))
        if new_city and not cleaned.get("city") and not cleaned.get("new_city_country"):
            self.add_error("new_city_country", _("Choose the country of the new city."))
        return cleaned


class PartnerExchangeForm(ModelForm):
    partnerships = PartnerChoiceField(
        label=_("partners"),
        queryset=Partnership.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("One exchange may involve several partners of the same office (hold Ctrl to choose)."),
    )

    class Meta:
        model = PartnerExchange
        fields = ["partnerships", "date", "kind", "substantive", "summary", "participants", "trip"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = (
            Partnership.objects.restrict(self.user)
            .select_related("office", "city__country")
            .order_by("office__path", "city__country__name_en", "city__name_en")
        )
        if "trip" in self.fields:
            self.fields["trip"].queryset = self.fields["trip"].queryset.select_related("applicant_unit")


class TargetForm(ModelForm):
    class Meta:
        model = Target
        fields = ["office", "metric", "level", "value", "start", "deadline", "include_lower", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = self.fields["office"].queryset.filter(kind="fao")


class ChangeLevelForm(Form):
    level = forms.ChoiceField(label=_("new level"), choices=PartnerLevel.choices)
    date = forms.DateField(label=_("date signed"))
    document = forms.FileField(label=_("document (scan)"), required=False)
    note = forms.CharField(label=_("remark"), max_length=300, required=False)


class ApprovalForm(Form):
    stage = forms.ChoiceField(label=_("stage"), choices=ApprovalStage.choices)
    date = forms.DateField(label=_("date"))
    reference = forms.CharField(label=_("document number"), max_length=100, required=False)
    document = forms.FileField(label=_("document (scan)"), required=False)
    note = forms.CharField(label=_("remark"), max_length=300, required=False)


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["side", "name", "position", "organization", "email", "phone", "note"]
