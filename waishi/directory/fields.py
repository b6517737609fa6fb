from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from waishi.directory.models import Country


class GroupedCountryIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        countries, regions = [], []
        for country in self.queryset.order_by("continent", "name_en"):
            (regions if country.is_region else countries).append(self.choice(country))
        yield (_("Countries"), countries)
        yield (_("China: Hong Kong, Macao and Taiwan"), regions)


class CountryChoiceField(forms.ModelChoiceField):
    """Countries, then the regions of China in a group of their own: never listed as countries."""

    iterator = GroupedCountryIterator

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset if queryset is not None else Country.objects.all(), **kwargs)
