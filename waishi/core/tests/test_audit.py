"""The audit chain (QUALITY.md Security line 8): append-only rows chained with HMAC-SM3, and a verifier
that names the first altered, deleted, inserted or reordered row."""

import datetime as dt
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waishi.core import context
from waishi.core.audit import GENESIS, Verification, _canonical, audit, verify
from waishi.core.crypto import hmac_sm3, provider
from waishi.core.models import AuditLog
from waishi.core.tests.concurrency import retry_locked, run_in_threads

pytestmark = pytest.mark.django_db


def chain(n: int) -> list[AuditLog]:
    return [audit(f"test.event{i}", detail={"i": i, "note": f"第{i}条"}) for i in range(1, n + 1)]


def tamper(seq: int, **values) -> None:
    """Change a stored row as someone with access to the database would (the ORM refuses)."""
    QuerySet.update(AuditLog.objects.filter(seq=seq), **values)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def forged(seq: int, prev_hash: str, action: str = "auth.login") -> AuditLog:
    """A plausible row made without the audit key: right shape, right link, hash under a guessed key."""
    row = AuditLog(
        seq=seq,
        at=dt.datetime.now(dt.UTC),
        username="intruder",
        action=action,
        result="success",
        detail={},
        prev_hash=prev_hash,
    )
    row.hash = hmac_sm3(b"a guessed key", _canonical(row)).hex()
    return row


def insert_raw(row: AuditLog) -> None:
    sql(
        "INSERT INTO core_auditlog (seq, at, user_id, username, ip, request_id, action, object_type, "
        "object_id, object_repr, result, detail, prev_hash, hash) "
        "VALUES (%s, %s, NULL, %s, NULL, '', %s, '', '', '', %s, %s, %s, %s)",
        [
            row.seq,
            connection.ops.adapt_datetimefield_value(row.at),
            row.username,
            row.action,
            row.result,
            "{}",
            row.prev_hash,
            row.hash,
        ],
    )


# --- appending -------------------------------------------------------------------------------------


def test_rows_have_dense_sequence_and_link_to_their_predecessor():
    rows = chain(5)
    stored = list(AuditLog.objects.order_by("seq"))
    assert [r.seq for r in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    assert [r.hash for r in stored] == [r.hash for r in rows]
    assert len({r.hash for r in stored}) == 5
    for row in stored:
        assert row.hash == provider().audit_mac(_canonical(row))


def test_row_records_who_what_where_and_when(world):
    user = world.user("fao_staff")
    token = context.activate(context.RequestContext(request_id="req-1", ip="10.1.2.3"))
    try:
        row = audit("personal_data.reveal", user=user, obj=world.unit_a, detail={"field": "id_number"})
    finally:
        context.deactivate(token)
    row = AuditLog.objects.get(pk=row.pk)
    assert (row.user, row.username, row.ip, row.request_id) == (user, user.username, "10.1.2.3", "req-1")
    assert (row.object_type, row.object_id, row.object_repr) == (
        "directory.organization",
        str(world.unit_a.pk),
        world.unit_a.name,
    )
    assert row.result == "success" and row.detail == {"field": "id_number"}
    assert row.at.tzinfo is not None
    assert abs((dt.datetime.now(dt.UTC) - row.at).total_seconds()) < 60


def test_anonymous_user_is_recorded_without_user():
    from django.contrib.auth.models import AnonymousUser

    row = audit("access.denied", user=AnonymousUser(), result="denied", username="guest")
    assert row.user_id is None and row.username == "guest"
    assert verify().ok


def test_nul_characters_are_dropped_so_every_database_stores_the_row():
    audit("data.export", username="a\x00b", detail={"filters": {"q": "\x00x"}, "k\x00": ["\x00"]})
    row = AuditLog.objects.get()
    assert row.username == "ab"
    assert row.detail == {"filters": {"q": "x"}, "k": [""]}
    assert verify().ok


def test_empty_chain_verifies():
    assert verify() == Verification(ok=True, checked=0)


def test_intact_chain_verifies():
    chain(12)
    result = verify()
    assert result.ok and result.checked == 12 and result.bad_seq is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(detail=st.dictionaries(st.text(max_size=10), json_values, max_size=4), username=st.text(max_size=30))
def test_any_json_detail_survives_the_database_and_verifies(detail, username):
    audit("test.any", detail=detail, username=username)
    assert verify().ok


@pytest.mark.parametrize(
    ("detail", "ip"),
    [
        ({"limit": 0.5, "ratio": 1e-7, "big": 10**20}, "127.0.0.1"),
        ({"limit": 1e16}, "127.0.0.1"),
        ({"delta": -0.0}, "127.0.0.1"),
        ({}, "2001:DB8::1"),
    ],
)
def test_values_the_database_normalises_still_verify(detail, ip):
    token = context.activate(context.RequestContext(request_id="r", ip=ip))
    try:
        audit("config.change", detail=detail)
    finally:
        context.deactivate(token)
    assert verify().ok


# --- tampering ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"detail": {"i": 4, "note": "改过"}},
        {"action": "test.harmless"},
        {"result": "failure"},
        {"username": "someone-else"},
        {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"object_repr": "x"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_altered_row_is_named(change):
    chain(8)
    tamper(4, **change)
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 4, 3)
    assert "hash" in result.reason


def test_altered_row_with_its_successor_relinked_is_still_named():
    """Without the key an attacker cannot make a valid hash, so fixing the next link does not help."""
    chain(6)
    row = AuditLog.objects.get(seq=3)
    row.detail = {"i": 3, "note": "改过"}
    new_hash = hmac_sm3(b"a guessed key", _canonical(row)).hex()
    tamper(3, detail=row.detail, hash=new_hash)
    tamper(4, prev_hash=new_hash)
    result = verify()
    assert (result.ok, result.bad_seq) == (False, 3)


def test_deleted_row_in_the_middle_is_named():
    chain(8)
    sql("DELETE FROM core_auditlog WHERE seq = %s", [5])
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 6, 4)
    assert "4" in result.reason and "6" in result.reason


def test_deleted_first_row_is_named():
    chain(5)
    sql("DELETE FROM core_auditlog WHERE seq = %s", [1])
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 2, 0)


def test_deleted_newest_row_is_detected():
    chain(5)
    sql("DELETE FROM core_auditlog WHERE seq = %s", [5])
    assert not verify().ok


def test_forged_row_appended_is_named():
    rows = chain(5)
    insert_raw(forged(6, rows[-1].hash))
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 6, 5)


def test_forged_row_inserted_in_the_middle_is_named():
    chain(6)
    for seq in range(6, 3, -1):  # make room at 4, one row at a time (seq is unique)
        sql("UPDATE core_auditlog SET seq = %s WHERE seq = %s", [seq + 1, seq])
    previous = AuditLog.objects.get(seq=3)
    row = forged(4, previous.hash)
    insert_raw(row)
    tamper(5, prev_hash=row.hash)
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 4, 3)


def test_swapped_rows_are_named():
    chain(7)
    fields = ["at", "username", "action", "result", "detail", "prev_hash", "hash"]
    third, fourth = (AuditLog.objects.values(*fields).get(seq=s) for s in (3, 4))
    tamper(3, hash="x" * 64)  # hash is unique: free it first
    tamper(4, **third)
    tamper(3, **fourth)
    result = verify()
    assert (result.ok, result.bad_seq, result.checked) == (False, 3, 2)
    assert "link" in result.reason


def test_verify_stops_at_the_first_of_several_breaks():
    chain(9)
    tamper(7, action="x")
    tamper(3, action="y")
    assert verify().bad_seq == 3


# --- the command -------------------------------------------------------------------------------------


def test_verify_audit_command_succeeds_on_an_intact_chain(capsys):
    chain(4)
    call_command("verify_audit")
    assert "4" in capsys.readouterr().out


def test_verify_audit_command_names_the_broken_row():
    chain(6)
    tamper(5, detail={"i": 0})
    with pytest.raises(CommandError, match=r"#5\b"):
        call_command("verify_audit")


# --- append-only -------------------------------------------------------------------------------------


def test_saving_an_existing_row_is_refused():
    row = chain(1)[0]
    row.action = "changed"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        AuditLog.objects.get(pk=row.pk).save()
    assert AuditLog.objects.get(pk=row.pk).action == "test.event1"


def test_deleting_a_row_is_refused():
    row = chain(2)[0]
    with pytest.raises(PermissionError):
        row.delete()
    assert AuditLog.objects.count() == 2
    assert verify().ok


def test_rows_are_not_changed_nor_deleted_in_bulk_either():
    rows = chain(3)
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(seq=2).update(action="changed")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    rows[0].action = "changed"
    with pytest.raises(PermissionError):
        AuditLog.objects.bulk_update(rows, ["action"])
    assert list(AuditLog.objects.order_by("seq").values_list("action", flat=True)) == [
        "test.event1",
        "test.event2",
        "test.event3",
    ]
    assert verify().ok


# --- authentication events ---------------------------------------------------------------------------


def actions() -> list[str]:
    return list(AuditLog.objects.order_by("seq").values_list("action", flat=True))


def test_login_success_failure_and_logout_write_one_row_each(client, world):
    user = world.user("fao_staff")
    start = AuditLog.objects.count()

    response = client.post(reverse("login"), {"username": user.username, "password": "wrong-Password1"})
    assert response.status_code == 200
    rows = list(AuditLog.objects.order_by("seq")[start:])
    assert [(r.action, r.result, r.username, r.user_id) for r in rows] == [
        ("auth.login_failed", "failure", user.username, None)
    ]
    assert rows[0].ip == "127.0.0.1"

    response = client.post(reverse("login"), {"username": user.username, "password": "Waishi@2026"})
    assert response.status_code == 302
    rows = list(AuditLog.objects.order_by("seq")[start + 1 :])
    assert [(r.action, r.result, r.user_id) for r in rows] == [("auth.login", "success", user.pk)]
    assert rows[0].request_id == response["X-Request-ID"]

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    rows = list(AuditLog.objects.order_by("seq")[start + 2 :])
    assert [(r.action, r.user_id) for r in rows] == [("auth.logout", user.pk)]
    assert verify().ok


def test_failed_login_for_an_unknown_name_is_recorded(client, db):
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert list(AuditLog.objects.values_list("action", "username")) == [("auth.login_failed", "nobody")]


# --- concurrency -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    def append(index):
        for n in range(10):
            retry_locked(audit, "test.concurrent", detail={"thread": index, "n": n})

    errors = run_in_threads(4, append)
    assert errors == []
    assert AuditLog.objects.count() == 40
    assert list(AuditLog.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    pairs = set(AuditLog.objects.values_list("detail__thread", "detail__n"))
    assert pairs == {(t, n) for t in range(4) for n in range(10)}
    result = verify()
    assert result.ok and result.checked == 40
