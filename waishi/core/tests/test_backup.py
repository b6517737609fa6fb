"""Backup and restore give back the same rows and a verifying audit chain (QUALITY.md Reliability 4)."""

import pytest
from django.apps import apps
from django.core.management import call_command

from waishi.core.audit import audit, verify
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Person


def counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"core", "directory", "users", "travel", "passports", "partners"}
    }


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_back_identical_counts(world, tmp_path):
    for name in ("张三", "李四", "王芳"):
        PersonFactory(organization=world.unit_a, name=name)
    audit("test.before_backup")
    before = counts()
    path = tmp_path / "waishi.backup"
    call_command("backup", "--out", str(path))

    Person.objects.filter(name="李四").delete()
    audit("test.after_backup")
    assert counts() != before

    call_command("restore", "--from", str(path))
    assert counts() == before
    assert verify().ok
