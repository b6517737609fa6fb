"""Builders for sister-city records in tests: written straight to the database (the services are tested
on their own), with the invariants the services keep (a first line of history at the signing date)."""

import itertools
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from waishi.directory.models import City
from waishi.partners.choices import ExchangeKind, PartnerLevel
from waishi.partners.models import LevelChange, PartnerExchange, Partnership, Target

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_names = itertools.count()


def pdf(name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def city(country: str = "JP", name_en: str | None = None, name_zh: str | None = None) -> City:
    n = next(_names)
    name_en = name_en or f"Testville {n}"
    found, _created = City.objects.get_or_create(
        country_id=country, name_en=name_en, defaults={"name_zh": name_zh or f"测试市{n}"}
    )
    return found


def partnership(
    office,
    *,
    level: str = PartnerLevel.SISTER,
    signed_on: date = date(2000, 1, 1),
    country: str = "JP",
    name_en: str | None = None,
    name_zh: str | None = None,
    history: list[tuple[str, date]] = (),
) -> Partnership:
    """A partnership signed at ``level`` on ``signed_on``, then raised along ``history``."""
    steps = [(level, signed_on), *history]
    last_level, last_date = steps[-1]
    p = Partnership.objects.create(
        office=office,
        city=city(country, name_en, name_zh),
        level=last_level,
        signed_on=signed_on,
        level_since=last_date,
    )
    previous = ""
    for step_level, day in steps:
        LevelChange.objects.create(partnership=p, from_level=previous, level=step_level, date=day)
        previous = step_level
    return p


def exchange(partners, on: date, *, substantive: bool = True, kind: str | None = None, summary: str = ""):
    partners = partners if isinstance(partners, (list, tuple)) else [partners]
    e = PartnerExchange.objects.create(
        office=partners[0].office,
        date=on,
        kind=kind or (ExchangeKind.VISIT_IN if substantive else ExchangeKind.LETTER),
        substantive=substantive,
        summary=summary or f"交流 {on}",
    )
    e.set_partners(partners)
    return e


def target(office, metric, value, start, deadline, level: str = "", note: str = "", include_lower=False):
    return Target.objects.create(
        office=office,
        metric=metric,
        value=value,
        start=start,
        deadline=deadline,
        level=level,
        note=note,
        include_lower=include_lower,
    )
