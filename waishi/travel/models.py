"""Outbound official trips (因公临时出国(境)): one application is one delegation."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from waishi.core.models import BaseModel, RestrictedManager, record_url
from waishi.core.money import MoneyField, money
from waishi.core.validators import plausible_date
from waishi.travel.choices import (
    BudgetKind,
    InviterKind,
    MemberRole,
    TripCategory,
    TripState,
)


class PlanEntry(BaseModel):
    """One planned trip in a unit's annual outbound plan (年度出访计划)."""

    unit = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="plan_entries",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("planned mission"), max_length=200)
    countries = models.ManyToManyField(
        "directory.Country", verbose_name=_("countries and regions"), blank=True
    )
    planned_members = models.PositiveSmallIntegerField(_("planned members"), default=1)
    planned_month = models.PositiveSmallIntegerField(_("planned month"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("annual plan entry")
        verbose_name_plural = _("annual plan")
        ordering = ["-year", "unit__path", "planned_month", "title"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "title"], name="uniq_plan_entry")]

    def __str__(self):
        return f"{self.year} {self.title}"

    def get_absolute_url(self):
        return record_url("travel:planentry", self.pk)


class PerDiemRate(BaseModel):
    """Standard for lodging, meals and incidentals per person and day (财行〔2013〕516号): one row per
    country, or per city where the city has its own tier."""

    country = models.ForeignKey(
        "directory.Country", verbose_name=_("country or region"), on_delete=models.PROTECT
    )
    city_name = models.CharField(
        _("city"), max_length=100, blank=True, help_text=_("Leave empty for the rest of the country.")
    )
    currency = models.CharField(_("currency"), max_length=3)
    lodging = MoneyField(_("lodging per night"), max_digits=10, decimal_places=2)
    meals = MoneyField(_("meals per day"), max_digits=10, decimal_places=2)
    incidentals = MoneyField(_("incidentals per day"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("per-diem rate")
        verbose_name_plural = _("per-diem rates")
        ordering = ["country__name_en", "city_name"]
        constraints = [models.UniqueConstraint(fields=["country", "city_name"], name="uniq_per_diem")]

    def __str__(self):
        return f"{self.country} {self.city_name}".strip()

    def get_absolute_url(self):
        return record_url("travel:perdiemrate", self.pk)


class Trip(BaseModel):
    applicant_unit = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("applicant unit"),
        on_delete=models.PROTECT,
        related_name="trips",
    )
    office = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="handled_trips",
        help_text=_("The Foreign Affairs Office that reviews the application."),
    )
    deciding_office = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("deciding office"),
        on_delete=models.PROTECT,
        related_name="decided_trips",
        null=True,
        blank=True,
    )
    category = models.CharField(_("category"), max_length=10, choices=TripCategory.choices)
    is_cross_unit = models.BooleanField(_("cross-unit delegation"), default=False)
    sending_units = models.ManyToManyField(
        "directory.Organization", verbose_name=_("sending units"), blank=True, related_name="sent_trips"
    )
    mission = models.TextField(_("mission"))
    depart_date = models.DateField(_("departure date"), validators=[plausible_date])
    return_date = models.DateField(_("return date"), validators=[plausible_date])
    inviter_name = models.CharField(_("inviting organization"), max_length=200, blank=True)
    inviter_country = models.ForeignKey(
        "directory.Country",
        verbose_name=_("inviter's country or region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inviter_kind = models.CharField(_("inviter kind"), max_length=20, choices=InviterKind.choices, blank=True)
    invitation_from = models.DateField(_("invitation valid from"), null=True, blank=True)
    invitation_to = models.DateField(_("invitation valid to"), null=True, blank=True)
    invitation_invitees = models.JSONField(_("invitees named in the invitation"), default=list, blank=True)
    invitation_signed = models.BooleanField(_("invitation signed"), default=False)
    notice_from = models.DateField(_("pre-trip notice from"), null=True, blank=True)
    notice_to = models.DateField(_("pre-trip notice to"), null=True, blank=True)
    plan_entry = models.ForeignKey(
        PlanEntry, verbose_name=_("annual plan entry"), null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(_("state"), max_length=20, choices=TripState.choices, default=TripState.DRAFT)
    approval_number = models.CharField(_("approval number"), max_length=50, blank=True)
    approval_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    approval_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    came_back_on = models.DateField(_("came back on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    scope_field = "applicant_unit"

    class Meta:
        verbose_name = _("outbound trip")
        verbose_name_plural = _("outbound trips")
        ordering = ["-depart_date", "-id"]
        permissions = [
            ("sign_off_trip", _("Can sign off trips for the unit")),
            ("submit_trip", _("Can submit trips")),
            ("review_trip", _("Can review, return and follow trips")),
            ("approve_trip", _("Can approve or reject trips")),
            ("report_trip", _("Can file trip reports")),
            # The statistics of an office (trips, travel documents, sister cities): its FAO's roles.
            ("view_statistics", _("Can read the statistics of its office")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(return_date__gte=models.F("depart_date")), name="trip_dates_order"
            ),
            models.UniqueConstraint(
                fields=["deciding_office", "approval_year", "approval_seq"],
                condition=Q(approval_seq__isnull=False),
                name="uniq_approval_number",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "approved_on"]),
            # The list's default order (newest departure first, the pk breaking ties) over everything one
            # may see, and within the state, unit or office its filters most often name: cursor pages seek
            # on them.
            models.Index(fields=["state", "-depart_date", "-id"], name="trip_state_list_idx"),
            models.Index(fields=["-depart_date", "-id"], name="trip_list_idx"),
            models.Index(fields=["applicant_unit", "-depart_date", "-id"], name="trip_unit_list_idx"),
            models.Index(fields=["office", "-depart_date", "-id"], name="trip_office_list_idx"),
        ]

    def __str__(self):
        return (
            self.approval_number
            or f"{self.applicant_unit.short_name or self.applicant_unit} {date_format(self.depart_date)}"
        )

    def get_absolute_url(self):
        return record_url("travel:trip", self.pk)

    @property
    def days_abroad(self) -> int:
        """Days outside the mainland, counting the day of leaving and the day of re-entering."""
        return (self.return_date - self.depart_date).days + 1

    def approved_dates(self):
        return [self.depart_date + timedelta(n) for n in range(self.days_abroad)]


class TripMember(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("directory.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="trip_memberships")  # fmt: skip
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    exit_date = models.DateField(_("actual exit date"), null=True, blank=True)
    entry_date = models.DateField(_("actual entry date"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["trip", "person"], name="uniq_trip_member")]

    def __str__(self):
        return str(self.person)


class TripLeg(models.Model):
    """One stop of the itinerary; an airside transit does not count as a country visited."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="legs")
    country = models.ForeignKey(
        "directory.Country", verbose_name=_("country or region"), on_delete=models.PROTECT
    )
    city = models.CharField(_("city"), max_length=100)
    arrive = models.DateField(_("arrival"))
    depart = models.DateField(_("departure"))
    transit_airside = models.BooleanField(_("airside transit"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("itinerary leg")
        verbose_name_plural = _("itinerary")
        ordering = ["order", "arrive", "id"]
        indexes = [
            # The stops that count as visited, by trip, with their country (on PostgreSQL): the statistics
            # read a span's countries from this index alone (``stats.selectors.stops_visited``).
            models.Index(
                fields=["trip"],
                include=["country"],
                condition=Q(transit_airside=False),
                name="travel_leg_visited_idx",
            ),
        ]

    def __str__(self):
        return f"{self.country} {self.city}"


class BudgetLine(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="budget")
    kind = models.CharField(_("kind"), max_length=30, choices=BudgetKind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    amount = MoneyField(_("amount"), max_digits=12, decimal_places=2)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {money(self.amount)} {self.currency}"


class TripEvent(models.Model):
    """One workflow step: who, when, from which state to which, with what opinion."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=20, choices=TripState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=TripState.choices)
    note = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("trip event")
        verbose_name_plural = _("trip history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.trip_id} {self.action} {self.to_state}"


class Briefing(models.Model):
    """The pre-departure briefing on foreign-affairs discipline and security (行前教育)."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="briefing")
    date = models.DateField(_("date"))
    content = models.TextField(_("content"))
    attendees = models.ManyToManyField("directory.Person", verbose_name=_("attendees"), related_name="+")

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("pre-departure briefing")
        verbose_name_plural = _("pre-departure briefings")

    def __str__(self):
        return f"{self.trip} {self.date}"


class TripReport(models.Model):
    """The report filed after return (出访报告) and the office's evaluation of it (成果评估)."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="report")
    text = models.TextField(_("report"))
    outcomes = models.TextField(_("outcomes"), blank=True)
    filed_on = models.DateField(_("filed on"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comments = models.TextField(_("evaluation comments"), blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("trip report")
        verbose_name_plural = _("trip reports")

    def __str__(self):
        return f"{self.trip}"


class FollowUp(models.Model):
    """An item to follow after the evaluation (回头看): who does what by when."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="follow_ups")
    item = models.CharField(_("item"), max_length=300)
    owner = models.CharField(_("owner"), max_length=100)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = RestrictedManager()
    scope_field = "trip__applicant_unit"
    permission_model = "travel.trip"

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["due", "id"]

    def __str__(self):
        return self.item


class ApprovalCounter(models.Model):
    """The last approval number issued by an office in a year: incremented in the approving transaction,
    so numbers have no gap and no duplicate."""

    office = models.ForeignKey("directory.Organization", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = RestrictedManager()
    scope_field = "office"
    permission_model = "travel.trip"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="uniq_approval_counter")]

    def __str__(self):
        return f"{self.office} {self.year}: {self.last}"
