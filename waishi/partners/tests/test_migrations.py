"""Migration 0004 keeps every partner of every exchange and gives each its exchange's date and kind."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = ("partners", "0003_reveal_contact_phone"), ("partners", "0004_exchange_partner")


def migrate(*targets):
    """Migrate to ``targets`` (every app's latest migration when none) and return the models of then."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = list(targets) or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_exchanges_partners_get_their_exchanges_date_and_kind(world):
    old = migrate(BEFORE)
    try:
        Organization = old.get_model("directory", "Organization")
        City, Country = old.get_model("directory", "City"), old.get_model("directory", "Country")
        Partnership = old.get_model("partners", "Partnership")
        PartnerExchange = old.get_model("partners", "PartnerExchange")
        office = Organization.objects.get(pk=world.city_a.pk)
        country, _ = Country.objects.get_or_create(
            code="IT", defaults={"name_zh": "意大利", "name_en": "Italy"}
        )
        partners = [
            Partnership.objects.create(
                office=office,
                city=City.objects.create(country=country, name_zh=name, name_en=name),
                level="sister",
                signed_on=date(2010, 1, 1),
                level_since=date(2010, 1, 1),
            )
            for name in ("Faenza", "Seto")
        ]
        visit = PartnerExchange.objects.create(
            office=office, date=date(2023, 5, 1), kind="visit_in", substantive=True, summary="来访"
        )
        letter = PartnerExchange.objects.create(
            office=office, date=date(2024, 2, 1), kind="letter", substantive=False, summary="贺信"
        )
        visit.partnerships.set(partners)
        letter.partnerships.set(partners[:1])
        ExchangePartner = migrate(AFTER).get_model("partners", "ExchangePartner")
        copies = ExchangePartner.objects.values_list("partnerexchange", "partnership", "date", "substantive")
        assert set(copies) == {
            (visit.pk, partners[0].pk, date(2023, 5, 1), True),
            (visit.pk, partners[1].pk, date(2023, 5, 1), True),
            (letter.pk, partners[0].pk, date(2024, 2, 1), False),
        }
    finally:
        migrate()  # every app's latest, as the other tests expect
