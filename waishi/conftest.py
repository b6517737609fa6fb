"""Fixtures for every module: a province with two city FAOs, their units, and a user per role."""

from dataclasses import dataclass

import pytest

from waishi.core.testing.factories import OrganizationFactory, UserFactory
from waishi.directory.choices import OrganizationKind, OrganizationLevel
from waishi.directory.reference import load_countries


@dataclass
class World:
    province: object
    city_a: object
    city_b: object
    unit_a: object
    unit_a2: object
    unit_b: object

    def user(self, role: str, organization=None):
        organization = organization or (self.unit_a if role.startswith("unit_") else self.city_a)
        return UserFactory(username=f"{role}-{organization.code}", organization=organization, roles=[role])


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> World:
    """The fixture's data, for fixtures of a wider scope that open the database themselves."""
    load_countries()
    province = OrganizationFactory(
        code="prov",
        name="示范省外办",
        kind=OrganizationKind.FAO,
        level=OrganizationLevel.PROVINCE,
        doc_code="省外审",
    )
    city_a = OrganizationFactory(
        code="city-a", name="甲市外办", kind=OrganizationKind.FAO, parent=province, doc_code="甲外审"
    )
    city_b = OrganizationFactory(
        code="city-b", name="乙市外办", kind=OrganizationKind.FAO, parent=province, doc_code="乙外审"
    )
    return World(
        province=province,
        city_a=city_a,
        city_b=city_b,
        unit_a=OrganizationFactory(code="unit-a", name="甲市商务局", parent=city_a),
        unit_a2=OrganizationFactory(code="unit-a2", name="甲市教育局", parent=city_a),
        unit_b=OrganizationFactory(code="unit-b", name="乙市商务局", parent=city_b),
    )
