"""Every write to partnerships, their level history, approvals and contacts, and to exchanges.

Each service is one transaction: permission and scope (``require``), the checks of the domain, a
compare-and-set on ``version`` where a record is edited (a second, concurrent edit fails with Conflict),
the change log, and an audit row for each decision (a partnership signed, a level changed, an approval).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.audit import audit
from waishi.core.choices import ChangeAction
from waishi.core.errors import ApplicationError, Conflict
from waishi.core.models import Attachment
from waishi.core.services import deny, record_change, require, service, snapshot
from waishi.partners import config as partner_config
from waishi.partners.choices import ApprovalStage, PartnerLevel
from waishi.partners.models import Approval, Contact, LevelChange, PartnerExchange, Partnership

# The purposes of the files attached to a partnership (core Attachment.purpose).
PURPOSE_LEVEL = "partner_level"
PURPOSE_APPROVAL = "partner_approval"


def _invalid(field: str, message) -> ApplicationError:
    return ApplicationError("invalid", message, {"errors": {field: [message]}})


def _clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ApplicationError(
            "invalid", _("Please correct the errors below."), {"errors": exc.message_dict}
        ) from exc


def _not_future(day: date, field: str = "date") -> None:
    if day > timezone.localdate():
        raise _invalid(field, _("The date lies in the future: record it once it has happened."))


def check_country(office, country) -> None:
    """Refuse a partner in China itself, in a region of China, or in a country off limits, with the reason."""
    if country.code == "CN" or country.is_region:
        raise ApplicationError(
            "not_foreign",
            _("%(region)s is part of China: a sister-city relation is made with a foreign city only.")
            % {"region": country.name_zh},
            {"country": country.code, "errors": {"city": [_("Choose a foreign city.")]}},
        )
    if country.off_limits:
        message = _(
            "%(country)s is off limits for sister-city relations: the administrator marked it so in the "
            "list of countries."
        ) % {"country": country.name_zh}
        raise ApplicationError(
            "off_limits",
            message,
            {"country": country.code, "reason": "country", "errors": {"city": [message]}},
        )
    if country.code in config.get(partner_config.OFF_LIMITS.key, office):
        message = _(
            "%(country)s is off limits for sister-city relations of %(office)s: the office's setting "
            "“%(setting)s” names it."
        ) % {"country": country.name_zh, "office": office, "setting": partner_config.OFF_LIMITS.label}
        raise ApplicationError(
            "off_limits",
            message,
            {"country": country.code, "reason": "office_setting", "errors": {"city": [message]}},
        )


def _check_office(actor, office) -> None:
    from waishi.directory.models import Organization

    if office is None or not office.is_fao:
        raise _invalid("office", _("Our side is a Foreign Affairs Office."))
    if not Organization.objects.restrict(actor, "view").filter(pk=office.pk).exists():
        raise deny(
            actor,
            office,
            {"model": "partners.partnership", "action": "add"},
            "out_of_scope",
            _("You cannot record partnerships of this office."),
        )


def _check_document(partnership, document, field: str = "document") -> None:
    """A document named by a level change or an approval is a file attached to the partnership."""
    if document is None:
        return
    attached = Attachment.objects.filter(
        pk=document.pk,
        content_type__app_label="partners",
        content_type__model="partnership",
        object_id=str(partnership.pk),
    ).exists()
    if not attached:
        raise _invalid(field, _("The document is not a file attached to this partnership."))


def find_or_create_city(*, actor, country, name_zh: str, name_en: str):
    """The directory's city of that name in that country, or a new one (geocoded by the directory)."""
    from waishi.directory import services as directory_services
    from waishi.directory.models import City

    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh and not name_en:
        raise _invalid("city", _("Name the partner city."))
    match = Q(name_en__iexact=name_en) if name_en else Q(name_zh=name_zh)
    if name_en and name_zh:
        match |= Q(name_zh=name_zh)
    city = City.objects.filter(match, country=country).order_by("id").first()
    if city is not None:
        return city
    return directory_services.city_create(
        actor=actor, obj=City(country=country, name_zh=name_zh or name_en, name_en=name_en or name_zh)
    )


@service
def partnership_create(
    *, actor, office, city, level: str, signed_on: date, note: str = "", document=None
) -> Partnership:
    """Record a partnership as signed on ``signed_on`` at ``level`` (its first line of history)."""
    partnership = _record(
        actor=actor, office=office, city=city, level=level, signed_on=signed_on, note=note, document=document
    )
    audit(
        "partnership.create",
        user=actor,
        obj=partnership,
        detail={"level": level, "signed_on": signed_on.isoformat()},
    )
    return partnership


def _record(*, actor, office, city, level: str, signed_on: date, note="", document=None) -> Partnership:
    """The partnership and its first line of history, without the audit row (see its callers)."""
    require(actor, Partnership, "add")
    _check_office(actor, office)
    check_country(office, city.country)
    _not_future(signed_on, "signed_on")
    if Partnership.objects.filter(office=office, city=city).exists():
        raise ApplicationError(
            "duplicate",
            _("%(office)s already has a partnership with %(city)s.") % {"office": office, "city": city},
            {"errors": {"city": [_("Already a partner of this office.")]}},
        )
    partnership = Partnership(
        office=office, city=city, level=level, signed_on=signed_on, level_since=signed_on, note=note
    )
    _clean(partnership)
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError as exc:
        raise Conflict("duplicate", _("Someone else recorded this partnership first.")) from exc
    LevelChange.objects.create(
        partnership=partnership, level=level, date=signed_on, document=document, recorded_by=actor
    )
    record_change(actor=actor, obj=partnership, action=ChangeAction.CREATE)
    return partnership


@service
def partnership_import(
    *, actor, office, country, name_zh: str, name_en: str, level: str, signed_on: date
) -> Partnership:
    """One row of an office's existing partner list: the city found or created (and geocoded). The import as
    a whole is one audit row (``data.import``); each partnership is in the change log."""
    require(actor, Partnership, "add")
    check_country(office, country)
    city = find_or_create_city(actor=actor, country=country, name_zh=name_zh, name_en=name_en)
    return _record(actor=actor, office=office, city=city, level=level, signed_on=signed_on)


@service
def partnership_update(*, actor, partnership: Partnership, version: int, signed_on: date, note: str):
    """Correct the signing date (the first line of the history moves with it) and the notes."""
    require(actor, Partnership, "change", partnership)
    stored = Partnership.objects.get(pk=partnership.pk)
    before = snapshot(stored)
    _not_future(signed_on, "signed_on")
    history = list(stored.level_changes.order_by("date", "id"))
    if len(history) > 1 and signed_on > history[1].date:
        raise _invalid(
            "signed_on",
            _("The signing date lies after the next level change (%(date)s).")
            % {"date": date_format(history[1].date)},
        )
    level_since = signed_on if len(history) <= 1 else stored.level_since
    if not Partnership.objects.filter(pk=partnership.pk, version=version).update(version=F("version") + 1):
        raise Conflict("changed", _("Someone else changed this partnership after you opened it. Reload it."))
    for name, value in {
        "office": stored.office, "city": stored.city, "level": stored.level,
        "signed_on": signed_on, "note": note, "level_since": level_since, "version": version + 1,
    }.items():  # fmt: skip
        setattr(partnership, name, value)
    _clean(partnership)
    partnership.save()
    if history:
        LevelChange.objects.filter(pk=history[0].pk).update(date=signed_on)
    record_change(actor=actor, obj=partnership, action=ChangeAction.UPDATE, before=before)
    return partnership


@service
def partnership_change_level(
    *,
    actor,
    partnership: Partnership,
    level: str,
    on: date,
    document=None,
    note: str = "",
    version: int | None = None,
) -> Partnership:
    """A new letter or agreement: the partnership moves to ``level`` on ``on`` (a line of its history)."""
    require(actor, Partnership, "change", partnership)
    if level not in PartnerLevel.values:
        raise _invalid("level", _("Choose a level."))
    if level == partnership.level:
        raise _invalid("level", _("The partnership is already at this level."))
    _not_future(on)
    if on < partnership.level_since:
        raise _invalid(
            "date",
            _("The change lies before the date of the current level (%(date)s).")
            % {"date": date_format(partnership.level_since)},
        )
    if (
        level == PartnerLevel.SISTER
        and config.get(partner_config.SISTER_NEEDS_APPROVAL.key, partnership.office)
        and not partnership.approvals.filter(stage=ApprovalStage.NATIONAL_ASSOCIATION, date__lte=on).exists()
    ):
        raise ApplicationError(
            "approval_missing",
            _("Record the approval of the national friendship association first: a partnership becomes a "
              "sister city once it is approved."),
            {"errors": {"level": [_("Not yet approved by the national friendship association.")]}},
        )  # fmt: skip
    _check_document(partnership, document)
    before = snapshot(partnership)
    from_level = partnership.level
    version = partnership.version if version is None else version
    updated = Partnership.objects.filter(pk=partnership.pk, version=version).update(
        level=level, level_since=on, version=F("version") + 1
    )
    if not updated:
        raise Conflict("changed", _("Someone else changed this partnership first. Reload it."))
    partnership.refresh_from_db()
    LevelChange.objects.create(
        partnership=partnership,
        from_level=from_level,
        level=level,
        date=on,
        document=document,
        note=note,
        recorded_by=actor,
    )
    record_change(actor=actor, obj=partnership, action=ChangeAction.UPDATE, before=before)
    audit(
        "partnership.change_level",
        user=actor,
        obj=partnership,
        detail={
            "from": from_level,
            "to": level,
            "date": on.isoformat(),
            "document": document.pk if document else None,
        },
    )
    return partnership


@service
def approval_record(
    *, actor, partnership: Partnership, stage: str, on: date, reference: str = "", document=None, note=""
) -> Approval:
    """Record one approval stage; the stages come in order (government, provincial FAO, national
    friendship association), each on or after the one before."""
    require(actor, Partnership, "change", partnership)
    if stage not in ApprovalStage.values:
        raise _invalid("stage", _("Choose a stage."))
    _not_future(on)
    previous = ApprovalStage.previous(stage)
    if previous:
        before = partnership.approvals.filter(stage=previous).first()
        if before is None:
            raise _invalid("stage", _("Record “%(stage)s” first.") % {"stage": ApprovalStage(previous).label})
        if on < before.date:
            raise _invalid(
                "date",
                _("This stage lies before “%(stage)s” (%(date)s).")
                % {"stage": before.get_stage_display(), "date": date_format(before.date)},
            )
    _check_document(partnership, document)
    approval = Approval(
        partnership=partnership,
        stage=stage,
        date=on,
        reference=reference.strip(),
        document=document,
        note=note,
        recorded_by=actor,
    )
    _clean(approval, exclude=["partnership", "document", "recorded_by"])
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError as exc:
        raise Conflict("already_recorded", _("This stage is already recorded.")) from exc
    record_change(actor=actor, obj=approval, action=ChangeAction.CREATE)
    audit(
        "partnership.approval",
        user=actor,
        obj=partnership,
        detail={"stage": stage, "date": on.isoformat(), "reference": approval.reference},
    )
    return approval


@service
def contact_add(*, actor, partnership: Partnership, contact: Contact) -> Contact:
    require(actor, Partnership, "change", partnership)
    contact.partnership = partnership
    _clean(contact)
    contact.save()
    record_change(actor=actor, obj=contact, action=ChangeAction.CREATE)
    return contact


@service
def contact_remove(*, actor, contact: Contact) -> None:
    require(actor, Partnership, "change", contact.partnership)
    before = snapshot(contact)
    pk = contact.pk
    contact.delete()
    contact.pk = pk
    record_change(actor=actor, obj=contact, action=ChangeAction.DELETE, before=before)


def _check_exchange(actor, exchange: PartnerExchange, partnerships) -> None:
    """The partners are visible to the actor and belong to one office; the trip is one he may see."""
    from waishi.travel.models import Trip

    partnerships = list(partnerships or [])
    if not partnerships:
        raise _invalid("partnerships", _("Choose at least one partner."))
    visible = Partnership.objects.restrict(actor, "view").filter(pk__in=[p.pk for p in partnerships])
    if visible.count() != len({p.pk for p in partnerships}):
        raise deny(
            actor,
            None,
            {"model": "partners.partnerexchange", "partnerships": sorted(p.pk for p in partnerships)},
            "out_of_scope",
            _("You cannot record exchanges of these partners."),
        )
    offices = {p.office_id for p in partnerships}
    if len(offices) > 1:
        raise _invalid(
            "partnerships",
            _("One exchange concerns the partners of one office: record it once for each office."),
        )
    exchange.office_id = offices.pop()
    if exchange.date is not None:
        _not_future(exchange.date)
    if exchange.trip_id and not Trip.objects.restrict(actor, "view").filter(pk=exchange.trip_id).exists():
        raise _invalid("trip", _("Choose a trip you can see."))


@service
def exchange_create(*, actor, exchange: PartnerExchange, partnerships) -> PartnerExchange:
    require(actor, PartnerExchange, "add")
    _check_exchange(actor, exchange, partnerships)
    _clean(exchange)
    exchange.save()
    exchange.set_partners(partnerships)
    record_change(actor=actor, obj=exchange, action=ChangeAction.CREATE)
    return exchange


@service
def exchange_update(*, actor, exchange: PartnerExchange, version: int, partnerships) -> PartnerExchange:
    require(actor, PartnerExchange, "change", exchange)
    before = snapshot(PartnerExchange.objects.get(pk=exchange.pk))
    _check_exchange(actor, exchange, partnerships)
    _clean(exchange)
    if not PartnerExchange.objects.filter(pk=exchange.pk, version=version).update(version=F("version") + 1):
        raise Conflict("changed", _("Someone else changed this exchange after you opened it. Reload it."))
    exchange.version = version + 1
    exchange.save()
    exchange.set_partners(partnerships)
    record_change(actor=actor, obj=exchange, action=ChangeAction.UPDATE, before=before)
    return exchange


@service
def exchange_delete(*, actor, exchange: PartnerExchange) -> None:
    require(actor, PartnerExchange, "delete", exchange)
    before = snapshot(exchange)
    pk = exchange.pk
    exchange.delete()
    exchange.pk = pk
    record_change(actor=actor, obj=exchange, action=ChangeAction.DELETE, before=before)
