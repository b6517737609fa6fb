"""Tenancy (ARCHITECTURE.md, Tenancy and permissions): every queryset that reaches a user goes through
``restrict(user, action)``, which narrows it to the user's organization subtree, or to nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from waishi.core.testing.factories import OrganizationFactory, PersonFactory, UserFactory
from waishi.directory.models import City, Organization, Person
from waishi.users.choices import ADMIN_ROLES, Role
from waishi.users.models import User
from waishi.users.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return {
        key: PersonFactory(organization=organization, name=f"人员{key}")
        for key, organization in {
            "province": world.province,
            "city_a": world.city_a,
            "unit_a": world.unit_a,
            "unit_a2": world.unit_a2,
            "city_b": world.city_b,
            "unit_b": world.unit_b,
        }.items()
    }


def visible(model, user, action="view") -> set:
    return set(model.objects.restrict(user, action))


def test_unit_clerk_sees_only_his_unit(world, people):
    clerk = world.user("unit_clerk")
    assert visible(Person, clerk) == {people["unit_a"]}
    assert visible(Person, clerk, "change") == {people["unit_a"]}
    assert visible(Organization, clerk) == {world.unit_a}


def test_city_staff_sees_his_subtree_not_the_other_city(world, people):
    staff = world.user("fao_staff")
    assert visible(Person, staff) == {people["city_a"], people["unit_a"], people["unit_a2"]}
    assert visible(Organization, staff) == {world.city_a, world.unit_a, world.unit_a2}
    other = world.user("fao_staff", world.city_b)
    assert visible(Person, other) == {people["city_b"], people["unit_b"]}


def test_province_leader_sees_everything(world, people):
    leader = world.user("fao_leader", world.province)
    assert visible(Person, leader) == set(people.values())
    assert visible(Organization, leader) == set(Organization.objects.all())
    assert visible(Person, leader, "reveal") == set(people.values())


def test_a_unit_with_a_longer_code_is_not_inside_a_shorter_one(world, people):
    """Paths are dot-terminated: unit-a's subtree does not take in unit-a2 (or unit-ab)."""
    unit_ab = OrganizationFactory(code="unit-ab", parent=world.city_a)
    person = PersonFactory(organization=unit_ab)
    clerk = world.user("unit_clerk")
    assert person not in visible(Person, clerk)
    assert people["unit_a2"] not in visible(Person, clerk)


def test_anonymous_and_inactive_users_see_nothing(world, people):
    assert not Person.objects.restrict(AnonymousUser()).exists()
    assert not Person.objects.restrict(None).exists()
    leader = world.user("fao_leader", world.province)
    leader.is_active = False
    leader.save()
    assert not Person.objects.restrict(User.objects.get(pk=leader.pk)).exists()
    assert not Organization.objects.restrict(User.objects.get(pk=leader.pk)).exists()


def test_role_without_the_permission_sees_nothing(world, people):
    leader = world.user("unit_leader")
    assert visible(Person, leader) == {people["unit_a"]}
    assert visible(Person, leader, "change") == set()
    assert visible(Person, world.user("unit_clerk"), "delete") == set()
    assert visible(Person, world.user("unit_clerk"), "reveal") == set()
    assert visible(Organization, world.user("audit_admin", world.province)) == set()


def test_user_without_an_organization_sees_no_scoped_record(world, people):
    drifter = UserFactory(username="drifter", organization=None, roles=["fao_leader"])
    assert drifter.has_perm("directory.view_person")
    assert visible(Person, drifter) == set()
    assert visible(Organization, drifter) == set()


def test_reference_data_is_not_scoped(world):
    City.objects.create(country_id="JP", name_zh="大阪", name_en="Osaka")
    assert City.objects.restrict(world.user("unit_clerk")).count() == 1
    assert City.objects.restrict(world.user("viewer", world.city_b)).count() == 1
    assert City.objects.restrict(world.user("audit_admin")).count() == 0


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_administrators_see_no_person(world, people, role):
    admin = world.user(role, world.province)
    for action in ("view", "add", "change", "delete", "reveal"):
        assert not Person.objects.restrict(admin, action).exists(), action
    assert not any(code.endswith("_person") for code in ROLE_PERMISSIONS[role])


@pytest.mark.parametrize("role", [r for r in Role if r not in ADMIN_ROLES])
def test_no_business_role_administers_users(world, role):
    user = world.user(role, world.province)
    assert not User.objects.restrict(user).exists()


def test_user_administrators_see_users_of_their_subtree(world):
    users = {
        "unit_a": world.user("viewer", world.unit_a),
        "unit_b": world.user("viewer", world.unit_b),
        "city_a": world.user("viewer", world.city_a),
    }
    city_admin = world.user("system_admin", world.city_a)
    assert visible(User, city_admin) == {users["unit_a"], users["city_a"], city_admin}
    province_admin = world.user("security_admin", world.province)
    assert visible(User, province_admin) >= set(users.values()) | {city_admin}
    assert visible(User, province_admin, "add") == set()  # the security administrator does not create users


def test_moving_a_unit_moves_its_subtree(world, people):
    child = OrganizationFactory(code="a-child", parent=world.unit_a)
    grandchild = OrganizationFactory(code="a-grandchild", parent=child)
    deep = PersonFactory(organization=grandchild)
    assert Organization.objects.get(pk=grandchild.pk).path == "prov.city-a.unit-a.a-child.a-grandchild."

    unit = Organization.objects.get(pk=world.unit_a.pk)
    unit.parent = world.city_b
    unit.save()

    paths = dict(Organization.objects.values_list("code", "path"))
    assert paths["unit-a"] == "prov.city-b.unit-a."
    assert paths["a-child"] == "prov.city-b.unit-a.a-child."
    assert paths["a-grandchild"] == "prov.city-b.unit-a.a-child.a-grandchild."
    assert paths["unit-a2"] == "prov.city-a.unit-a2."  # a sibling with a similar code stays put
    assert paths["city-a"] == "prov.city-a."
    assert visible(Person, world.user("fao_staff", world.city_b)) >= {deep, people["unit_a"]}
    assert deep not in visible(Person, world.user("fao_staff", world.city_a))


def test_renaming_a_code_rewrites_the_subtree_paths(world):
    child = OrganizationFactory(code="a-child", parent=world.unit_a)
    city = Organization.objects.get(pk=world.city_a.pk)
    city.code = "city-x"
    city.save()
    assert Organization.objects.get(pk=world.unit_a.pk).path == "prov.city-x.unit-a."
    assert Organization.objects.get(pk=child.pk).path == "prov.city-x.unit-a.a-child."
    assert Organization.objects.get(pk=world.city_b.pk).path == "prov.city-b."


def test_saving_without_a_move_changes_no_path(world):
    child = OrganizationFactory(code="a-child", parent=world.unit_a)
    unit = Organization.objects.get(pk=world.unit_a.pk)
    unit.name = "甲市商务局（新）"
    unit.save()
    assert Organization.objects.get(pk=child.pk).path == "prov.city-a.unit-a.a-child."


def test_the_organizations_above_one_are_its_ancestors_only(world):
    """By the prefixes of its path: not a sibling whose code begins the same (unit-a, unit-a2)."""
    child = OrganizationFactory(code="a-child", parent=world.unit_a)
    assert set(world.province.above()) == set()
    assert set(world.city_a.above()) == {world.province}
    assert set(child.above()) == {world.province, world.city_a, world.unit_a}
    assert set(world.unit_a2.above()) == {world.province, world.city_a}
