import datetime

from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import ModelViewTests
from waishi.passports.models import TravelDocument
from waishi.passports.views import TravelDocumentViews


class TestTravelDocumentViews(ModelViewTests):
    views = TravelDocumentViews
    allowed_role = "passport_officer"
    denied_role = "system_admin"

    def make(self, world, organization):
        unit = world.unit_a if organization == world.city_a else world.unit_b
        person = PersonFactory(organization=unit, name=f"持照人{unit.code}")
        return TravelDocument.objects.create(
            person=person,
            kind="service",
            number=f"SE{unit.pk:07d}",
            issued=datetime.date(2022, 1, 1),
            expires=datetime.date(2032, 1, 1),
            custodian=organization,
        )

    def make_many(self, world, organization, numbers):
        unit = world.unit_a if organization == world.city_a else world.unit_b
        return [
            TravelDocument.objects.create(
                person=PersonFactory(organization=unit),
                kind="service",
                number=f"SE{n:07d}",
                issued=datetime.date(2022, 1, 1),
                expires=datetime.date(2032, 1, 1),
                custodian=organization,
            )
            for n in numbers
        ]

    def list_text(self, obj):
        return obj.person.name
