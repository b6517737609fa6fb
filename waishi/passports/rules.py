"""The two trip rules that read the custody ledger (DOMAIN.md): registered into travel.rules."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waishi.passports import config as passport_config
from waishi.passports.choices import Custody
from waishi.passports.models import TravelDocument
from waishi.passports.services import kinds_for
from waishi.travel.rules import BLOCK, WARN, Facts, Finding, rule


def add_months(day, months: int):
    from waishi.core.deadlines import due_date

    return due_date(day, f"{months}m")


@rule("passport.valid")
def passport_valid(facts: Facts):
    """Each member holds an official document of the right kind, valid long enough after the return."""
    trip = facts.trip
    months = facts.setting(passport_config.VALID_MONTHS)
    needed = add_months(trip.return_date, months)
    kinds = kinds_for(trip.category)
    people = [m.person for m in facts.members]
    valid = set(
        TravelDocument.objects.filter(person__in=people, kind__in=kinds, expires__gte=needed)
        .exclude(custody__in=[Custody.LOST, Custody.CANCELLED])
        .values_list("person_id", flat=True)
    )
    missing = [p.name for p in people if p.pk not in valid]
    if missing:
        yield Finding(
            "passport.valid",
            WARN,
            ngettext(
                "%(names)s holds no official document of the right kind valid until %(date)s (%(months)d "
                "months after the return).",
                "%(names)s hold no official document of the right kind valid until %(date)s (%(months)d "
                "months after the return).",
                len(missing),
            )
            % {"names": "、".join(missing), "date": date_format(needed), "months": months},
            ("members",),
        )


@rule("unit.locked")
def unit_locked(facts: Facts):
    """A unit that keeps a document overdue too long cannot file trips until it is returned."""
    trip = facts.trip
    days = facts.setting(passport_config.LOCK_AFTER_DAYS)
    limit = timezone.localdate() - timedelta(days=days)
    late = TravelDocument.objects.filter(
        person__organization=trip.applicant_unit, custody=Custody.CHECKED_OUT, due_date__lt=limit
    ).select_related("person")
    if late:
        yield Finding(
            "unit.locked",
            BLOCK,
            _(
                "The unit keeps travel documents more than %(days)d days overdue (%(names)s): it cannot file "
                "applications until they are returned (Beijing FAO rule)."
            )
            % {"days": days, "names": "、".join(f"{d.person.name}（{d.due_date}）" for d in late)},
            ("applicant_unit",),
        )
