"""Test data made once for a whole test module (fixtures of module scope)."""

from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings


@contextmanager
def module_data(django_db_blocker, tmp_path_factory):
    """Inside: the database open to a module-scoped fixture, uploads in a temporary folder and a fast password
    hasher; what the fixture writes is rolled back when the module's tests are done."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)
