"""Person search by 1-4 Chinese characters, full pinyin and initials, on an index (QUALITY.md Performance)."""

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Person, PersonToken
from waishi.directory.search import index_people, name_tokens, person_search

NAMES = ["张三", "张三丰", "李四", "欧阳明", "司马相如", "王张", "John Smith"]


@pytest.fixture
def people(world):
    return {name: PersonFactory(organization=world.unit_a, name=name) for name in NAMES}


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张", {"张三", "张三丰", "王张"}),
        ("三", {"张三", "张三丰"}),
        ("张三", {"张三", "张三丰"}),
        ("三丰", {"张三丰"}),
        ("张三丰", {"张三丰"}),
        ("欧阳", {"欧阳明"}),
        ("阳明", {"欧阳明"}),
        ("司马相如", {"司马相如"}),
        ("马相如", {"司马相如"}),
        ("司马相如吗", set()),
        ("相司", set()),
        ("zs", {"张三", "张三丰"}),
        ("ZSF", {"张三丰"}),
        ("zhang", {"张三", "张三丰"}),
        ("zhangsan", {"张三", "张三丰"}),
        ("zhang san feng", {"张三丰"}),
        ("zhangsanfeng", {"张三丰"}),
        ("oym", {"欧阳明"}),
        ("ouyangming", {"欧阳明"}),
        ("smxr", {"司马相如"}),
        ("smith", {"John Smith"}),
        ("john smi", {"John Smith"}),
        ("sanfeng", set()),
        ("  ", set(NAMES)),
    ],
)
def test_people_are_found_by_characters_pinyin_and_initials(people, query, expected):
    assert names(person_search(Person.objects.all(), query)) == expected


def test_the_search_is_restricted_to_the_users_organizations(world, people):
    PersonFactory(organization=world.unit_b, name="张三")
    PersonFactory(organization=world.unit_a2, name="张三")
    clerk = world.user("unit_clerk")  # of unit_a
    found = person_search(Person.objects.restrict(clerk), "zs")
    assert {p.organization for p in found} == {world.unit_a}
    assert Person.objects.filter(name="张三").count() == 3


def test_tokens_follow_renames_and_deletes(world, people):
    zhang = people["张三"]
    zhang.name = "赵敏"
    zhang.save()
    assert names(person_search(Person.objects.all(), "zm")) == {"赵敏"}
    assert names(person_search(Person.objects.all(), "张三")) == {"张三丰"}
    zhang.delete()
    assert not PersonToken.objects.filter(person_id=zhang.pk).exists()


def test_people_written_in_bulk_are_indexed_by_index_people(world):
    people = [Person(organization=world.unit_a, name=name, gender="male") for name in ("张三", "李四")]
    for person in people:
        person.fill_names()
    Person.objects.bulk_create(people)
    assert not person_search(Person.objects.all(), "zs").exists()
    index_people(people, new=True)
    assert names(person_search(Person.objects.all(), "zs")) == {"张三"}
    index_people(people)  # again: rebuilt, not doubled
    assert PersonToken.objects.count() == sum(len(name_tokens(p.name, p.pinyin, p.initials)) for p in people)


def test_index_people_command_rebuilds_every_token(world, people):
    from django.core.management import call_command

    PersonToken.objects.all().delete()
    call_command("index_people", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert names(person_search(Person.objects.all(), "欧阳")) == {"欧阳明"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN on PostgreSQL")
@pytest.mark.parametrize("query", ["张", "张三", "欧阳明", "司马相如", "zs", "zhangsan"])
def test_the_search_uses_the_token_index_on_postgresql(people, query):
    queryset = person_search(Person.objects.all(), query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET LOCAL enable_seqscan = on")
    assert "directory_person_token" in plan, plan
    assert "Seq Scan on directory_persontoken" not in plan, plan


def test_index_people_writes_the_tokens_of_name_tokens_on_this_database(world):
    """The tokens are written as plain values (COPY on PostgreSQL, one prepared statement on SQLite): names
    with the characters COPY's text format or a statement would need escaped keep every token."""
    awkward = [
        "张三",
        'O\'Brien, "Jr"',
        "{a,b}",
        "back\\slash",
        "NULL",
        "\\N",
        "tab\there",
        "new\nline",
        "cr\rhere",
        "李 四",
        "x",
    ]
    people = [Person(organization=world.unit_a, name=name, gender="male") for name in awkward]
    for person in people:
        person.fill_names()
    Person.objects.bulk_create(people)
    index_people(people, new=True)
    expected = {(p.pk, token) for p in people for token in name_tokens(p.name, p.pinyin, p.initials)}
    assert set(PersonToken.objects.values_list("person_id", "token")) == expected
    assert PersonToken.objects.count() == len(expected)
    index_people(people[:2])  # rebuilt: the others' tokens stay
    assert set(PersonToken.objects.values_list("person_id", "token")) == expected
    index_people([])
    assert PersonToken.objects.count() == len(expected)


PHRASES = sorted(phrases_dict)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(PHRASES),
            st.characters(min_codepoint=0x3400, max_codepoint=0x9FFF),
            st.text(alphabet="abc XYZ-0·'", max_size=3),
        ),
        max_size=6,
    ).map("".join)
)
def test_the_initials_are_pypinyins_first_letters(name):
    """``fill_names`` takes the initials from the syllables of its one conversion: the same as pypinyin's
    FIRST_LETTER style, for its phrases, any character and the Latin letters it drops."""
    person = Person(name=name)
    person.fill_names()
    assert person.pinyin == "".join(lazy_pinyin(name, errors="ignore")).lower()
    assert person.initials == "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
