"""Reads of the custody ledger: the custody page, collection and custody rates, the work queue."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, F, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.navigation import WorkItem, WorkList, most_urgent
from waishi.core.search import Hit
from waishi.directory.models import Organization
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
class Section:
    """One section of the custody page: its states, how many documents are in it, the first ``rows``."""

    key: str
    label: str
    style: str
    order: str  # which rows come first
    states: list[str]
    count: int = 0
    rows: list = field(default_factory=list)

    @property
    def out(self) -> bool:
        """Its documents are out with a trip, due back on a date."""
        return self.key in ("overdue", "checked_out")


def custody_sections(documents, limit: int, today: date) -> list[Section]:
    """The custody page's sections of ``documents`` (annotated with ``state`` on ``today``): each one's
    count, all in one aggregate, and its first ``limit`` documents, sliced in the database (most overdue
    first, due back soonest first, expiring soonest first, lost first then the most recently expired).

    A section's rows are read in parts, each filtered also by a condition on the columns that the part's
    documents meet and ordered as the section, the parts one after the other: read in order through
    an index (custody and due date, expiry date), not sorted from every document of the section (at 100k
    trips, for the province: 60-270 ms to 5-20 ms each)."""
    out = Q(custody=Custody.CHECKED_OUT)
    newest = ("-expires", "pk")
    sections = [
        (
            Section("overdue", _("Overdue"), "danger", _("most overdue first"), [DocumentState.OVERDUE]),
            [(out, ("due_date", "pk"))],
        ),
        (
            Section(
                "checked_out",
                _("Out on a trip"),
                "primary",
                _("due back soonest first"),
                [DocumentState.CHECKED_OUT],
            ),
            [(out, ("due_date", "pk"))],
        ),
        (
            Section(
                "in_custody",
                _("In the safe"),
                "success",
                _("expiring soonest first"),
                [DocumentState.IN_CUSTODY],
            ),
            [(Q(expires__gte=today), ("expires", "pk"))],
        ),
        (
            Section(
                "other",
                _("Expired, lost or cancelled"),
                "secondary",
                _("lost first, then the most recently expired"),
                [DocumentState.EXPIRED, DocumentState.LOST, DocumentState.CANCELLED],
            ),
            # The lost; then the cancelled not yet expired; then the expired (cancelled or not), newest first.
            [
                (Q(custody=Custody.LOST), newest),
                (Q(custody=Custody.CANCELLED, expires__gte=today), newest),
                (Q(expires__lt=today) & ~Q(custody=Custody.LOST), newest),
            ],
        ),
    ]
    counts = documents.order_by().aggregate(
        **{section.key: Count("pk", filter=Q(state__in=section.states)) for section, _parts in sections}
    )
    for section, parts in sections:
        section.count = counts[section.key]
        # Every part is read, even when those before it fill the section: as many queries at any size.
        for columns, order in parts:
            section.rows += documents.filter(columns, state__in=section.states).order_by(*order)[:limit]
        section.rows = section.rows[:limit]
    return [section for section, _parts in sections]


@dataclass
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def office_documents(office, include_lower: bool = False):
    """The documents of an office's people (and the offices below it), for statistics: not user-restricted.

    The offices are chosen in a subquery of their own: an OR across the join to the organization made
    PostgreSQL read every person of every office."""
    offices = (
        Organization.objects.filter(path__startswith=office.path)
        if include_lower
        else Organization.objects.filter(Q(pk=office.pk) | Q(parent=office, kind="unit"))
    )
    return TravelDocument.objects.filter(person__organization__in=offices)


def returned_on_time(path: str = "") -> Q:
    """A check-out returned by its due date (``path``: the movement's, from another model)."""
    return Q(**{f"{path}returned_on__isnull": False, f"{path}returned_on__lte": F(f"{path}due_date")})


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
    counts = checkouts.aggregate(due=Count("pk"), on_time=Count("pk", filter=returned_on_time()))
    return Rate(counts["on_time"], counts["due"]), checkouts.select_related("document__person", "trip")


def late_first(checkouts, limit: int) -> list:
    """The first ``limit`` of ``checkouts``: those not returned on time (still out, or back late) first, the
    earliest due first."""
    on_time = Case(When(returned_on_time(), then=Value(1)), default=Value(0))
    return list(checkouts.alias(on_time=on_time).order_by("on_time", "due_date", "pk")[:limit])


def checked_out_documents(checkouts) -> int:
    """How many documents ``checkouts`` took out (a document may be due back twice in a period)."""
    return checkouts.order_by().aggregate(n=Count("document", distinct=True))["n"]


def custody_rate(user, today: date | None = None, organization=None, documents=None) -> tuple[Rate, object]:
    """Documents in custody / valid documents not out on an approved trip (an overdue one counts as not in
    custody)."""
    today = today or timezone.localdate()
    valid = (documents if documents is not None else TravelDocument.objects.restrict(user)).valid_on(today)
    if organization is not None:
        valid = valid.filter(person__organization__path__startswith=organization.path)
    counted = valid.exclude(custody=Custody.CHECKED_OUT, due_date__gte=today)
    counts = counted.order_by().aggregate(
        all=Count("pk"), in_custody=Count("pk", filter=Q(custody=Custody.IN_CUSTODY))
    )  # one pass over the documents, not one for each count
    return Rate(counts["in_custody"], counts["all"]), counted.with_state(today).select_related("person")


# The movements after which a document no longer counts in the custody rate.
GONE = (MovementKind.LOST, MovementKind.CANCEL)


@dataclass
class LedgerFigures:
    collection: Rate
    custody: float | None


def ledger_figures(documents, periods: list[tuple[date, date]]) -> list[LedgerFigures]:
    """For each (start, end): the collection rate over the period (as ``collection_rate``) and the custody
    rate at the end of ``end`` (as ``custody_rate_on``), in two queries whatever the number of periods.

    Each figure was a query of its own, and each walked the same movements again (a second each for one
    office at a million trips): the check-outs due in the periods are counted in one aggregate, the
    documents in custody at the end of each period in another (``custody_rates_on``)."""
    if not periods:
        return []
    checkout = Q(kind=MovementKind.CHECK_OUT)
    counts = {}
    for i, (start, end) in enumerate(periods):
        due = Q(due_date__range=(start, end))
        counts |= {
            f"due_{i}": Count("pk", filter=due),
            f"on_time_{i}": Count("pk", filter=due & returned_on_time()),
        }
    counts = (
        CustodyMovement.objects.filter(
            checkout,
            document__in=documents,
            due_date__range=(min(start for start, _end in periods), max(end for _start, end in periods)),
        )
        .order_by()
        .aggregate(**counts)
    )
    custody = custody_rates_on(documents, [end for _start, end in periods])
    return [
        LedgerFigures(Rate(counts[f"on_time_{i}"], counts[f"due_{i}"]), custody[i])
        for i in range(len(periods))
    ]


def custody_rates_on(documents, days: list[date]) -> list[float | None]:
    """The custody rate as the ledger stood at the end of each of ``days`` (as ``custody_rate_on``), in one
    query: each document's movements are read once and counted per day, then the documents from their
    counts.

    What stands on a day is the latest movement by then, in the order the movements were recorded (the
    order the custody services allow them in): a document found after its loss and deposited again
    counts again from that deposit, and a check-out it was lost on does not keep it "out" after it.

    Only what a count reads is read: the documents still valid on the first day, and of their movements
    the deposits, losses and cancellations, and the check-outs still out at the end of some day. The
    returns and the check-outs back before every day are most of the ledger (reading them, and every
    expired document, made this a sort of every movement: 1 s for a province at 100k trips)."""
    if not days:
        return []
    first, last = min(days), max(days)
    checkout = Q(movements__kind=MovementKind.CHECK_OUT)
    latest = {}
    for i, day in enumerate(days):
        until = Q(movements__date__lte=day)
        out = checkout & until & (Q(movements__returned_on__isnull=True) | Q(movements__returned_on__gt=day))
        # The latest (last recorded) movement of each kind by the end of the day; 0 for none.
        latest |= {
            f"held_{i}": Max("movements", filter=until & Q(movements__kind=MovementKind.DEPOSIT), default=0),
            f"gone_{i}": Max("movements", filter=until & Q(movements__kind__in=GONE), default=0),
            f"out_{i}": Max("movements", filter=out & Q(movements__due_date__gte=day), default=0),
            f"overdue_{i}": Max("movements", filter=out & Q(movements__due_date__lt=day), default=0),
        }
    read = Q(movements__date__lte=last) & (
        Q(movements__kind__in=[MovementKind.DEPOSIT, *GONE])
        | (checkout & (Q(movements__returned_on__isnull=True) | Q(movements__returned_on__gt=first)))
    )
    per_document = (
        documents.order_by().filter(read, expires__gte=first).values("pk", "expires").annotate(**latest)
    )
    totals = {}
    for i, day in enumerate(days):
        # Deposited since its last loss or cancellation, valid, and not out on a trip since that deposit.
        counted = Q(
            **{
                f"held_{i}__gt": F(f"gone_{i}"),
                f"out_{i}__lt": F(f"held_{i}"),
                "expires__gte": day,
            }
        )
        totals |= {
            f"counted_{i}": Count("pk", filter=counted),
            f"in_custody_{i}": Count("pk", filter=counted & Q(**{f"overdue_{i}__lt": F(f"held_{i}")})),
        }
    totals = per_document.aggregate(**totals)
    return [
        totals[f"in_custody_{i}"] / totals[f"counted_{i}"] if totals[f"counted_{i}"] else None
        for i in range(len(days))
    ]


def custody_rate_on(documents, day: date) -> float | None:
    """The custody rate as the ledger stood at the end of ``day``: documents in custody / valid documents
    not out on a trip that was not yet due (an overdue document counts as not in custody)."""
    return custody_rates_on(documents, [day])[0]


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


def work_items(user, limit: int | None = None) -> list[WorkList]:
    """Overdue documents and, for those who keep them, documents expiring soon: the ``limit`` due or
    expiring first (with those due the same day) and how many there are."""
    if not user.has_perm("passports.view_traveldocument"):
        return []
    today = timezone.localdate()
    category = _("Travel documents")
    # An item names the holder and the masked number: the holder's own encrypted numbers are not read (a
    # province's work queue holds hundreds of documents, each decrypted three times).
    holder_numbers = ("person__id_number", "person__phone")
    overdue, count = most_urgent(
        TravelDocument.objects.restrict(user).overdue(today).select_related("person").defer(*holder_numbers),
        "due_date",
        limit,
    )
    lists = [
        WorkList(
            category,
            count,
            [
                WorkItem(
                    title=_("Overdue: %(document)s") % {"document": d},
                    url=d.get_absolute_url(),
                    category=category,
                    due=d.due_date,
                    overdue=True,
                )
                for d in overdue
            ],
        )
    ]
    if user.has_perm("passports.keep_traveldocument"):
        soon, count = most_urgent(expiring(user, today).defer(*holder_numbers), "expires", limit)
        items = [
            WorkItem(
                title=_("Expires soon: %(document)s") % {"document": d},
                url=d.get_absolute_url(),
                category=category,
                due=d.expires,
            )
            for d in soon
        ]
        lists.append(WorkList(category, count, items))
    return lists
