"""The writes: a partnership signed (and refused in an off-limits country, with the reason), its level
history, approval stages, contacts, exchanges with several partners; permissions and compare-and-set."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from waishi.core.errors import ApplicationError, Conflict, NotAllowed
from waishi.core.models import AuditLog, ChangeLog
from waishi.core.services import attachment_add, office_setting_set
from waishi.directory.models import City, Country
from waishi.partners import rules, services
from waishi.partners.choices import ApprovalStage, ContactSide, PartnerLevel
from waishi.partners.config import OFF_LIMITS, SISTER_NEEDS_APPROVAL
from waishi.partners.models import (
    Approval,
    Contact,
    ExchangePartner,
    LevelChange,
    PartnerExchange,
    Partnership,
)
from waishi.partners.tests import factories as f
from waishi.travel.models import Trip

pytestmark = pytest.mark.django_db

INTENT, FRIENDLY, SISTER = PartnerLevel.INTENT, PartnerLevel.FRIENDLY, PartnerLevel.SISTER


@pytest.fixture
def staff(world):
    return world.user("fao_staff")


def create(staff, office, city, level=INTENT, signed_on=date(2023, 9, 19)):
    return services.partnership_create(
        actor=staff, office=office, city=city, level=level, signed_on=signed_on
    )


# --- signing --------------------------------------------------------------------------------------------


def test_a_partnership_is_signed_with_its_first_line_of_history(world, staff):
    p = create(staff, world.city_a, f.city("BG", "Troyan", "特罗扬"))
    assert (p.level, p.signed_on, p.level_since) == (INTENT, date(2023, 9, 19), date(2023, 9, 19))
    assert list(p.level_changes.values_list("from_level", "level", "date")) == [
        ("", INTENT, date(2023, 9, 19))
    ]
    assert AuditLog.objects.filter(action="partnership.create", object_id=str(p.pk)).count() == 1
    assert ChangeLog.objects.filter(object_id=str(p.pk), action="create").count() == 1


def test_a_partner_in_an_off_limits_country_is_refused_with_the_reason(world, staff):
    Country.objects.filter(code="BG").update(off_limits=True)
    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        create(staff, world.city_a, f.city("BG", "Troyan"))
    assert refused.value.code == "off_limits"
    assert refused.value.extra["reason"] == "country" and refused.value.extra["country"] == "BG"
    assert "保加利亚" in str(refused.value.message) and "off limits" in str(refused.value.message)
    assert Partnership.objects.count() == 0


def test_an_office_may_put_further_countries_off_limits(world, staff):
    office_setting_set(actor=world.user("fao_leader"), office=world.city_a, key=OFF_LIMITS.key, value=["NP"])
    with pytest.raises(ApplicationError) as refused:
        create(staff, world.city_a, f.city("NP", "Gorkha"))
    assert refused.value.code == "off_limits" and refused.value.extra["reason"] == "office_setting"
    other = services.partnership_create(
        actor=world.user("fao_staff", world.city_b),
        office=world.city_b,
        city=f.city("NP", "Gorkha"),
        level=INTENT,
        signed_on=date(2023, 10, 18),
    )
    assert other.pk  # the setting is city A's, not city B's


@pytest.mark.parametrize("code", ["HK", "MO", "TW", "CN"])
def test_china_and_its_regions_are_never_partner_countries(world, staff, code):
    with pytest.raises(ApplicationError) as refused:
        create(staff, world.city_a, f.city(code))
    assert refused.value.code == "not_foreign"


def test_duplicate_out_of_scope_future_and_not_allowed(world, staff):
    city = f.city("IT", "Faenza")
    create(staff, world.city_a, city)
    with pytest.raises(ApplicationError) as duplicate:
        create(staff, world.city_a, city)
    assert duplicate.value.code == "duplicate"
    with pytest.raises(NotAllowed):
        create(staff, world.city_b, f.city("IT"))
    with pytest.raises(ApplicationError) as future:
        create(staff, world.city_a, f.city("IT"), signed_on=timezone.localdate() + timedelta(days=1))
    assert "signed_on" in future.value.extra["errors"]
    with pytest.raises(ApplicationError):
        create(staff, world.unit_a, f.city("IT"))  # our side is an office, not a unit
    for role in ("viewer", "fao_leader", "unit_clerk"):
        with pytest.raises(NotAllowed):
            create(world.user(role), world.city_a, f.city("IT"))


def test_the_city_is_found_or_created_and_geocoded(world, staff):
    italy = Country.objects.get(code="IT")
    city = services.find_or_create_city(actor=staff, country=italy, name_zh="法恩扎", name_en="Faenza")
    assert city.latitude is not None and round(float(city.latitude)) == 44
    again = services.find_or_create_city(actor=staff, country=italy, name_zh="", name_en="faenza")
    assert again.pk == city.pk and City.objects.filter(country=italy).count() == 1


# --- level history --------------------------------------------------------------------------------------


def record_approvals(staff, p, on=date(2024, 5, 1)):
    for stage in ApprovalStage.values:
        services.approval_record(actor=staff, partnership=p, stage=stage, on=on, reference="友协〔2024〕1号")


def test_level_changes_are_kept_with_their_dates_and_documents(world, staff):
    p = create(staff, world.city_a, f.city("TH", "Lampang"), signed_on=date(2019, 5, 21))
    document = attachment_add(actor=staff, obj=p, upload=f.pdf(), description="协议书")
    p = services.partnership_change_level(
        actor=staff, partnership=p, level=FRIENDLY, on=date(2021, 3, 1), document=document
    )
    record_approvals(staff, p)
    p = services.partnership_change_level(actor=staff, partnership=p, level=SISTER, on=date(2025, 6, 18))
    assert (p.level, p.level_since, p.signed_on, p.version) == (
        SISTER,
        date(2025, 6, 18),
        date(2019, 5, 21),
        3,
    )
    history = list(
        LevelChange.objects.filter(partnership=p).values_list("from_level", "level", "date", "document")
    )
    assert history == [
        ("", INTENT, date(2019, 5, 21), None),
        (INTENT, FRIENDLY, date(2021, 3, 1), document.pk),
        (FRIENDLY, SISTER, date(2025, 6, 18), None),
    ]
    assert AuditLog.objects.filter(action="partnership.change_level", object_id=str(p.pk)).count() == 2


def test_level_change_refusals(world, staff):
    p = create(staff, world.city_a, f.city("TH"), signed_on=date(2019, 5, 21))
    cases = [
        ({"level": INTENT, "on": date(2020, 1, 1)}, "level"),  # already there
        ({"level": FRIENDLY, "on": date(2019, 5, 20)}, "date"),  # before the current level
        ({"level": FRIENDLY, "on": timezone.localdate() + timedelta(days=1)}, "date"),
        ({"level": SISTER, "on": date(2024, 1, 1)}, "level"),  # no approval of the national association
    ]
    for kwargs, field in cases:
        with pytest.raises(ApplicationError) as refused:
            services.partnership_change_level(actor=staff, partnership=p, **kwargs)
        assert field in refused.value.extra["errors"], kwargs
    other = f.partnership(world.city_a)
    stray = attachment_add(actor=staff, obj=other, upload=f.pdf())
    with pytest.raises(ApplicationError) as refused:
        services.partnership_change_level(
            actor=staff, partnership=p, level=FRIENDLY, on=date(2020, 1, 1), document=stray
        )
    assert "document" in refused.value.extra["errors"]
    with pytest.raises(NotAllowed):
        services.partnership_change_level(
            actor=world.user("viewer"), partnership=p, level=FRIENDLY, on=date(2020, 1, 1)
        )
    assert p.level_changes.count() == 1


def test_sister_without_approval_when_the_office_allows_it(world, staff):
    office_setting_set(
        actor=world.user("fao_leader"), office=world.city_a, key=SISTER_NEEDS_APPROVAL.key, value=False
    )
    p = create(staff, world.city_a, f.city("TH"), signed_on=date(2019, 5, 21))
    assert (
        services.partnership_change_level(actor=staff, partnership=p, level=SISTER, on=date(2024, 1, 1)).level
        == SISTER
    )


def test_a_second_change_from_the_same_version_conflicts(world, staff):
    p = create(staff, world.city_a, f.city("TH"), signed_on=date(2019, 5, 21))
    stale = Partnership.objects.get(pk=p.pk)
    services.partnership_change_level(actor=staff, partnership=p, level=FRIENDLY, on=date(2021, 1, 1))
    with pytest.raises(Conflict):
        services.partnership_change_level(
            actor=staff, partnership=stale, level=FRIENDLY, on=date(2021, 1, 1), version=stale.version
        )
    assert p.level_changes.count() == 2


def test_correcting_the_signing_date_moves_the_first_line(world, staff):
    p = create(staff, world.city_a, f.city("TH"), signed_on=date(2019, 5, 21))
    p = services.partnership_update(
        actor=staff, partnership=p, version=1, signed_on=date(2019, 5, 1), note="更正"
    )
    assert (p.signed_on, p.level_since, p.note) == (date(2019, 5, 1), date(2019, 5, 1), "更正")
    assert p.level_changes.get().date == date(2019, 5, 1)
    services.partnership_change_level(actor=staff, partnership=p, level=FRIENDLY, on=date(2021, 1, 1))
    p.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.partnership_update(
            actor=staff, partnership=p, version=p.version, signed_on=date(2022, 1, 1), note=""
        )
    with pytest.raises(Conflict):
        services.partnership_update(
            actor=staff, partnership=p, version=1, signed_on=date(2019, 5, 2), note=""
        )


# --- approvals and contacts -----------------------------------------------------------------------------


def test_approval_stages_come_in_order(world, staff):
    p = create(staff, world.city_a, f.city("TH"), signed_on=date(2019, 5, 21))
    with pytest.raises(ApplicationError) as refused:
        services.approval_record(
            actor=staff, partnership=p, stage=ApprovalStage.PROVINCIAL_FAO, on=date(2024, 1, 1)
        )
    assert "stage" in refused.value.extra["errors"]
    services.approval_record(
        actor=staff,
        partnership=p,
        stage=ApprovalStage.GOVERNMENT,
        on=date(2024, 3, 1),
        reference="景府字〔2024〕8号",
    )
    with pytest.raises(ApplicationError) as refused:
        services.approval_record(
            actor=staff, partnership=p, stage=ApprovalStage.PROVINCIAL_FAO, on=date(2024, 2, 1)
        )
    assert "date" in refused.value.extra["errors"]
    with pytest.raises(Conflict):
        services.approval_record(
            actor=staff, partnership=p, stage=ApprovalStage.GOVERNMENT, on=date(2024, 3, 2)
        )
    assert list(Approval.objects.values_list("stage", "reference")) == [("government", "景府字〔2024〕8号")]
    assert AuditLog.objects.filter(action="partnership.approval").count() == 1


def test_contacts_on_both_sides_with_the_phone_encrypted(world, staff):
    p = f.partnership(world.city_a)
    contact = services.contact_add(
        actor=staff,
        partnership=p,
        contact=Contact(
            side=ContactSide.THEIRS, name="Maria Rossi", email="m@example.org", phone="+39 0546 691111"
        ),
    )
    assert contact.phone_masked.startswith("+39") and "*" in contact.phone_masked
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM partners_contact WHERE id = %s", [contact.pk])
        assert "0546" not in cursor.fetchone()[0]
    services.contact_remove(actor=staff, contact=contact)
    assert not Contact.objects.exists()
    with pytest.raises(NotAllowed):
        services.contact_add(
            actor=world.user("viewer"), partnership=p, contact=Contact(side="ours", name="x")
        )


# --- exchanges ------------------------------------------------------------------------------------------


def new_exchange(**fields):
    values = {
        "date": date(2023, 10, 18),
        "kind": "forum",
        "substantive": True,
        "summary": "国际友好城市交流论坛",
    }
    return PartnerExchange(**(values | fields))


def test_one_exchange_with_several_partners(world, staff):
    lampang, gorkha = f.partnership(world.city_a), f.partnership(world.city_a, level=INTENT)
    e = services.exchange_create(actor=staff, exchange=new_exchange(), partnerships=[lampang, gorkha])
    assert e.office == world.city_a and set(e.partnerships.all()) == {lampang, gorkha}
    e = services.exchange_update(actor=staff, exchange=e, version=1, partnerships=[lampang])
    assert list(e.partnerships.all()) == [lampang] and e.version == 2
    with pytest.raises(Conflict):
        services.exchange_update(actor=staff, exchange=e, version=1, partnerships=[gorkha])
    services.exchange_delete(actor=staff, exchange=e)
    assert not PartnerExchange.objects.exists()


def test_each_partner_of_an_exchange_keeps_its_date_and_kind_through_every_change(world, staff):
    """ExchangePartner copies the exchange's date and substantive (what the activity reads): set when a
    partner is added, changed with the exchange, on the partners kept and the one added alike."""
    lampang, gorkha = f.partnership(world.city_a), f.partnership(world.city_a, level=INTENT)

    def copies(e):
        return set(
            ExchangePartner.objects.filter(partnerexchange=e).values_list(
                "partnership", "date", "substantive"
            )
        )

    e = services.exchange_create(actor=staff, exchange=new_exchange(), partnerships=[lampang])
    assert copies(e) == {(lampang.pk, date(2023, 10, 18), True)}
    e.date, e.substantive, e.kind = date(2022, 12, 1), False, "letter"
    e = services.exchange_update(actor=staff, exchange=e, version=1, partnerships=[lampang, gorkha])
    assert copies(e) == {(lampang.pk, date(2022, 12, 1), False), (gorkha.pk, date(2022, 12, 1), False)}
    e.date = date(2023, 1, 5)
    e.save()  # any save, not only the service's
    assert copies(e) == {(lampang.pk, date(2023, 1, 5), False), (gorkha.pk, date(2023, 1, 5), False)}
    assert rules.annotate_activity(
        Partnership.objects.filter(pk=lampang.pk), date(2023, 2, 1)
    ).get().last_exchange == date(2023, 1, 5)


def test_exchange_refusals(world, staff):
    mine, theirs = f.partnership(world.city_a), f.partnership(world.city_b)
    with pytest.raises(ApplicationError) as refused:
        services.exchange_create(actor=staff, exchange=new_exchange(), partnerships=[])
    assert "partnerships" in refused.value.extra["errors"]
    with pytest.raises(NotAllowed):
        services.exchange_create(actor=staff, exchange=new_exchange(), partnerships=[mine, theirs])
    province = world.user("fao_staff", world.province)
    with pytest.raises(ApplicationError) as refused:
        services.exchange_create(actor=province, exchange=new_exchange(), partnerships=[mine, theirs])
    assert "partnerships" in refused.value.extra["errors"]  # two offices: recorded once for each
    with pytest.raises(ApplicationError):
        services.exchange_create(
            actor=staff,
            exchange=new_exchange(date=timezone.localdate() + timedelta(days=1)),
            partnerships=[mine],
        )
    trip = Trip.objects.create(
        applicant_unit=world.unit_b,
        office=world.city_b,
        category="abroad",
        mission="赴泰国交流",
        depart_date=date(2023, 10, 1),
        return_date=date(2023, 10, 5),
    )
    with pytest.raises(ApplicationError) as refused:
        services.exchange_create(actor=staff, exchange=new_exchange(trip=trip), partnerships=[mine])
    assert "trip" in refused.value.extra["errors"]
    with pytest.raises(NotAllowed):
        services.exchange_create(actor=world.user("viewer"), exchange=new_exchange(), partnerships=[mine])
    assert not PartnerExchange.objects.exists()


def test_an_exchange_links_to_a_trip_of_the_office(world, staff):
    mine = f.partnership(world.city_a)
    trip = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="赴意大利法恩扎交流",
        depart_date=date(2023, 10, 1),
        return_date=date(2023, 10, 5),
    )
    e = services.exchange_create(
        actor=staff, exchange=new_exchange(trip=trip, kind="visit_out"), partnerships=[mine]
    )
    assert e.trip == trip and list(trip.partner_exchanges.all()) == [e]
