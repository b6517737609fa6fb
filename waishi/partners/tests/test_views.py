"""The pages: every registered model through the declarative tests, then the partnership page's forms,
the exchange form with several partners, 三个一批, targets with progress, the map and the import."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from waishi.core.models import Attachment, AuditLog
from waishi.core.testing.views import ModelViewTests
from waishi.directory.models import City, Country
from waishi.partners.choices import ContactSide, PartnerLevel, TargetMetric
from waishi.partners.models import Contact, PartnerExchange, Partnership, Target
from waishi.partners.selectors import today
from waishi.partners.tests import factories as f
from waishi.partners.views import PartnerExchangeViews, PartnershipViews, TargetViews
from waishi.users.choices import Role
from waishi.users.roles import ROLE_PERMISSIONS


class TestPartnershipViews(ModelViewTests):
    views = PartnershipViews
    allowed_role = "fao_staff"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return f.partnership(organization, country="IT", name_zh=f"友城{organization.code}")

    def make_many(self, world, organization, numbers):
        partnerships = [f.partnership(organization, name_zh=f"友城{n}") for n in numbers]
        for p in partnerships:  # the list shows the last exchange and the activity
            f.exchange(p, date(2024, 3, 1))
        return partnerships

    def list_text(self, obj):
        return obj.city.name_zh


class TestPartnerExchangeViews(ModelViewTests):
    views = PartnerExchangeViews
    allowed_role = "fao_staff"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return f.exchange(
            f.partnership(organization), date(2023, 6, 6), summary=f"联合摄影展{organization.code}"
        )

    def make_many(self, world, organization, numbers):
        partners = [f.partnership(organization), f.partnership(organization)]
        return [f.exchange(partners, date(2023, 6, 6), summary=f"交流{n}") for n in numbers]

    def list_text(self, obj):
        return obj.summary


class TestTargetViews(ModelViewTests):
    views = TargetViews
    allowed_role = "fao_leader"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return f.target(
            organization,
            TargetMetric.NEW_INTENTS,
            4,
            date(2024, 1, 1),
            date(2025, 12, 31),
            note=f"目标{organization.code}",
        )

    def list_text(self, obj):
        return obj.note


pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.user("fao_staff"))
    return client


# --- the partnership page -------------------------------------------------------------------------------


def test_partnership_page_shows_activity_history_stages_contacts_and_exchanges(staff_client, world):
    p = f.partnership(world.city_a, level=PartnerLevel.INTENT, signed_on=date(2019, 5, 21), name_zh="南邦府")
    other = f.partnership(world.city_a, name_zh="廓尔喀")
    f.exchange([p, other], date(2023, 10, 18), kind="forum", summary="国际友好城市交流论坛")
    page = staff_client.get(p.get_absolute_url()).content.decode()
    assert 'data-activity="occasional"' in page or 'data-activity="active"' in page or "dormant" in page
    for text in ("2019年5月21日", "国际友好城市交流论坛", "廓尔喀", 'data-stage="national_association"'):
        assert text in page
    assert "<script>" not in page  # CSP: no inline script
    # Chinese punctuation between a label and its value, and between items (not ": " and "; "); the level
    # history's columns.
    assert "最近一次交流：2023年10月18日；" in page and "交流: " not in page
    assert "<th>原层级</th><th>变为</th>" in page


def test_change_level_from_the_page_with_the_signed_document(staff_client, world):
    p = f.partnership(world.city_a, level=PartnerLevel.INTENT, signed_on=date(2019, 5, 21))
    url = reverse("partners:partnership_action", args=[p.pk, "level"])
    response = staff_client.post(
        url,
        {
            "level-level": "friendly",
            "level-date": "2021-11-10",
            "level-document": f.pdf(),
            "_version": p.version,
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.level, p.level_since) == ("friendly", date(2021, 11, 10))
    document = Attachment.objects.get()
    assert document.purpose == "partner_level" and p.level_changes.last().document == document
    refused = staff_client.post(url, {"level-level": "sister", "level-date": "2022-01-01"})
    assert refused.status_code == 400
    assert Attachment.objects.count() == 1 and p.level_changes.count() == 2


def test_stale_version_on_the_page_is_a_conflict_message(staff_client, world):
    p = f.partnership(world.city_a, level=PartnerLevel.INTENT, signed_on=date(2019, 5, 21))
    url = reverse("partners:partnership_action", args=[p.pk, "level"])
    response = staff_client.post(url, {"level-level": "friendly", "level-date": "2021-11-10", "_version": 0})
    assert response.status_code == 302 and p.level_changes.count() == 1


def test_approval_and_contacts_from_the_page(staff_client, world):
    p = f.partnership(world.city_a, level=PartnerLevel.FRIENDLY)
    action = "partners:partnership_action"
    assert (
        staff_client.post(
            reverse(action, args=[p.pk, "approval"]),
            {
                "approval-stage": "government",
                "approval-date": "2024-03-01",
                "approval-reference": "景府字〔2024〕8号",
            },
        ).status_code
        == 302
    )
    assert (
        staff_client.post(
            reverse(action, args=[p.pk, "approval"]),
            {"approval-stage": "national_association", "approval-date": "2024-03-01"},
        ).status_code
        == 400
    )
    assert (
        staff_client.post(
            reverse(action, args=[p.pk, "contact"]),
            {"contact-side": "theirs", "contact-name": "Maria Rossi", "contact-phone": "0546691111"},
        ).status_code
        == 302
    )
    contact = p.contacts.get()
    page = staff_client.get(p.get_absolute_url()).content.decode()
    assert "景府字〔2024〕8号" in page and "Maria Rossi" in page and "0546691111" not in page
    staff_client.post(reverse("partners:partnership_contact_delete", args=[p.pk, contact.pk]))
    assert not p.contacts.exists()
    assert staff_client.post(reverse(action, args=[p.pk, "other"])).status_code == 404


def test_forms_of_another_offices_partnership_are_not_found(staff_client, world):
    theirs = f.partnership(world.city_b)
    url = reverse("partners:partnership_action", args=[theirs.pk, "level"])
    assert staff_client.post(url, {"level-level": "friendly", "level-date": "2021-01-01"}).status_code == 404


def test_a_viewer_sees_the_page_without_its_forms(client, world):
    p = f.partnership(world.city_a)
    client.force_login(world.user("viewer"))
    page = client.get(p.get_absolute_url()).content.decode()
    assert "level-level" not in page
    url = reverse("partners:partnership_action", args=[p.pk, "level"])
    client.post(url, {"level-level": "friendly", "level-date": "2021-01-01"})
    assert p.level_changes.count() == 1


# --- adding records -------------------------------------------------------------------------------------


def test_add_a_partnership_with_a_new_city_found_on_the_map(staff_client, world):
    response = staff_client.post(
        reverse("partners:partnership_add"),
        {
            "office": world.city_a.pk,
            "level": "sister",
            "signed_on": "1994-10-20",
            "new_city_country": "IT",
            "new_city_name_zh": "法恩扎",
            "new_city_name_en": "Faenza",
        },
    )
    assert response.status_code == 302
    p = Partnership.objects.get()
    assert p.city.name_zh == "法恩扎" and p.city.latitude is not None


def test_add_a_partnership_in_an_off_limits_country_shows_the_reason(staff_client, world):
    Country.objects.filter(code="BG").update(off_limits=True)
    city = f.city("BG", "Troyan", "特罗扬")
    response = staff_client.post(
        reverse("partners:partnership_add"),
        {"office": world.city_a.pk, "city": city.pk, "level": "intent", "signed_on": "2023-09-19"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "保加利亚" in response.content.decode()
    assert not Partnership.objects.exists()


def test_edit_a_partnership_changes_only_its_signing_date_and_notes(staff_client, world):
    p = f.partnership(world.city_a, signed_on=date(1994, 10, 20))
    response = staff_client.post(
        reverse("partners:partnership_edit", args=[p.pk]),
        {"signed_on": "1994-10-21", "note": "协议原件存档", "_version": p.version, "level": "intent"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.signed_on, p.note, p.level) == (date(1994, 10, 21), "协议原件存档", "sister")


def test_record_an_exchange_with_several_partners(staff_client, world):
    a, b = f.partnership(world.city_a), f.partnership(world.city_a)
    form = staff_client.get(
        reverse("partners:partnerexchange_add") + f"?partnerships={a.pk}"
    ).content.decode()
    assert re.search(rf'<option value="{a.pk}"[^>]*selected', form)
    response = staff_client.post(
        reverse("partners:partnerexchange_add"),
        {
            "partnerships": [a.pk, b.pk],
            "date": "2023-10-18",
            "kind": "forum",
            "substantive": "on",
            "summary": "国际友好城市交流论坛",
        },
    )
    assert response.status_code == 302
    exchange = PartnerExchange.objects.get()
    assert set(exchange.partnerships.all()) == {a, b} and exchange.office == world.city_a


# --- lists and pages built from figures -----------------------------------------------------------------


def test_the_list_filters_by_activity_as_of_a_date(staff_client, world):
    lively = f.partnership(world.city_a, name_zh="活跃友城")
    f.exchange(lively, date(2024, 1, 1))
    f.partnership(world.city_a, name_zh="停摆友城")
    url = reverse("partners:partnership_list")
    page = staff_client.get(url, {"activity": "active", "as_of": "2024-06-30"}).content.decode()
    assert "活跃友城" in page and "停摆友城" not in page
    page = staff_client.get(url, {"activity": "active", "as_of": "2025-06-30"}).content.decode()
    assert "活跃友城" not in page
    page = staff_client.get(url, {"activity": "dormant", "as_of": "2025-06-30"}).content.decode()
    assert "活跃友城" not in page and "停摆友城" in page


def test_three_batches_page_names_the_partners_behind_each_number(staff_client, client, world):
    seto = f.partnership(world.city_a, name_zh="濑户")
    f.exchange(seto, date(2023, 6, 6))
    troyan = f.partnership(world.city_a, name_zh="特罗扬", level="intent", signed_on=date(2023, 9, 19))
    page = staff_client.get(reverse("partners:three_batches"), {"year": "2023"}).content.decode()
    opened = page[page.index('id="batch-opened"') : page.index('id="batch-strengthened"')]
    reactivated = page[page.index('id="batch-reactivated"') :]
    assert str(troyan.city) in opened and str(seto.city) in reactivated
    assert staff_client.get(reverse("partners:three_batches"), {"year": "x"}).status_code == 200
    client.force_login(world.user("audit_admin"))
    assert client.get(reverse("partners:three_batches")).status_code == 403


def test_targets_page_shows_progress_bars(client, world):
    year = today().year
    p = f.partnership(world.city_a, level="intent", signed_on=date(year - 1, 5, 16), name_zh="格蒙登")
    target = f.target(
        world.city_a, TargetMetric.NEW_INTENTS, Decimal(4), date(year - 1, 1, 1), date(year, 12, 31)
    )
    client.force_login(world.user("fao_leader"))
    page = client.get(reverse("partners:targets")).content.decode()
    assert f'data-target="{target.pk}"' in page and 'aria-valuenow="25"' in page and str(p.city) in page
    detail = client.get(target.get_absolute_url()).content.decode()
    assert 'aria-valuenow="25"' in detail


def test_targets_page_shows_the_running_and_recent_targets_and_counts_the_older(client, world, settings):
    year = today().year
    intents, sisters = TargetMetric.NEW_INTENTS, TargetMetric.NEW_SISTERS
    running = f.target(world.city_a, intents, 4, date(year - 1, 1, 1), date(year + 1, 6, 30))
    last_year = f.target(world.city_a, sisters, 2, date(year - 2, 1, 1), date(year - 1, 1, 1))
    older = [
        f.target(world.city_a, sisters, 2, date(year - n - 1, 1, 1), date(year - n, 12, 31)) for n in (2, 5)
    ]
    client.force_login(world.user("fao_leader"))
    response = client.get(reverse("partners:targets"))
    assert [row.target for row in response.context["rows"]] == [last_year, running]
    page = response.content.decode()
    assert "更早结束的目标2个" in page and reverse("partners:target_list") in page
    settings.WAISHI_TARGETS_PAST_YEARS = 2
    response = client.get(reverse("partners:targets"))
    assert [row.target for row in response.context["rows"]] == [older[0], last_year, running]
    Target.objects.filter(pk__in=[running.pk, last_year.pk, older[0].pk]).delete()
    page = client.get(reverse("partners:targets")).content.decode()
    assert "没有正在进行或近期结束的目标" in page and "更早结束的目标1个" in page


def test_map_page_passes_points_as_json_and_draws_no_country(staff_client, world):
    p = f.partnership(world.city_a, country="IT", name_en="Faenza")
    City.objects.filter(pk=p.city_id).update(latitude=Decimal("44.28"), longitude=Decimal("11.88"))
    f.partnership(world.city_a, country="CY", name_en="Parodia", name_zh="帕罗迪亚区")
    response = staff_client.get(reverse("partners:map"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="partner-map-data" type="application/json"' in page
    assert "land-110m.json" in page and "countries-" not in page
    assert "11.88" in page and "帕罗迪亚区" in page  # on the map, and listed as not on the map
    assert re.findall(r"<script(?![^>]*(src=|application/json))", page) == []
    assert (
        staff_client.get(reverse("partners:map"), {"office": world.city_a.pk, "as_of": "bad"}).status_code
        == 200
    )


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["partner city", "English name", "country", "level", "date signed"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "partners.xlsx"
    return out


def test_import_page(staff_client, world):
    url = reverse("partners:partnership_import")
    response = staff_client.post(
        url, {"file": workbook([["法恩扎", "Faenza", "意大利", "sister", "1994-10-20"]])}
    )
    assert response.status_code == 302
    assert Partnership.objects.get().office == world.city_a
    bad = staff_client.post(url, {"file": workbook([["无名", "", "Atlantis", "sister", "1994-10-20"]])})
    assert bad.status_code == 400 and "Atlantis" in bad.content.decode()


# --- a contact's phone number: masked, revealed with a reason to a role with the permission ---------------

PHONE = "0546691111"


def contact_of(partnership, phone=PHONE):
    return Contact.objects.create(
        partnership=partnership, side=ContactSide.THEIRS, name="Maria Rossi", phone=phone
    )


def reveal_url(contact):
    return reverse("partners:partnership_contact_reveal", args=[contact.partnership_id, contact.pk])


@pytest.mark.parametrize("role", ["fao_staff", "fao_leader"])
def test_a_role_with_the_permission_sees_the_full_number_after_giving_a_reason(client, world, role):
    contact = contact_of(f.partnership(world.city_a))
    client.force_login(world.user(role))
    page = client.get(contact.partnership.get_absolute_url()).content.decode()
    assert PHONE not in page and contact.phone_masked in page
    assert f'hx-post="{reveal_url(contact)}"' in page and f'hx-target="#reveal-contact-{contact.pk}"' in page
    response = client.post(reveal_url(contact), {"reason": "联系对方"})
    assert response.status_code == 200 and PHONE in response.content.decode()
    row = AuditLog.objects.get(action="personal_data.reveal")
    assert (row.user_id, row.object_id, row.result) == (world.user(role).pk, str(contact.pk), "success")
    assert row.detail == {"field": "phone", "reason": "联系对方"}


def test_without_a_reason_the_number_stays_hidden_and_nothing_is_audited(staff_client, world, settings):
    contact = contact_of(f.partnership(world.city_a))
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for data in ({}, {"reason": " x "}):
        response = staff_client.post(reveal_url(contact), data)
        body = response.content.decode()
        assert response.status_code == 200 and "State why you need to see the full number." in body
        assert PHONE not in body
    assert not AuditLog.objects.filter(action="personal_data.reveal").exists()


@pytest.mark.parametrize("role", ["viewer", "passport_officer", "audit_admin"])
def test_a_role_without_the_permission_is_refused_and_never_sees_the_number(client, world, role):
    contact = contact_of(f.partnership(world.city_a))
    client.force_login(world.user(role))
    page = client.get(contact.partnership.get_absolute_url()).content.decode()
    assert PHONE not in page and reveal_url(contact) not in page  # the viewer sees the page without the form
    response = client.post(reveal_url(contact), {"reason": "联系对方"})
    assert response.status_code == 403 and PHONE not in response.content.decode()
    assert not AuditLog.objects.filter(action="personal_data.reveal").exists()
    assert AuditLog.objects.filter(action="access.denied", user=world.user(role)).exists()


def test_a_contact_of_another_office_or_of_another_partnership_is_not_found(staff_client, world):
    theirs = contact_of(f.partnership(world.city_b))
    assert staff_client.post(reveal_url(theirs), {"reason": "联系对方"}).status_code == 404
    ours = f.partnership(world.city_a)
    url = reverse("partners:partnership_contact_reveal", args=[ours.pk, theirs.pk])
    assert staff_client.post(url, {"reason": "联系对方"}).status_code == 404
    other = contact_of(f.partnership(world.city_a))
    url = reverse("partners:partnership_contact_reveal", args=[ours.pk, other.pk])
    assert staff_client.post(url, {"reason": "联系对方"}).status_code == 404
    assert not AuditLog.objects.filter(action="personal_data.reveal").exists()


def test_the_reveal_is_post_only(staff_client, world):
    contact = contact_of(f.partnership(world.city_a))
    response = staff_client.get(reveal_url(contact), {"reason": "联系对方"})
    assert response.status_code == 405 and PHONE not in response.content.decode()
    assert not AuditLog.objects.filter(action="personal_data.reveal").exists()


def test_the_reveal_permission_is_that_of_the_partnership_and_no_administrator_has_it():
    assert Contact.permission_model == "partners.partnership"
    holders = {role for role, codes in ROLE_PERMISSIONS.items() if "partners.reveal_partnership" in codes}
    assert holders == {Role.FAO_STAFF, Role.FAO_LEADER}
