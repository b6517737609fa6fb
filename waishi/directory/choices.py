from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    FAO = "fao", _("Foreign Affairs Office")
    UNIT = "unit", _("Unit")


class OrganizationLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Rank(models.TextChoices):
    """Official ranks, highest first (API.md codes)."""

    PROVINCIAL = "provincial", _("Provincial or ministerial")
    BUREAU = "bureau", _("Bureau head")
    DEPUTY_BUREAU = "deputy_bureau", _("Deputy bureau head")
    DIVISION = "division", _("Division head")
    DEPUTY_DIVISION = "deputy_division", _("Deputy division head")
    SECTION = "section", _("Section level")
    OTHER = "other", _("Other")

    @classmethod
    def order(cls, code: str) -> int:
        """0 for the highest rank; compare with ``<=`` for "at or above"."""
        return list(cls.values).index(code)


class Continent(models.TextChoices):
    ASIA = "Asia", _("Asia")
    EUROPE = "Europe", _("Europe")
    AFRICA = "Africa", _("Africa")
    NORTH_AMERICA = "North America", _("North America")
    SOUTH_AMERICA = "South America", _("South America")
    OCEANIA = "Oceania", _("Oceania")
    ANTARCTICA = "Antarctica", _("Antarctica")
