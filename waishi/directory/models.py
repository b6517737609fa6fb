"""Reference data: the organization tree, people, countries and regions, cities."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from pypinyin import lazy_pinyin

from waishi.core.fields import BlindIndexField, EncryptedCharField
from waishi.core.models import BaseModel, RestrictedManager, record_url
from waishi.directory.choices import Continent, Gender, OrganizationKind, OrganizationLevel, Rank

code_validator = RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))

# Regions of China: shown as 中国香港, 中国澳门, 中国台湾 and never listed among countries (DOMAIN.md).
CHINA_REGIONS = ("HK", "MO", "TW")


class Organization(BaseModel):
    """An FAO or a unit under one; ``path`` (the codes from the root, dot-terminated) makes a subtree
    one indexed prefix match."""

    label_field = "name"  # what __str__ shows: choice lists read it without building records (core.forms)
    search_fields = ("name", "short_name", "code")  # what a select of many organizations searches

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    doc_code = models.CharField(
        _("document code"), max_length=20, blank=True, help_text=_("Used in document numbers, e.g. 景外审")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OrganizationKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=OrganizationLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=400, editable=False, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_field = "self"

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="unit") | Q(parent__isnull=False), name="unit_has_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("directory:organization", self.pk)

    @property
    def depth(self) -> int:
        return self.path.count(".")

    @property
    def is_fao(self) -> bool:
        return self.kind == OrganizationKind.FAO

    @classmethod
    def known_to(cls, user):
        """The organizations a user knows of: those he sees and those above his own (a unit's clerk knows the
        office above his unit, which keeps his people's documents, though he does not see its records)."""
        known = Q(pk__in=cls.objects.restrict(user, "view").values("pk"))
        if user.organization is not None:
            known |= Q(pk__in=user.organization.above().values("pk"))
        return cls.objects.filter(known)

    def above(self):
        """The organizations above this one, up to the root (by the prefixes of its path)."""
        codes = self.path.split(".")[:-2]  # "prov.city-a.unit-a." → prov, city-a (the last is this one)
        paths = [".".join(codes[:n]) + "." for n in range(1, len(codes) + 1)]
        return Organization.objects.filter(path__in=paths)

    def office(self) -> "Organization":
        """The FAO this organization is, or the nearest FAO above it."""
        node = self
        while node is not None and not node.is_fao:
            node = node.parent
        return node

    def save(self, *args, **kwargs):
        # The path is derived data: recompute it, and move the subtree with it when it changes.
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}."
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            Organization.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
            )


class Person(BaseModel):
    """Someone who may travel, be briefed or hold a travel document; belongs to one organization."""

    label_field = "name"  # what __str__ shows (core.forms.RowChoiceIterator)

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="people"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    pinyin = models.CharField(_("pinyin"), max_length=200, editable=False, db_index=True)
    initials = models.CharField(_("initials"), max_length=50, editable=False, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, default=Rank.OTHER)
    id_number = EncryptedCharField(_("ID number"), mask_head=3, mask_tail=4, max_plain_length=18)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("phone"), mask_head=3, mask_tail=4, max_plain_length=20)
    phone_index = BlindIndexField(source="phone")
    is_active = models.BooleanField(_("active"), default=True)

    scope_field = "organization"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["organization__path", "pinyin"]
        permissions = [("reveal_person", _("Can reveal the ID and phone numbers of people"))]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("directory:person", self.pk)

    @staticmethod
    def search_choices(queryset, text: str):
        """What a select of many people finds for ``text``: names, pinyin and initials, by the index."""
        from waishi.directory.search import person_search

        return person_search(queryset, text)

    def fill_names(self) -> None:
        """Derive the pinyin and its initials from the name (save() does it; bulk writes call it). The
        initials are the first letters of the syllables, which is what pypinyin's ``FIRST_LETTER`` style
        gives (tested), from one conversion instead of two."""
        syllables = lazy_pinyin(self.name, errors="ignore")
        self.pinyin = "".join(syllables).lower()
        self.initials = "".join(syllable[:1] for syllable in syllables).lower()

    def save(self, *args, **kwargs):
        from waishi.directory.search import index_people

        new = self._state.adding and self.pk is None
        self.fill_names()
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "name" in update_fields:
            index_people([self], new=new)


class PersonToken(models.Model):
    """The search keys of a person's name (directory.search): every run of up to four characters of the
    name, and every beginning of its pinyin and of its initials. A search is one indexed equality lookup
    here, whatever the database (a two-character name defeats trigram indexes)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)

    objects = RestrictedManager()

    permission_model = "directory.person"
    scope_field = "person__organization"

    class Meta:
        indexes = [models.Index(fields=["token", "person"], name="directory_person_token")]

    def __str__(self):
        return self.token


class Country(BaseModel):
    """ISO 3166-1 entries with Chinese names; HK, MO and TW are regions of China, never countries."""

    label_field = "name_zh"  # what __str__ shows (core.forms.RowChoiceIterator)
    search_fields = ("name_zh", "name_en", "code")  # what a select of many countries searches

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    continent = models.CharField(_("continent"), max_length=20, choices=Continent.choices)
    is_region = models.BooleanField(_("region of China"), default=False)
    apostille = models.BooleanField(_("applies the Apostille Convention"), default=False)
    off_limits = models.BooleanField(_("off limits for sister cities"), default=False)
    extended_stay = models.BooleanField(
        _("Latin America or Africa day rule"),
        default=False,
        help_text=_("Trips to these countries may stay one day longer."),
    )

    class Meta:
        verbose_name = _("country or region")
        verbose_name_plural = _("countries and regions")
        ordering = ["is_region", "continent", "name_en"]

    def __str__(self):
        return self.name_zh

    def get_absolute_url(self):
        return record_url("directory:country", self.pk)


class City(BaseModel):
    country = models.ForeignKey(Country, verbose_name=_("country or region"), on_delete=models.PROTECT)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    geonameid = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["country__name_en", "name_en"]
        constraints = [models.UniqueConstraint(fields=["country", "name_en"], name="uniq_city_per_country")]

    def __str__(self):
        return self.name_zh or self.name_en

    def get_absolute_url(self):
        return record_url("directory:city", self.pk)
