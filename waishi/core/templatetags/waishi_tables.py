from django import template

from waishi.core import tables

register = template.Library()


@register.simple_tag(takes_context=True)
def table(context, table):
    """The table, written in Python (waishi.core.tables.html) as ``{% render_table %}`` writes it."""
    return tables.html(table, context)
