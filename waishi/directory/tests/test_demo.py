import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waishi.directory import demo
from waishi.directory.choices import Gender, OrganizationKind, OrganizationLevel, Rank
from waishi.directory.models import Country, Organization, Person

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], GB11643_WEIGHTS, strict=True))
    return number[17] == "10X98765432"[total % 11]


@pytest.fixture(scope="module")
def people():
    return demo.people()


def test_id_numbers(people):
    assert all(valid_id(p["id_number"]) for p in people)
    assert all(p["id_number"][6:14] == p["birth_date"].strftime("%Y%m%d") for p in people)
    # The 17th digit is odd for men, even for women.
    assert all((int(p["id_number"][16]) % 2 == 1) == (p["gender"] == Gender.MALE) for p in people)
    assert len({p["id_number"] for p in people}) == len(people)


def test_id_region_codes(people):
    regions = {"jdz-fao": "360200", "fl-fao": "360200", "cq-fao": "500100", "yz-fao": "500100"}
    parents = {o["code"]: o["parent"] for o in demo.ORGANIZATIONS}
    for person in people:
        office = person["organization"]
        if parents[office] and office not in regions:
            office = parents[office]
        assert person["id_number"][:6] == regions.get(office, "360000")


def test_known_check_digits():
    assert demo.id_check_digit("11010519491231002") == "X"
    assert demo.id_check_digit("44052418800101001") == "4"


def test_people_shape(people):
    assert len(people) >= 220
    assert all(datetime.date(1965, 1, 1) <= p["birth_date"] <= datetime.date(1998, 12, 31) for p in people)
    assert all(len(p["phone"]) == 11 and p["phone"].isdigit() and p["phone"][0] == "1" for p in people)
    assert len({p["phone"] for p in people}) == len(people)
    assert all(p["rank"] in Rank.values and p["gender"] in Gender.values for p in people)
    assert all(2 <= len(p["name"]) <= 4 for p in people)
    assert any(len(p["name"]) == 2 for p in people)
    keys = [(p["organization"], p["name"], p["birth_date"]) for p in people]
    assert len(set(keys)) == len(keys)


def test_people_deterministic(people):
    assert demo.people() == people
    assert demo.people(seed=7) != people


def test_every_organization_staffed(people):
    counts = Counter(p["organization"] for p in people)
    assert {o["code"] for o in demo.ORGANIZATIONS} == set(counts)
    assert min(counts.values()) >= 5


def test_heads_and_deputies(people):
    by_org = {}
    for person in people:
        by_org.setdefault(person["organization"], []).append(person)
    for org in demo.ORGANIZATIONS:
        staff = by_org[org["code"]]
        head, *rest = staff
        deputies = [p for p in rest if p["position"] in ("副" + head["position"], "副总经理")]
        assert not head["position"].startswith("副")
        assert 1 <= len(deputies) <= 2, org["code"]
        assert Rank.order(head["rank"]) <= min(Rank.order(p["rank"]) for p in staff)


def test_positions_match_ranks(people):
    expected = {
        "处长": {Rank.DIVISION},
        "副处长": {Rank.DEPUTY_DIVISION},
        "科长": {Rank.SECTION},
        "副科长": {Rank.SECTION},
        "厅长": {Rank.BUREAU},
        "副厅长": {Rank.DEPUTY_BUREAU},
        "校长": {Rank.BUREAU},
        "副校长": {Rank.DEPUTY_BUREAU},
        "科员": {Rank.OTHER},
        "一级科员": {Rank.OTHER},
        "教授": {Rank.OTHER},
        "工程师": {Rank.OTHER},
    }
    for person in people:
        for suffix, ranks in sorted(expected.items(), key=lambda item: -len(item[0])):
            if person["position"].endswith(suffix):
                assert person["rank"] in ranks, person
                break


def test_organization_tree():
    codes = [o["code"] for o in demo.ORGANIZATIONS]
    assert len(codes) == len(set(codes))
    assert all(code.isascii() and code == code.lower() and " " not in code for code in codes)
    by_code = {o["code"]: o for o in demo.ORGANIZATIONS}
    assert by_code["prov-fao"]["parent"] is None
    assert by_code["prov-fao"]["doc_code"] == "省外审"
    assert by_code["jdz-fao"]["parent"] == "prov-fao"
    assert by_code["cq-fao"]["parent"] == "prov-fao"
    assert by_code["fl-fao"]["parent"] == "jdz-fao"
    assert (by_code["jdz-fao"]["doc_code"], by_code["cq-fao"]["doc_code"]) == ("景外审", "渝外审")
    # Parents come first; a unit's level is its office's.
    seen = set()
    for org in demo.ORGANIZATIONS:
        assert org["parent"] is None or org["parent"] in seen
        seen.add(org["code"])
        if org["kind"] == OrganizationKind.UNIT:
            parent = by_code[org["parent"]]
            assert parent["kind"] == OrganizationKind.FAO
            assert org["level"] == parent["level"]
    units = [o for o in demo.ORGANIZATIONS if o["kind"] == OrganizationKind.UNIT]
    assert len(units) >= 24
    assert {u["parent"] for u in units} == {"prov-fao", "jdz-fao", "cq-fao", "fl-fao", "yz-fao"}
    assert by_code["fl-fao"]["level"] == OrganizationLevel.COUNTY


@pytest.mark.django_db
def test_load_directory_is_idempotent():
    first = demo.load_directory()
    with CaptureQueriesContext(connection) as queries:
        second = demo.load_directory()

    assert first == second
    assert first["organizations"] == len(demo.ORGANIZATIONS)
    assert first["people"] == len(demo.people())
    assert first["countries"] == Country.objects.count() > 240
    # The second run reads each table once, whatever its size, and writes nothing.
    statements = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements), statements
    assert statements.count("SELECT") <= 6, statements

    prov = Organization.objects.get(code="prov-fao")
    jdz = Organization.objects.get(code="jdz-fao")
    assert jdz.parent == prov
    assert Organization.objects.get(code="cq-fao").parent == prov
    assert jdz.path == "prov-fao.jdz-fao."
    assert Organization.objects.get(code="fl-fao").path == "prov-fao.jdz-fao.fl-fao."
    assert Organization.objects.get(code="jdz-commerce").office() == jdz


@pytest.mark.django_db
def test_loaded_people_are_complete():
    demo.load_directory()
    row = demo.people()[0]
    person = Person.objects.get(name=row["name"], organization__code=row["organization"])
    assert person.pinyin and person.initials
    assert person.id_number == row["id_number"]
    assert person.phone == row["phone"]
    assert Person.objects.blind_match("id_number", row["id_number"]).get() == person
    assert Person.objects.blind_match("phone", row["phone"]).get() == person
    assert not Person.objects.filter(pinyin="").exists()
    assert not Person.objects.filter(id_number_index="").exists()


@pytest.mark.django_db
def test_load_directory_restores_edited_organization():
    demo.load_directory()
    Organization.objects.filter(code="jdz-commerce").update(name="改名")
    demo.load_directory()
    assert Organization.objects.get(code="jdz-commerce").name == "景德镇市商务局"
