from django import template

from waishi.core.tables import body

register = template.Library()


@register.simple_tag
def table_body(table):
    """The table's rows, written in Python (waishi.core.tables)."""
    return body(table)
