"""Audit retention (QUALITY.md Security 8): rows younger than 184 days are never deleted, and the chain still
verifies after a purge."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.utils import timezone

from waishi.core.audit import audit, purge, verify
from waishi.core.models import AuditAnchor, AuditLog


def test_purge_keeps_young_rows_and_a_verifying_chain(db):
    for _ in range(5):
        audit("test.old")
    for _ in range(3):
        audit("test.young")
    cutoff = AuditLog.objects.get(seq=6).at  # rows 1-5 are older than this instant
    assert purge(cutoff, minimum_days=0) == 5
    assert list(AuditLog.objects.order_by("seq").values_list("action", flat=True)) == [
        "test.young",
        "test.young",
        "test.young",
        "audit.purge",
    ]
    assert verify().ok
    with pytest.raises(ValueError):
        purge(timezone.now() - timedelta(days=10), minimum_days=184)


def test_the_command_never_deletes_rows_younger_than_184_days(db):
    audit("test.event")
    with pytest.raises(CommandError):
        call_command("purge_audit", "--older-than", "183")
    call_command("purge_audit", "--older-than", "184")
    assert AuditLog.objects.filter(action="test.event").count() == 1
    assert verify().ok


def test_a_forged_anchor_is_detected(db):
    for _ in range(3):
        audit("test.event")
    QuerySet.delete(AuditLog.objects.filter(seq=1))  # as someone with access to the database would
    AuditAnchor.objects.create(pk=1, seq=2, prev_hash=AuditLog.objects.get(seq=2).prev_hash, mac="0" * 64)
    result = verify()
    assert not result.ok and "anchor" in result.reason


def test_a_young_row_between_old_ones_is_never_deleted(db):
    """The chain is in the order rows were written; a clock set back can give a later row an earlier time.
    A purge deletes a prefix of the chain: it stops at the first row younger than the cut-off."""
    for _ in range(4):
        audit("test.event")
    QuerySet.update(AuditLog.objects.filter(seq__in=[1, 3]), at=timezone.now() - timedelta(days=400))
    assert purge(timezone.now() - timedelta(days=184), minimum_days=184) == 1
    assert list(
        AuditLog.objects.filter(action="test.event").order_by("seq").values_list("seq", flat=True)
    ) == [
        2,
        3,
        4,
    ]
