import pytest


@pytest.fixture(autouse=True)
def speed_up(settings, tmp_path):
    """Uploads under a temporary directory and a cheap password hasher (argon2 costs ~0.1 s a user)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
