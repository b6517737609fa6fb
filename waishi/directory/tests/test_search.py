import pytest
from django.urls import reverse

from waishi.core.search import global_search
from waishi.core.testing.factories import PersonFactory


@pytest.mark.parametrize("query", ["张", "张三", "zhangsan", "zs", "ZS", "zhang san"])
def test_a_person_is_found_by_characters_pinyin_and_initials(world, query):
    PersonFactory(organization=world.unit_a, name="张三")
    PersonFactory(organization=world.unit_a, name="李四")
    hits = {
        hit.title for section in global_search(world.user("unit_clerk"), query) for hit in section["hits"]
    }
    assert "张三" in hits and "李四" not in hits


def test_organizations_are_found_and_other_units_people_are_not(world):
    PersonFactory(organization=world.unit_b, name="张三")
    sections = global_search(world.user("unit_clerk"), "张三")
    assert sections == []
    sections = global_search(world.user("fao_staff"), "商务局")
    assert [hit.title for s in sections for hit in s["hits"]] == ["甲市商务局"]


def test_the_search_page_and_the_empty_work_queue(client, world):
    PersonFactory(organization=world.unit_a, name="张三")
    client.force_login(world.user("unit_clerk"))
    page = client.get(reverse("search"), {"q": "zs"}).content.decode()
    assert "张三" in page
    home = client.get(reverse("home")).content.decode()
    assert 'id="work-queue-empty"' in home
    assert 'href="/static/waishi/print.css" media="print"' in home
