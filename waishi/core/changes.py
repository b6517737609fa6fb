"""The change log's snapshots (``core.services.snapshot``) as a page shows them: each field under its name in
the user's language, and each value as the record's own page writes it.

A snapshot keeps values as JSON (a date as ISO text, an amount as the decimal's text, a choice as its key, a
related record as its id); ``readable_changes`` writes them back: the choice's label, the related record's
name (read in one query for each related model, whatever the number of changes), 2027年1月2日, 28,500.00,
是/否, a list as its items. A value that no longer reads as its field's kind (an old snapshot, a field since
changed) is shown as stored.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waishi.core.money import MoneyField, money

Change = tuple[str, object, object]  # (name in the snapshot, before, after)


def readable_changes(
    model: type[models.Model],
    entries: list[list[Change]],
    user,
    labels: dict[str, str] | None = None,
    formats: dict[str, Callable[[object], str]] | None = None,
) -> list[list[tuple[str, str, str]]]:
    """``(label, before, after)`` for the changes of each entry that a user may read, in the order of the
    model's fields (then the other names, which ``labels`` names and ``formats`` writes: what a snapshot
    holds besides the fields). Left out: what no one edits (timestamps, paths, pinyin, the blind indexes'
    digests) and a change that reads the same on both sides. A related record is named when ``user`` may
    see it (``restrict``), else by its key."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    fields |= {field.name: field for field in model._meta.many_to_many}
    hidden = {name for name, field in fields.items() if not field.editable}
    labels, formats = labels or {}, formats or {}
    names = _related(fields, entries, user)
    order = {name: i for i, name in enumerate([*fields, *labels])}

    def value(name: str, raw) -> str:
        if raw is None or raw == "" or raw == []:
            return ""
        if name in formats:
            return formats[name](raw)
        field = fields.get(name)
        try:
            return _field_value(field, raw, names.get(name, {})) if field else _plain(raw)
        except (TypeError, ValueError):
            return _plain(raw)

    def label(name: str) -> str:
        field = fields.get(name)
        return str(field.verbose_name) if field is not None else labels.get(name, name)

    read = []
    for changes in entries:
        rows = []
        for name, before, after in sorted(changes, key=lambda change: order.get(change[0], len(order))):
            if name not in hidden and (written := (value(name, before), value(name, after)))[0] != written[1]:
                rows.append((label(name), *written))
        read.append(rows)
    return read


def _related(fields: dict, entries: list[list[Change]], user) -> dict[str, dict]:
    """The related records the changes name that ``user`` may see, by snapshot name: {name: {key: record}},
    one query a model (with what their names read: ``select_related``)."""
    wanted = defaultdict(set)
    for changes in entries:
        for name, before, after in changes:
            field = fields.get(name)
            if field is None or not field.is_relation:
                continue
            for raw in (before, after):
                wanted[name].update(_key(field, key) for key in _listed(raw))
    by_model = defaultdict(set)
    for name, keys in wanted.items():
        by_model[fields[name].related_model].update(keys - {None})
    records = {}
    for related, keys in by_model.items():
        manager = related._default_manager
        if hasattr(related, "known_to"):  # organizations: those the user sees and those above his own
            visible = related.known_to(user)
        else:
            visible = manager.restrict(user, "view") if hasattr(manager, "restrict") else manager.all()
        records[related] = visible.select_related().in_bulk(keys) if keys else {}
    return {name: records.get(fields[name].related_model, {}) for name in wanted}


def _field_value(field, raw, records: dict) -> str:
    if field.is_relation:
        return "、".join(_named(field, key, records) for key in _listed(raw))
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, MoneyField):
        return money(raw)
    if isinstance(field, models.BooleanField):
        return _plain(bool(raw))
    if isinstance(field, models.DateTimeField):
        moment = datetime.fromisoformat(raw)
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return date_format(moment, "DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return date_format(date.fromisoformat(raw))
    return _plain(raw)


def _listed(raw) -> list:
    return raw if isinstance(raw, list) else [raw]


def _key(field, raw):
    """``raw`` as a key of the field's related model; None for a value that is none (an old snapshot's)."""
    try:
        return field.target_field.to_python(raw)
    except (TypeError, ValueError, ValidationError):
        return None


def _named(field, raw, records: dict) -> str:
    """A related record by its name; by its key when the user may not see it or it is gone; a value that is
    no key as stored."""
    key = _key(field, raw)
    if key is None:
        return str(raw)
    return str(records[key]) if key in records else f"#{key}"


def _plain(raw) -> str:
    if isinstance(raw, list):
        return "；".join(_plain(item) for item in raw)
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    return str(raw)
