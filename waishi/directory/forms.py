from waishi.core.forms import ModelForm
from waishi.directory.config import rank_choices
from waishi.directory.fields import CountryChoiceField
from waishi.directory.models import City, Country, Organization, Person


class OrganizationForm(ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "short_name", "doc_code", "kind", "level", "parent", "is_active"]


class PersonForm(ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "organization",
            "position",
            "rank",
            "id_number",
            "phone",
            "is_active",
        ]

    def __init__(self, *args, rank_options=None, **kwargs):
        """``rank_options``: ``rank_options_for(user)`` worked out beforehand (an import, once a file)."""
        super().__init__(*args, **kwargs)
        if rank_options is None:
            rank_options = self.rank_options_for(self.user)
        self.fields["rank"].choices = rank_options
        # Never send a stored number back to the browser: an empty box keeps the stored value.
        if self.instance.pk:
            for name in ("id_number", "phone"):
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].widget.attrs["placeholder"] = getattr(self.instance, f"{name}_masked")

    @staticmethod
    def rank_options_for(user) -> list[tuple[str, str]]:
        """The rank choices as the user's office names them."""
        organization = getattr(user, "organization", None)
        return rank_choices(organization.office() if organization else None)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            for name in ("id_number", "phone"):
                if not cleaned.get(name):
                    cleaned[name] = getattr(self.instance, name)  # still the stored value here
        return cleaned


class CountryForm(ModelForm):
    class Meta:
        model = Country
        fields = ["name_zh", "name_en", "continent", "apostille", "off_limits", "extended_stay"]


class CityForm(ModelForm):
    class Meta:
        model = City
        fields = ["country", "name_zh", "name_en", "latitude", "longitude"]
        field_classes = {"country": CountryChoiceField}
