import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from waishi.core.testing.factories import PersonFactory
from waishi.users.models import User


def test_create_user_then_update(world):
    call_command(
        "create_user",
        "--username",
        "wang",
        "--password",
        "Qiang@2026x",
        "--org",
        "city-a",
        "--roles",
        "fao_staff,viewer",
        "--email",
        "wang@example.org",
    )
    user = User.objects.get(username="wang")
    assert user.organization == world.city_a
    assert user.role_codes == {"fao_staff", "viewer"}
    assert user.check_password("Qiang@2026x")
    assert user.password_changed_at is not None
    call_command(
        "create_user",
        "--username",
        "wang",
        "--password",
        "Other@2026y",
        "--org",
        "unit-a",
        "--roles",
        "unit_clerk",
    )
    user.refresh_from_db()
    assert (user.organization, user.role_codes) == (world.unit_a, {"unit_clerk"})
    assert user.check_password("Other@2026y")


@pytest.mark.parametrize("password", ["short1A", "alllowercaseletters", "password123", "12345678"])
def test_create_user_refuses_weak_passwords(world, password):
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "weak", "--password", password, "--org", "city-a")
    assert not User.objects.filter(username="weak").exists()


def test_create_user_refuses_unknown_role_and_org(world):
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "x", "--password", "Qiang@2026x", "--org", "nowhere")
    with pytest.raises(CommandError):
        call_command(
            "create_user",
            "--username",
            "x",
            "--password",
            "Qiang@2026x",
            "--org",
            "city-a",
            "--roles",
            "superuser",
        )
    assert not User.objects.filter(username="x").exists()


def test_api_token_is_stable_and_authenticates(client, world, capsys):
    user = world.user("unit_clerk")
    PersonFactory(organization=world.unit_a, name="张三")
    call_command("api_token", user.username)
    key = capsys.readouterr().out.strip()
    call_command("api_token", user.username)
    assert capsys.readouterr().out.strip() == key == Token.objects.get(user=user).key
    response = client.get(reverse("api:person-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["张三"]
