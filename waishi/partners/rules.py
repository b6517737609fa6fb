"""The activity class of a partnership (DOMAIN.md): active, occasional or dormant as of any date.

As of a date D, counting only records dated on or before D:

- **active**: a substantive exchange after the same day ``active_months`` (12) months before D.
  As of 2024-06-30 an exchange on 2023-07-01 counts, one on 2023-06-30 does not.
- **dormant**: no exchange of any kind (substantive or not) after the same day ``dormant_months``
  (36) months before D.
- **occasional**: every other partnership that exists on D.
- a partnership signed after D has no class on D (None).

Signing counts: the signing of the first document and every later level change (a new letter or
agreement) is dated contact with the partner. With ``signing_counts_as = "substantive"`` (the default) it
counts as a substantive exchange, so a partnership signed in the last 12 months is active; with
``"contact"`` it only keeps the partnership out of dormancy. Either way a partnership cannot be dormant
within ``dormant_months`` of its last signing.

The thresholds are office settings (``partners.activity.*``): each partnership is classified with the
settings of its own office. ``annotate_activity`` does it in SQL, in a constant number of queries;
``classify`` is the same rule in Python (the tests hold the two together).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, CharField, DateField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from waishi.core import config
from waishi.partners import config as partner_config
from waishi.partners.choices import Activity

SUBSTANTIVE, CONTACT = "substantive", "contact"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped to the month's end
    (2024-02-29 → 2023-02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        return date.min
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


@dataclass(frozen=True)
class Thresholds:
    active_months: int
    dormant_months: int
    signing: str

    @classmethod
    def default(cls) -> "Thresholds":
        return cls.of(
            partner_config.ACTIVE_MONTHS.default,
            partner_config.DORMANT_MONTHS.default,
            partner_config.SIGNING_COUNTS.default,
        )

    @classmethod
    def of(cls, active, dormant, signing) -> "Thresholds":
        return cls(int(active), int(dormant), CONTACT if signing == CONTACT else SUBSTANTIVE)

    @classmethod
    def for_office(cls, office) -> "Thresholds":
        return cls.of(
            config.get(partner_config.ACTIVE_MONTHS.key, office),
            config.get(partner_config.DORMANT_MONTHS.key, office),
            config.get(partner_config.SIGNING_COUNTS.key, office),
        )


KEYS = (
    partner_config.ACTIVE_MONTHS.key,
    partner_config.DORMANT_MONTHS.key,
    partner_config.SIGNING_COUNTS.key,
)


def thresholds_by_office(office_ids) -> tuple[dict[int, Thresholds], Thresholds]:
    """The thresholds of each office in ``office_ids`` (ids or a values() queryset) and the default, in one
    query when no office has its own setting, two otherwise."""
    from waishi.core.models import OfficeSetting
    from waishi.directory.models import Organization

    default = Thresholds.default()
    rows = list(OfficeSetting.objects.filter(key__in=KEYS).values_list("organization__path", "key", "value"))
    if not rows:
        return {}, default
    values = {(path, key): value for path, key, value in rows}
    result = {}
    for pk, path in Organization.objects.filter(pk__in=office_ids).values_list("pk", "path"):
        resolved = []
        for key in KEYS:
            found = config.definition(key).default
            for ancestor in config.ancestor_paths(path):
                if (ancestor, key) in values:
                    found = values[(ancestor, key)]
                    break
            resolved.append(found)
        result[pk] = Thresholds.of(*resolved)
    return result, default


def classify(
    as_of: date, exchanges: Iterable[tuple[date, bool]], signings: Iterable[date], thresholds: Thresholds
) -> str | None:
    """The activity class on ``as_of`` of a partnership with these (date, substantive) exchanges and
    these signing dates (its first signing and each level change)."""
    signed = [d for d in signings if d <= as_of]
    if not signed:
        return None
    last_signing = max(signed)
    seen = [(d, substantive) for d, substantive in exchanges if d <= as_of]
    substantive = [d for d, s in seen if s]
    if thresholds.signing == SUBSTANTIVE:
        substantive.append(last_signing)
    contact = [d for d, _s in seen] + [last_signing]
    if substantive and max(substantive) > months_before(as_of, thresholds.active_months):
        return Activity.ACTIVE
    if max(contact) > months_before(as_of, thresholds.dormant_months):
        return Activity.OCCASIONAL
    return Activity.DORMANT


def turns_dormant_on(last_contact: date, thresholds: Thresholds) -> date:
    """The first day on which a partnership whose last contact was ``last_contact`` is dormant."""
    day = months_after(last_contact, thresholds.dormant_months)
    while months_before(day, thresholds.dormant_months) < last_contact:
        day += timedelta(days=1)
    return day


def _whens(as_of: date, thresholds: Thresholds, condition: Q) -> list[When]:
    active_field = "last_active_contact" if thresholds.signing == SUBSTANTIVE else "last_substantive"
    return [
        When(condition & Q(**{f"{active_field}__gt": months_before(as_of, thresholds.active_months)}),
             then=Value(Activity.ACTIVE.value)),
        When(condition & Q(last_contact__gt=months_before(as_of, thresholds.dormant_months)),
             then=Value(Activity.OCCASIONAL.value)),
    ]  # fmt: skip


def _latest_exchange(links):
    """The date of the latest of a partnership's ``links`` (``ExchangePartner``): one step along its index."""
    return Subquery(links.order_by("-date").values("date")[:1], output_field=DateField())


def annotate_activity(queryset, as_of: date, thresholds=None):
    """``queryset`` of partnerships with ``activity``, ``last_exchange`` (the last exchange of any kind),
    ``last_substantive``, ``last_signing`` and ``last_contact`` (exchange or signing) as of ``as_of``.
    ``thresholds``: what ``thresholds_by_office`` gives for (at least) the queryset's offices, else read."""
    from waishi.partners.models import ExchangePartner, LevelChange

    by_office, default = thresholds or thresholds_by_office(queryset.values("office_id"))
    groups: dict[Thresholds, list[int]] = {}
    for office_id, thresholds in by_office.items():
        groups.setdefault(thresholds, []).append(office_id)
    links = ExchangePartner.objects.filter(partnership=OuterRef("pk"), date__lte=as_of)
    signings = LevelChange.objects.filter(partnership=OuterRef("pk"), date__lte=as_of).order_by("-date")
    queryset = queryset.annotate(
        last_exchange=_latest_exchange(links),
        last_substantive=_latest_exchange(links.filter(substantive=True)),
        last_signing=Subquery(signings.values("date")[:1]),
    ).annotate(
        last_active_contact=Greatest(Coalesce("last_substantive", "last_signing"), "last_signing"),
        last_contact=Greatest(Coalesce("last_exchange", "last_signing"), "last_signing"),
    )
    whens = [When(last_signing__isnull=True, then=Value(None))]
    if len(groups) <= 1:
        whens += _whens(as_of, next(iter(groups)) if groups else default, Q())
    else:
        for thresholds, office_ids in groups.items():
            whens += _whens(as_of, thresholds, Q(office_id__in=office_ids))
    return queryset.annotate(
        activity=Case(*whens, default=Value(Activity.DORMANT.value), output_field=CharField())
    )
