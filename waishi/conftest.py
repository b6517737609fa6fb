"""Fixtures for every module: a province with two city FAOs, their units, and a user per role."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from waishi.core.testing.factories import OrganizationFactory, UserFactory, enrolled_device
from waishi.directory.choices import OrganizationKind, OrganizationLevel
from waishi.directory.reference import load_countries
from waishi.users.policy import needs_second_factor


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


@pytest.fixture(autouse=True, scope="session")
def verified_force_login():
    """``client.force_login(user)`` gives the session a user would have after typing a good code: the second
    factor stays enforced in every test (the gate middleware is on), and tests that are not about logging
    in need not type codes. Tests of the login itself go through the login form."""
    force_login = Client.force_login

    def verified(self, user, backend=None):
        force_login(self, user, backend)
        if needs_second_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrolled_device(user).persistent_id
            session.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", verified)
        yield


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
