from django.urls import reverse

from waishi.core import config
from waishi.core.models import AuditLog, OfficeSetting


def test_leader_sets_a_limit_for_his_office_and_it_is_audited(client, world):
    leader = world.user("fao_leader")
    client.force_login(leader)
    page = client.get(reverse("core:settings"))
    assert page.status_code == 200
    assert "travel.members.max" in page.content.decode()
    response = client.post(
        reverse("core:settings"), {"office": world.city_a.pk, "key": "travel.members.max", "value": "8"}
    )
    assert response.status_code == 302
    assert config.get("travel.members.max", world.city_a) == 8
    assert config.get("travel.members.max", world.city_b) == 6
    assert AuditLog.objects.filter(action="config.change", user=leader).count() == 1


def test_a_value_of_the_wrong_kind_is_refused_and_changes_nothing(client, world):
    client.force_login(world.user("fao_leader"))
    response = client.post(
        reverse("core:settings"), {"office": world.city_a.pk, "key": "travel.days.max", "value": "five"}
    )
    assert response.status_code == 400
    assert not OfficeSetting.objects.exists()
    response = client.post(
        reverse("core:settings"),
        {"office": world.city_a.pk, "key": "travel.days.max", "value": '{"1": 6, "2": 8, "3": 10}'},
    )
    assert response.status_code == 302
    assert config.get("travel.days.max", world.unit_a.office()) == {"1": 6, "2": 8, "3": 10}


def test_a_leader_cannot_configure_another_office(client, world):
    client.force_login(world.user("fao_leader"))
    response = client.post(
        reverse("core:settings"), {"office": world.city_b.pk, "key": "travel.members.max", "value": "9"}
    )
    assert response.status_code == 404
    assert not OfficeSetting.objects.exists()


def test_clerks_do_not_see_the_settings(client, world):
    client.force_login(world.user("unit_clerk"))
    assert client.get(reverse("core:settings")).status_code == 403
