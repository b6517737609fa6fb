"""Sister cities (国际友城): partnerships of an office with foreign cities, their level history, approvals,
contacts, the exchanges that keep them alive, and the office's targets."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waishi.core.fields import EncryptedCharField
from waishi.core.models import BaseModel, RestrictedManager, RestrictedQuerySet, record_url
from waishi.partners.choices import (
    ApprovalStage,
    ContactSide,
    ExchangeKind,
    PartnerLevel,
    TargetMetric,
)


class PartnershipQuerySet(RestrictedQuerySet):
    def with_activity(self, as_of, thresholds=None):
        """Annotate ``activity`` (None before the partnership existed), ``last_exchange``,
        ``last_substantive`` and ``last_signing`` as of ``as_of`` (see rules.annotate_activity;
        ``thresholds``: ``rules.thresholds_by_office`` of these partnerships' offices, when already read)."""
        from waishi.partners.rules import annotate_activity

        return annotate_activity(self, as_of, thresholds)

    def with_level_on(self, day):
        """Annotate ``level_on``: the level the history gives on ``day`` (None before the first signing)."""
        history = LevelChange.objects.filter(partnership=models.OuterRef("pk"), date__lte=day)
        return self.annotate(level_on=models.Subquery(history.order_by("-date", "-id").values("level")[:1]))

    def existing_on(self, day):
        """Partnerships signed on or before ``day``."""
        return self.filter(signed_on__lte=day)


class Partnership(BaseModel):
    """Our side (an office: a province, city or county) and a foreign city, at one of three levels."""

    office = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("our side"),
        on_delete=models.PROTECT,
        related_name="partnerships",
        help_text=_("The Foreign Affairs Office of the province, city or county."),
    )
    city = models.ForeignKey(
        "directory.City",
        verbose_name=_("partner city"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    level = models.CharField(_("level"), max_length=10, choices=PartnerLevel.choices)
    signed_on = models.DateField(
        _("signed on"), help_text=_("The date of the first document: the letter of intent or the agreement.")
    )
    level_since = models.DateField(_("level since"), editable=False)
    note = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager.from_queryset(PartnershipQuerySet)()

    scope_field = "office"

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-signed_on", "-id"]
        # Contacts are governed by their partnership's permissions (Contact.permission_model).
        permissions = [("reveal_partnership", _("Can reveal the phone numbers of partner contacts"))]
        constraints = [
            models.UniqueConstraint(fields=["office", "city"], name="uniq_partnership"),
            models.CheckConstraint(
                condition=Q(level_since__gte=models.F("signed_on")), name="partnership_level_after_signing"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "level"]),
            models.Index(fields=["-signed_on", "-id"], name="partnership_list_idx"),  # the list's order
        ]

    def __str__(self):
        return f"{self.city}（{self.city.country}）"

    def get_absolute_url(self):
        return record_url("partners:partnership", self.pk)

    @property
    def level_on_label(self) -> str:
        """The label of the ``level_on`` a queryset annotated (``with_level_on``), else of the level now."""
        value = getattr(self, "level_on", None) or self.level
        return str(PartnerLevel(value).label)

    @property
    def activity_label(self) -> str:
        """The label of the ``activity`` a queryset annotated (``with_activity``), else empty."""
        from waishi.partners.choices import Activity

        value = getattr(self, "activity", None)
        return str(Activity(value).label) if value else ""


class LevelChange(models.Model):
    """One line of a partnership's level history; the first is its signing (from no level)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(_("from"), max_length=10, choices=PartnerLevel.choices, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=PartnerLevel.choices)
    date = models.DateField(_("date"))
    document = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("remark"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedManager()
    scope_field = "partnership__office"
    permission_model = "partners.partnership"

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level history")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["partnership", "date"]), models.Index(fields=["level", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_level_display()}"

    @property
    def is_upgrade(self) -> bool:
        return PartnerLevel.rank(self.level) > PartnerLevel.rank(self.from_level)


class Approval(models.Model):
    """One approval stage on the way to a sister city, with the document that records it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="approvals")
    stage = models.CharField(_("stage"), max_length=30, choices=ApprovalStage.choices)
    date = models.DateField(_("date"))
    reference = models.CharField(
        _("document number"), max_length=100, blank=True, help_text=_("e.g. 赣外字〔2023〕12号")
    )
    document = models.ForeignKey(
        "core.Attachment",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("remark"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedManager()
    scope_field = "partnership__office"
    permission_model = "partners.partnership"

    class Meta:
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["partnership", "stage"], name="uniq_partner_approval")]

    def __str__(self):
        return f"{self.get_stage_display()} {self.date}"


class Contact(models.Model):
    """A contact person on our side or the partner's side."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="contacts")
    side = models.CharField(_("side"), max_length=10, choices=ContactSide.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = EncryptedCharField(_("phone"), mask_head=3, mask_tail=4, max_plain_length=30)
    note = models.CharField(_("remark"), max_length=300, blank=True)

    objects = RestrictedManager()
    scope_field = "partnership__office"
    permission_model = "partners.partnership"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["side", "id"]

    def __str__(self):
        return self.name


class PartnerExchange(BaseModel):
    """One exchange with one or several partners of the same office."""

    office = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="partner_exchanges",
    )
    partnerships = models.ManyToManyField(
        Partnership, verbose_name=_("partners"), related_name="exchanges", through="ExchangePartner"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ExchangeKind.choices)
    substantive = models.BooleanField(
        _("substantive"),
        default=True,
        help_text=_("A visit, event, project or meeting with content; a courtesy letter is not substantive."),
    )
    summary = models.TextField(_("summary"))
    participants = models.TextField(_("participants"), blank=True)
    trip = models.ForeignKey(
        "travel.Trip",
        verbose_name=_("outbound trip"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_exchanges",
    )

    scope_field = "office"

    class Meta:
        verbose_name = _("partner exchange")
        verbose_name_plural = _("partner exchanges")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["office", "date"]),
            models.Index(fields=["date", "substantive"]),
            models.Index(fields=["-date", "-id"], name="exchange_list_idx"),  # the list's order
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self):
        return record_url("partners:partnerexchange", self.pk)

    def save(self, *args, **kwargs):
        """Saved with its partners' copies of its date and kind (``ExchangePartner``)."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding:
            self.links.exclude(date=self.date, substantive=self.substantive).update(
                date=self.date, substantive=self.substantive
            )

    def set_partners(self, partnerships) -> None:
        """The exchange's partners are ``partnerships`` (the exchange saved)."""
        self.partnerships.set(
            partnerships, through_defaults={"date": self.date, "substantive": self.substantive}
        )


class ExchangePartner(models.Model):
    """A partner of an exchange, with a copy of the exchange's date and whether it was substantive: a
    partnership's latest exchange on a day is then one step along an index (rules.annotate_activity), not
    a visit to each of its exchanges, for every partnership of a map, a target or the statistics.
    ``PartnerExchange.save()`` and ``set_partners()`` keep the copies."""

    partnerexchange = models.ForeignKey(PartnerExchange, on_delete=models.CASCADE, related_name="links")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    substantive = models.BooleanField()

    objects = RestrictedManager()
    scope_field = "partnerexchange__office"
    permission_model = "partners.partnerexchange"

    class Meta:
        db_table = "partners_partnerexchange_partnerships"  # the table of the many-to-many field it was
        unique_together = [("partnerexchange", "partnership")]
        indexes = [
            models.Index(fields=["partnership", "date"], name="exchange_partner_latest"),
            models.Index(
                fields=["partnership", "date"],
                condition=models.Q(substantive=True),
                name="exchange_partner_substantive",
            ),
        ]

    def __str__(self):
        return f"{self.partnerexchange_id} → {self.partnership_id}"


class Target(BaseModel):
    """A goal of an office: a metric, its value and the deadline, counted from a start date."""

    office = models.ForeignKey(
        "directory.Organization", verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=TargetMetric.choices)
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=PartnerLevel.choices,
        blank=True,
        help_text=_("For a share: the level of the partnerships counted; empty for every level."),
    )
    value = models.DecimalField(
        _("target value"),
        max_digits=7,
        decimal_places=2,
        help_text=_("A percentage for a share, else a count."),
    )
    start = models.DateField(_("counting from"))
    deadline = models.DateField(_("deadline"))
    include_lower = models.BooleanField(_("include lower offices"), default=False)
    note = models.CharField(_("remark"), max_length=300, blank=True)

    scope_field = "office"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("start")), name="target_dates_order"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_positive"),
        ]

    def __str__(self):
        return f"{self.get_metric_display()} ≥ {self.value.normalize():f} ({self.deadline:%Y-%m-%d})"

    def get_absolute_url(self):
        return record_url("partners:target", self.pk)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.office_id and not self.office.is_fao:
            errors["office"] = _("Choose a Foreign Affairs Office.")
        if self.value is not None and self.metric:
            if TargetMetric.is_share(self.metric) and self.value > 100:
                errors["value"] = _("A share is at most 100 (%).")
            if not TargetMetric.is_share(self.metric) and self.value != int(self.value):
                errors["value"] = _("A count is a whole number.")
        if self.start and self.deadline and self.deadline < self.start:
            errors["deadline"] = _("The deadline lies before the start.")
        if errors:
            raise ValidationError(errors)
