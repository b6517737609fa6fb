"""Reads of the custody ledger: the custody page, collection and custody rates, the work queue."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.navigation import WorkItem
from waishi.core.search import Hit
from waishi.passports import config as passport_config
from waishi.passports.choices import Custody, DocumentState, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.rules import add_months


def documents(user, today: date | None = None):
    today = today or timezone.localdate()
    return (
        TravelDocument.objects.restrict(user)
        .with_state(today)
        .select_related("person__organization", "custodian", "trip__applicant_unit")
    )


@dataclass
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def office_documents(office, include_lower: bool = False):
    """The documents of an office's people (and the offices below it), for statistics: not user-restricted."""
    if include_lower:
        return TravelDocument.objects.filter(person__organization__path__startswith=office.path)
    return TravelDocument.objects.filter(
        Q(person__organization=office)
        | Q(person__organization__parent=office, person__organization__kind="unit")
    )


def collection_rate(user, start: date, end: date, organization=None, documents=None) -> tuple[Rate, object]:
    """Documents returned on time / documents due back in the period, with the check-outs behind it.

    ``documents`` replaces the user's documents (statistics of an office: ``office_documents``)."""
    checkouts = CustodyMovement.objects.filter(
        kind=MovementKind.CHECK_OUT,
        due_date__range=(start, end),
        document__in=documents if documents is not None else TravelDocument.objects.restrict(user),
    )
    if organization is not None:
        checkouts = checkouts.filter(document__person__organization__path__startswith=organization.path)
    on_time = checkouts.filter(returned_on__isnull=False, returned_on__lte=F("due_date"))
    return Rate(on_time.count(), checkouts.count()), checkouts.select_related("document__person", "trip")


def custody_rate(user, today: date | None = None, organization=None, documents=None) -> tuple[Rate, object]:
    """Documents in custody / valid documents not out on an approved trip (an overdue one counts as not in
    custody)."""
    today = today or timezone.localdate()
    valid = (documents if documents is not None else TravelDocument.objects.restrict(user)).valid_on(today)
    if organization is not None:
        valid = valid.filter(person__organization__path__startswith=organization.path)
    counted = valid.exclude(custody=Custody.CHECKED_OUT, due_date__gte=today)
    in_custody = counted.filter(custody=Custody.IN_CUSTODY).count()
    return Rate(in_custody, counted.count()), counted.with_state(today).select_related("person")


def custody_rate_on(documents, day: date) -> float | None:
    """The custody rate as the ledger stood at the end of ``day``: documents in custody / valid documents
    not out on a trip that was not yet due (an overdue document counts as not in custody)."""
    held = set(
        CustodyMovement.objects.filter(
            document__in=documents, kind=MovementKind.DEPOSIT, date__lte=day
        ).values_list("document_id", flat=True)
    )
    gone = set(
        CustodyMovement.objects.filter(
            document__in=documents, kind__in=[MovementKind.LOST, MovementKind.CANCEL], date__lte=day
        ).values_list("document_id", flat=True)
    )
    valid = held - gone - set(documents.filter(expires__lt=day).values_list("pk", flat=True))
    out = CustodyMovement.objects.filter(
        document_id__in=valid, kind=MovementKind.CHECK_OUT, date__lte=day
    ).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
    out_not_due = set(out.filter(due_date__gte=day).values_list("document_id", flat=True))
    out_overdue = set(out.filter(due_date__lt=day).values_list("document_id", flat=True))
    counted = valid - out_not_due
    return (len(counted - out_overdue) / len(counted)) if counted else None


def expiry_months(user) -> int:
    organization = getattr(user, "organization", None)
    return config.get(
        passport_config.EXPIRY_WARNING_MONTHS.key, organization.office() if organization else None
    )


def expiring(user, today: date | None = None):
    today = today or timezone.localdate()
    months = expiry_months(user)
    return (
        TravelDocument.objects.restrict(user)
        .valid_on(today)
        .filter(expires__lt=add_months(today, months))
        .select_related("person")
    )


def search(user, query: str):
    """By holder (characters, pinyin, initials) or by the exact number through its blind index."""
    from waishi.directory.filtersets import person_search
    from waishi.directory.models import Person

    query = query.strip()
    by_number = TravelDocument.objects.restrict(user).blind_match("number", query)
    people = person_search(Person.objects.all(), query)
    return documents(user).filter(Q(pk__in=by_number.values("pk")) | Q(person__in=people.values("pk")))


def search_hits(user, query: str) -> list[Hit]:
    if not user.has_perm("passports.view_traveldocument"):
        return []
    return [
        Hit(str(d), f"{d.person.organization} · {DocumentState(d.state).label}", d.get_absolute_url())
        for d in search(user, query)[:20]
    ]


def work_items(user) -> list[WorkItem]:
    if not user.has_perm("passports.view_traveldocument"):
        return []
    today = timezone.localdate()
    category = _("Travel documents")
    overdue = documents(user, today).filter(state=DocumentState.OVERDUE)
    items = [
        WorkItem(
            title=_("Overdue: %(document)s") % {"document": d},
            url=d.get_absolute_url(),
            category=category,
            due=d.due_date,
            overdue=True,
        )
        for d in overdue
    ]
    if user.has_perm("passports.keep_traveldocument"):
        items += [
            WorkItem(
                title=_("Expires soon: %(document)s") % {"document": d},
                url=d.get_absolute_url(),
                category=category,
                due=d.expires,
            )
            for d in expiring(user, today)
        ]
    return items
