"""The admin and the sign-in pages as an administrator and a locked-out user read them."""

import pytest
from django.urls import reverse

from bureau.models import AuditEntry
from bureau.scoping import user_unit_ids
from tests.conftest import make_user
from tests.factories import UnitFactory
from tests.html import page_form


@pytest.mark.django_db
def test_admin_is_branded_and_chinese(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "机关事务管理局门户" in html and "Django" not in html
    # Axes' section and its tables read in Chinese.
    assert "登录锁定" in html and "登录失败记录" in html
    assert "Axes" not in html and "Access" not in html
    # The selectors' strings Django's own Chinese catalog lacks.
    assert '"Choose all %s": "\\u5168\\u90e8' in client.get(reverse("admin:jsi18n")).content.decode()
    groups = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "单位联络员" in groups and "局领导" in groups


@pytest.mark.django_db
def test_admin_assigns_a_liaisons_units_on_the_users_page(client, world):
    client.force_login(world.admin)
    extra = UnitFactory(name="丙单位")
    url = reverse("admin:auth_user_change", args=[world.liaison_a.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "联络单位" in html and "单位联络员" in html  # groups by role name, not "liaison"
    data = page_form(page)
    assert data["liaison_units"] == [str(world.unit_a.pk)]
    data["liaison_units"] = [str(extra.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.liaison_a._reach = None
    assert set(user_unit_ids(world.liaison_a)) == {extra.pk}
    grants = AuditEntry.objects.filter(action="grant", object_repr="liaison_a")
    assert grants.filter(unit_id=extra.pk).exists() and grants.filter(unit_id=world.unit_a.pk).exists()
    assert world.liaison_a.groups.filter(name="liaison").exists()


@pytest.mark.django_db
def test_lockout_page_says_how_long_and_whom_to_call(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    settings.SUPPORT_CONTACT = "信息中心 0571-12345678"
    user = make_user("leader", username="locked")
    for _ in range(2):
        client.post(reverse("login"), {"username": "locked", "password": "wrong"})
    html = client.post(reverse("login"), {"username": user.username, "password": "wrong"}).content.decode()
    assert "30 分钟" in html and "信息中心 0571-12345678" in html
