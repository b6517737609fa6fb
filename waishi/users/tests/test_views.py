import datetime

import pytest
from django.urls import reverse

from waishi.core.models import AuditLog, WorkdayOverride
from waishi.core.testing.factories import UserFactory
from waishi.core.testing.views import ModelViewTests
from waishi.core.views import WorkdayOverrideViews
from waishi.users.models import User
from waishi.users.views import UserViews


class TestUserViews(ModelViewTests):
    views = UserViews
    allowed_role = "system_admin"
    denied_role = "unit_clerk"

    def make(self, world, organization):
        return UserFactory(username=f"someone-{organization.code}", organization=organization)

    def make_many(self, world, organization, numbers):
        return [UserFactory(username=f"someone-{n}", organization=organization) for n in numbers]


class TestWorkdayOverrideViews(ModelViewTests):
    views = WorkdayOverrideViews
    allowed_role = "system_admin"
    denied_role = "fao_staff"
    scoped = False

    def make(self, world, organization):
        return WorkdayOverride.objects.create(date=datetime.date(2030, 5, 2), kind="holiday", name="地方假日")

    def make_many(self, world, organization, numbers):
        return [
            WorkdayOverride.objects.create(
                date=datetime.date(2030, 1, 1) + datetime.timedelta(days=n), kind="holiday", name=f"假日{n}"
            )
            for n in numbers
        ]

    def list_text(self, obj):
        return obj.name


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "用户名" in response.content.decode()


def test_language_switch_to_english_and_back(client, world):
    client.force_login(world.user("fao_staff"))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Log out" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "退出登录" in client.get("/").content.decode()


def test_security_admin_assigns_roles_and_it_is_audited(client, world):
    target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
    admin = world.user("security_admin", world.province)
    client.force_login(admin)
    page = client.get(reverse("users:user_roles", args=[target.pk]))
    assert page.status_code == 200 and page.context["form"].initial == {"roles": ["viewer"]}
    response = client.post(reverse("users:user_roles", args=[target.pk]), {"roles": ["unit_clerk"]})
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(pk=target.pk).role_codes == {"unit_clerk"}
    row = AuditLog.objects.get(action="user.roles_change")
    assert row.detail == {"before": ["viewer"], "after": ["unit_clerk"]}
    assert row.username == admin.username


def test_security_admin_does_not_edit_accounts(client, world):
    target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
    client.force_login(world.user("security_admin", world.province))
    assert client.get(reverse("users:user_edit", args=[target.pk])).status_code == 403
    response = client.post(
        reverse("users:user_edit", args=[target.pk]),
        {"username": "renamed", "organization": world.unit_a.pk, "is_active": ""},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.username == "target" and target.is_active


def test_system_admin_cannot_assign_roles(client, world):
    target = UserFactory(username="target", organization=world.unit_a, roles=["viewer"])
    client.force_login(world.user("system_admin", world.province))
    assert client.get(reverse("users:user_roles", args=[target.pk])).status_code == 403
    response = client.post(reverse("users:user_roles", args=[target.pk]), {"roles": ["fao_leader"]})
    assert response.status_code == 403
    # the account page has no roles field for him to send
    client.post(
        reverse("users:user_edit", args=[target.pk]),
        {"username": "target", "organization": world.unit_a.pk, "is_active": "on", "roles": ["fao_leader"]},
    )
    assert User.objects.get(pk=target.pk).role_codes == {"viewer"}
    assert not AuditLog.objects.filter(action="user.roles_change").exists()


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_administrators_see_no_people(client, world, role):
    client.force_login(world.user(role, world.province))
    assert client.get(reverse("directory:person_list")).status_code == 403
    assert client.get(reverse("api:person-list")).status_code == 403


def test_only_the_audit_administrator_reads_the_audit_log(client, world):
    client.force_login(world.user("audit_admin", world.province))
    assert client.get(reverse("core:auditlog_list")).status_code == 200
    client.force_login(world.user("system_admin", world.province))
    assert client.get(reverse("core:auditlog_list")).status_code == 403
    assert AuditLog.objects.filter(action="access.denied").exists()


def test_language_switch_names_each_language_in_itself(client, world):
    """The switch offers 简体中文 and English whatever the page's language (not 英语 on a Chinese page)."""
    client.force_login(world.user("fao_staff"))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert ">简体中文</button>" in page and ">English</button>" in page and ">英语</button>" not in page
