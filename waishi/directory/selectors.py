from django.db.models import Q

from waishi.core.search import Hit
from waishi.directory.models import Organization, Person
from waishi.directory.search import person_search


def search_people(user, query: str) -> list[Hit]:
    people = person_search(Person.objects.restrict(user).select_related("organization"), query)
    return [Hit(p.name, f"{p.organization} · {p.position}", p.get_absolute_url()) for p in people[:20]]


def search_organizations(user, query: str) -> list[Hit]:
    organizations = Organization.objects.restrict(user).filter(
        Q(name__contains=query) | Q(short_name__contains=query) | Q(code__icontains=query)
    )
    return [
        Hit(o.name, f"{o.get_kind_display()} · {o.code}", o.get_absolute_url()) for o in organizations[:20]
    ]
