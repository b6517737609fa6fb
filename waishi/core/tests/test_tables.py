"""``{% table %}`` (core.tables.html) writes what ``{% render_table %}`` writes with django-tables2's
Bootstrap 5 template, for the kinds of columns and methods a table may declare."""

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import translation


class Thing:
    def __init__(self, pk, name, amount):
        self.pk, self.name, self.amount = pk, name, amount


THINGS = [Thing(7, "甲 & <乙>", 1234567), Thing(8, "丙", 0), Thing(9, "", None)]


def both(make_table, **context) -> tuple:
    """The HTML of a new table of ``make_table()`` by each tag, in the same page context."""
    request = RequestFactory().get("/things/", {"q": "a & b", "sort": "name"})
    context = {"request": request, **context}
    ours = Template("{% load waishi_tables %}{% table t %}").render(Context({**context, "t": make_table()}))
    stock = Template("{% load django_tables2 %}{% render_table t %}").render(
        Context({**context, "t": make_table()})
    )
    return parse_html(ours), parse_html(stock)


class Linked(tables.Table):
    """A column of values no record lacks, whose method takes the record only, linked by its value."""

    name = tables.Column(empty_values=(), linkify=lambda value: f"/things/{value}/")

    def render_name(self, record):
        return f"#{record.pk}"


class StarArgs(tables.Table):
    name = tables.Column()

    def render_name(*args, record):
        return f"<{record.pk}>"


class Footed(tables.Table):
    name = tables.Column(footer="合计")
    amount = tables.Column(footer=lambda table: sum(t.amount or 0 for t in table.data))


class Templated(tables.Table):
    name = tables.TemplateColumn("{{ greeting }} {{ record.name }}")
    amount = tables.Column(orderable=False)


@pytest.mark.parametrize("table_class", [Linked, StarArgs, Footed, Templated])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_table_as_django_tables2(table_class, language, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language):
        ours, stock = both(lambda: table_class(THINGS), greeting="你好")
    assert ours == stock


def test_an_empty_table_shows_its_empty_text():
    ours, stock = both(lambda: Footed([], empty_text="没有记录"))
    assert ours == stock
    assert "没有记录" in str(ours)
