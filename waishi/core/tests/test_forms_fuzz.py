"""Hypothesis on what users type (QUALITY.md Reliability 3): every registered form and the module forms,
the list pages' query strings and a few key services get arbitrary input, and answer with a clear
refusal, never an exception; a refusal writes nothing.

Deterministic and bounded: derandomized, a few dozen examples each, no example database.
"""

import base64
import json
import re
from contextlib import contextmanager
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.forms import (
    BaseForm,
    BaseFormSet,
    FileField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    MultipleChoiceField,
)
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from waishi.core.forms import ModelMultipleChoiceField as RangeCheckedMultipleChoiceField
from waishi.core.generic import REGISTRY, has_perm
from waishi.core.models import AuditAnchor, AuditHead, AuditLog
from waishi.core.testing.factories import UserFactory
from waishi.directory.models import Organization
from waishi.users.choices import Role
from waishi.users.roles import ROLE_PERMISSIONS

EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # the failing example as found: shrinking it takes minutes
    suppress_health_check=list(HealthCheck),
)
# Every business role of an office (not the administrators): reaches every business form.
BROAD_ROLES = [
    Role.UNIT_CLERK,
    Role.UNIT_LEADER,
    Role.FAO_STAFF,
    Role.FAO_LEADER,
    Role.PASSPORT_OFFICER,
    Role.VIEWER,
]

# --- what a user can type ---------------------------------------------------------------------------

ODD = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999999",
    "0.000000001",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "1900-01-01",
    "31/12/2024",
    "true",
    "null",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "=HYPERLINK(1)",
    "张三、李四",
    "\x00",
]
TYPED = st.one_of(
    st.text(max_size=30),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(100, 3000)),
    st.sampled_from(ODD),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


def field_values(field) -> st.SearchStrategy:
    """What may arrive for one form field: anything typed, or one of its own choices (valid or not)."""
    if isinstance(field, ModelChoiceField):
        own = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]
    elif hasattr(field, "choices"):
        own = [str(value) for value, _label in field.choices if not isinstance(_label, (list, tuple))]
    else:
        own = []
    one = st.one_of(TYPED, st.sampled_from(own)) if own else TYPED
    if isinstance(field, (ModelMultipleChoiceField, MultipleChoiceField)):
        return st.lists(one, max_size=4)
    return one


def form_data(form) -> st.SearchStrategy:
    """A POST body for ``form``: each field absent or given arbitrary values (files are left out)."""
    fields = {
        name: field_values(field) for name, field in form.fields.items() if not isinstance(field, FileField)
    }
    return st.fixed_dictionaries({}, optional=fields)


# --- what a refusal may write -----------------------------------------------------------------------

# Written on any request by design: the audit trail, the sessions, the lockout records.
UNTRACKED = {AuditLog, AuditHead, AuditAnchor, Session}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def business_writes():
    """The business tables written inside (every table but the audit trail, sessions and lockouts)."""
    untracked = {m._meta.db_table for m in apps.get_models() if m in UNTRACKED or m._meta.app_label == "axes"}
    written: set[str] = set()
    with CaptureQueriesContext(connection) as queries:
        yield written
    written |= {m.group(1) for q in queries if (m := WRITE.match(q["sql"]))} - untracked


def permission(views, action: str) -> str:
    opts = views.model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def user_for(world, views, action: str = "add"):
    """A user who may ``action`` records of ``views``: one of an office holding every business role, else
    an administrator whose role has the right (users, calendar)."""
    broad = UserFactory(username="fuzz-broad", organization=world.city_a, roles=BROAD_ROLES)
    if has_perm(broad, views.model, action):
        return broad
    return world.user(next(r for r, perms in ROLE_PERMISSIONS.items() if permission(views, action) in perms))


def shows_errors(response) -> bool:
    """The page a refused POST renders names what is wrong: a form or formset on it has errors."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    shown = [value for context in contexts for value in context.flatten().values()]
    return any(
        (isinstance(x, BaseForm) and x.errors) or (isinstance(x, BaseFormSet) and not x.is_valid())
        for x in shown
    )


import_module(django_settings.ROOT_URLCONF)  # imports every module's views, which register themselves
ADDABLE = [
    views
    for views in REGISTRY
    if views.form_class is not None and any(permission(views, "add") in p for p in ROLE_PERMISSIONS.values())
]


@pytest.fixture
def fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- forms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("views", ADDABLE, ids=lambda views: views.__name__)
def test_add_page_answers_any_input(views, world, fast):
    """The add page of every registered model, posted arbitrary values: the form again with its errors
    and nothing written, or the record saved, never an exception."""
    user = user_for(world, views)
    client = Client()
    client.force_login(user)
    url = reverse(views.url_name("add"))
    form = views.form_class(user=user)

    @FUZZ
    @given(data=form_data(form))
    def post(data):
        with transaction.atomic():
            with business_writes() as written:
                response = client.post(url, data)
            assert response.status_code in (200, 302, 400), (response.status_code, data)
            if response.status_code != 302:
                assert not written, (written, data)
                assert shows_errors(response), data
            transaction.set_rollback(True)

    post()


def test_a_number_beyond_the_database_is_an_invalid_choice(world):
    """Found by the fuzzing: SQLite overflowed on such a number in a multiple choice (a 500)."""
    field = RangeCheckedMultipleChoiceField(queryset=Organization.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean([str(world.unit_a.pk), "99999999999999999999999"])
    assert refused.value.code == "invalid_choice"
    assert list(field.clean([str(world.unit_a.pk)])) == [world.unit_a]


# --- list pages -------------------------------------------------------------------------------------

CURSOR = st.builds(
    lambda payload: base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("="),
    st.lists(st.one_of(st.text(max_size=8), st.integers(), st.none(), st.lists(st.integers(), max_size=3))),
)


def list_query(filterset, table) -> st.SearchStrategy:
    """A query string for a list page: its filters, sort, page, page size and cursors, and unknown names,
    each absent or arbitrary."""
    columns = [name for name, column in table.base_columns.items() if column.orderable]
    sorts = (
        st.sampled_from(columns).flatmap(lambda name: st.sampled_from([name, f"-{name}"]))
        if columns
        else TYPED
    )
    params = {name: field_values(field) for name, field in filterset.form.fields.items()}
    params |= {
        "sort": st.one_of(sorts, TYPED),
        "page": TYPED,
        "per_page": st.one_of(st.sampled_from(["25", "50", "100"]), TYPED),
        "after": st.one_of(CURSOR, TYPED),
        "before": st.one_of(CURSOR, TYPED),
        "q": TYPED,
    }
    return st.fixed_dictionaries({}, optional=params) | st.dictionaries(
        st.text(max_size=10), TYPED, max_size=3
    )


@pytest.mark.parametrize("views", REGISTRY, ids=lambda views: views.__name__)
def test_list_page_answers_any_query(views, world, fast):
    """Junk filters, sort orders, pages and page sizes: the list (possibly empty, the bad filter named),
    or 400/404, never a server error."""
    user = user_for(world, views, "view")
    client = Client()
    client.force_login(user)
    url = reverse(views.url_name("list"))
    queryset = views.model.objects.restrict(user)
    request = RequestFactory().get(url)
    request.user = user
    filterset = views.filterset_class(None, queryset=queryset, request=request)

    @FUZZ
    @given(query=list_query(filterset, views.table_class))
    def get(query):
        response = client.get(url, query)
        assert response.status_code in (200, 400, 404), (response.status_code, query)

    get()
