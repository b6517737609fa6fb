"""Finding people by name: 1 to 4 Chinese characters, full pinyin or its initials (张三: 张, 三, 张三, zhang,
zhangsan, zs), on an index on SQLite and PostgreSQL alike (QUALITY.md Performance).

Each person has rows of ``PersonToken``: every run of up to ``NGRAM`` characters of the lower-cased name,
and every beginning of the pinyin and of the initials. A query of up to ``NGRAM`` characters is then an
equality lookup on the token index; a longer one looks up its first ``NGRAM`` characters (or its
pinyin) and checks the few candidates. ``Person.save()`` keeps the tokens; code that writes people in
bulk calls ``Person.fill_names()`` before and ``index_people(people)`` after; ``manage.py index_people``
rebuilds them all.
"""

from collections.abc import Iterable

from django.db.models import Q

from waishi.core.services import insert_rows
from waishi.directory.models import Person, PersonToken

NGRAM = 4
TOKEN_LENGTH = PersonToken._meta.get_field("token").max_length
CHUNK = 1000


def name_tokens(name: str, pinyin: str, initials: str) -> set[str]:
    text = name.strip().lower()
    tokens = {
        text[start : start + length]
        for length in range(1, NGRAM + 1)
        for start in range(len(text) - length + 1)
    }
    for latin in (pinyin, initials):
        tokens.update(latin[:length] for length in range(1, min(len(latin), TOKEN_LENGTH) + 1))
    return {token for token in tokens if token.strip()}


def index_people(people: Iterable[Person], *, new: bool = False) -> None:
    """Rebuild the search tokens of ``people`` (saved, with their pinyin filled): two statements per
    thousand people, one when they are ``new`` (just inserted, no tokens yet). The rows are written
    as plain values, not model instances: an import writes some seventeen tokens a person, and building
    and preparing ``PersonToken`` objects for them cost as much as validating the rows."""
    people = list(people)
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        if not new:
            PersonToken.objects.filter(person__in=[person.pk for person in chunk]).delete()
        rows = [
            (person.pk, token)
            for person in chunk
            for token in name_tokens(person.name, person.pinyin, person.initials)
        ]
        if rows:
            insert_rows(PersonToken, [PersonToken._meta.get_field("person").column, "token"], rows)


def person_search(queryset, value: str):
    """The people of ``queryset`` whose name contains ``value``, or whose pinyin or initials begin with it
    (spaces and case ignored)."""
    value = value.strip()
    if not value:
        return queryset
    text = value.lower()
    latin = "".join(text.split())
    keys = {text[:NGRAM], latin[:TOKEN_LENGTH]}
    found = queryset.filter(pk__in=PersonToken.objects.filter(token__in=keys).values("person_id"))
    if len(text) > NGRAM or len(latin) > TOKEN_LENGTH:
        found = found.filter(
            Q(name__icontains=value) | Q(pinyin__startswith=latin) | Q(initials__startswith=latin)
        )
    return found
