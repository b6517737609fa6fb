"""Passwords (QUALITY.md Security 2): the rules on both sides through the change form, the 90-day change,
initial passwords set by an administrator, and the change page itself."""

import string
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from waishi.core.models import AuditLog
from waishi.core.testing.factories import UserFactory, enrolled_device, totp_code
from waishi.users.forms import PasswordChangeForm
from waishi.users.models import User

PASSWORD = "Waishi@2026"
HYPOTHESIS = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Letters that occur nowhere in the user's name, so that a generated password is never like it by chance.
NAME = "zhoumin"
LOWER = "".join(c for c in string.ascii_lowercase if c not in NAME)
UPPER = LOWER.upper()
CLASSES = (LOWER, UPPER, string.digits, "!@#$%^&*-_+=?")
COMMON = sorted(CommonPasswordValidator().passwords)


@pytest.fixture
def account(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, many examples
    return UserFactory(username=NAME, organization=world.unit_a, roles=["unit_clerk"])


def refusal(user, password) -> set[str]:
    """The codes of the change form's errors for ``password`` (empty when it is accepted)."""
    form = PasswordChangeForm(
        user, {"old_password": PASSWORD, "new_password1": password, "new_password2": password}
    )
    if form.is_valid():
        return set()
    return {error.code for errors in form.errors.as_data().values() for error in errors}


@st.composite
def passwords(draw, classes: int, min_size: int, max_size: int):
    """A password made of exactly ``classes`` character classes, ``min_size`` to ``max_size`` long."""
    chosen = draw(st.permutations(CLASSES))[:classes]
    size = draw(st.integers(min_size, max_size))
    chars = [draw(st.sampled_from(alphabet)) for alphabet in chosen]  # one of each class
    chars += draw(
        st.lists(st.sampled_from("".join(chosen)), min_size=size - classes, max_size=size - classes)
    )
    return "".join(draw(st.permutations(chars)))


@HYPOTHESIS
@given(password=passwords(classes=3, min_size=3, max_size=7))
def test_shorter_than_eight_is_refused(account, password):
    assert "password_too_short" in refusal(account, password)


@HYPOTHESIS
@given(password=passwords(classes=3, min_size=8, max_size=24))
def test_eight_or_more_with_three_classes_is_accepted(account, password):
    assert refusal(account, password) == set()


@HYPOTHESIS
@given(password=passwords(classes=2, min_size=8, max_size=24))
def test_two_character_classes_are_refused(account, password):
    assert "password_too_simple" in refusal(account, password)


@HYPOTHESIS
@given(password=passwords(classes=4, min_size=8, max_size=24))
def test_four_character_classes_are_accepted(account, password):
    assert refusal(account, password) == set()


def _mixed_case(word: str) -> str:
    """``word`` with its first letter upper-case: three classes when it has digits and other letters."""
    index = next(i for i, c in enumerate(word) if c.isalpha())
    return word[:index] + word[index].upper() + word[index + 1 :]


COMMON_MIXED = [
    _mixed_case(p)
    for p in COMMON
    if len(p) >= 8 and sum(c.isalpha() for c in p) >= 2 and any(c.isdigit() for c in p) and p.isalnum()
]


@HYPOTHESIS
@given(password=st.sampled_from(COMMON_MIXED))
def test_a_common_password_is_refused_even_with_three_classes(account, password):
    assert refusal(account, password) == {"password_too_common"}


@HYPOTHESIS
@given(password=st.sampled_from(COMMON_MIXED), suffix=passwords(classes=3, min_size=4, max_size=6))
def test_a_common_password_made_longer_is_accepted(account, password, suffix):
    assert (password + suffix).lower() not in COMMON
    assert refusal(account, password + suffix) == set()


@HYPOTHESIS
@given(
    name=st.sampled_from([NAME, NAME.capitalize(), NAME.upper()[:1] + NAME[1:4] + NAME[4:].upper()]),
    suffix=st.text(alphabet=string.digits + "!@#$%", min_size=1, max_size=3),
)
def test_a_password_like_the_username_is_refused(account, name, suffix):
    assert "password_too_similar" in refusal(account, name + suffix + "A1")


@HYPOTHESIS
@given(password=passwords(classes=3, min_size=8, max_size=12))
def test_a_password_unlike_the_username_is_accepted(account, password):
    account.last_name = "周敏"
    assert not set(password.lower()) & set(NAME)
    assert refusal(account, password) == set()


def test_the_current_password_cannot_be_kept(account):
    assert "password_too_common" not in refusal(account, PASSWORD)
    form = PasswordChangeForm(
        account, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert not form.is_valid() and "new_password1" in form.errors


# --- the 90-day rule and the change page -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expired"),
    [
        (timedelta(0), False),
        (timedelta(days=90, minutes=-1), False),
        (timedelta(days=90, minutes=1), True),
        (timedelta(days=400), True),
    ],
)
def test_a_password_older_than_the_maximum_age_must_be_changed(client, world, age, expired):
    user = world.user("unit_clerk")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - age)
    client.force_login(user)
    response = client.get(reverse("search"))
    if expired:
        assert response.status_code == 302
        assert response.url == reverse("users:password_change") + "?next=%2Fsearch%2F"
        api = client.get(reverse("api:person-list"))
        assert api.status_code == 403 and api.json()["code"] == "password_expired"
        assert client.get(reverse("users:password_change")).status_code == 200
        assert client.post(reverse("logout")).status_code == 302
    else:
        assert response.status_code == 200


def test_the_maximum_age_is_a_setting(client, world, settings):
    settings.WAISHI_PASSWORD_MAX_AGE_DAYS = 30
    user = world.user("unit_leader")
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=31))
    client.force_login(user)
    assert client.get("/").status_code == 302
    settings.WAISHI_PASSWORD_MAX_AGE_DAYS = 60
    assert client.get("/").status_code == 200


def test_an_initial_password_from_an_administrator_must_be_changed(client, world):
    client.force_login(world.user("system_admin", world.province))
    response = client.post(
        reverse("users:user_add"),
        {
            "username": "newclerk",
            "organization": world.unit_a.pk,
            "is_active": "on",
            "new_password": "Chu-Shi7x",
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    newcomer = User.objects.get(username="newclerk")
    assert newcomer.check_password("Chu-Shi7x") and newcomer.password_changed_at is None
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "newclerk", "password": "Chu-Shi7x"})
    assert client.get("/").url.startswith(reverse("users:password_change"))


def test_changing_the_password_keeps_the_session_and_is_audited(client, world):
    user = world.user("unit_clerk")
    User.objects.filter(pk=user.pk).update(password_changed_at=None)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    response = client.post(
        reverse("users:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xin-Mima2027",
            "new_password2": "Xin-Mima2027",
            "next": reverse("search"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("search")
    assert client.get(reverse("search")).status_code == 200  # still signed in, and let through
    user.refresh_from_db()
    assert user.check_password("Xin-Mima2027")
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    row = AuditLog.objects.get(action="password.change")
    assert (row.user_id, row.object_id) == (user.pk, str(user.pk))

    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": user.username, "password": "Xin-Mima2027"})
    assert client.get("/").status_code == 200


def test_a_weak_new_password_changes_nothing(client, world):
    user = world.user("unit_clerk")
    client.force_login(user)
    before = user.password
    response = client.post(
        reverse("users:password_change"),
        {"old_password": PASSWORD, "new_password1": "weakpass", "new_password2": "weakpass"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == before
    assert not AuditLog.objects.filter(action="password.change").exists()


def test_the_code_comes_before_the_new_password(client, world):
    user = world.user("fao_staff")
    device = enrolled_device(user)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=200))
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("users:password_change")).url.startswith(reverse("users:second_factor"))
    client.post(reverse("users:second_factor"), {"code": totp_code(device), "next": "/"})
    assert client.get("/").url.startswith(reverse("users:password_change"))
