"""Adversarial checks of unit isolation beyond the per-model tests (tests/base.py): cached API pages
and tokens after a role, grant or account changes, and what a role may write through the API."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bureau.models import UnitUserObjectPermission
from tests.conftest import make_user
from tests.factories import PersonFactory
from tests.vehicles.factories import VehicleFactory

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def names(response):
    assert response.status_code == 200, response.content[:300]
    return sorted(row["name"] for row in response.json()["results"])


# Cached pages and tokens --------------------------------------------------------------------------


def test_a_removed_group_permission_ends_the_cached_page_at_once(world):
    PersonFactory(unit=world.unit_a, name="甲某")
    client = token_client(world.staff("offices"))
    assert names(client.get(PERSONS)) == ["甲某"]
    Group.objects.get(name="offices").permissions.remove(Permission.objects.get(codename="view_person"))
    assert client.get(PERSONS).status_code == 403


def test_a_grant_moved_to_another_unit_shows_that_unit_only(world):
    PersonFactory(unit=world.unit_a, name="甲某")
    PersonFactory(unit=world.unit_b, name="乙某")
    client = token_client(world.liaison_a)
    assert names(client.get(PERSONS)) == ["甲某"]
    UnitUserObjectPermission.objects.filter(user=world.liaison_a).delete()
    assign_perm("liaise_unit", world.liaison_a, world.unit_b)
    assert names(client.get(PERSONS)) == ["乙某"]
    assert client.get(f"{PERSONS}?page_size=50").status_code == 200
    assert names(client.get(PERSONS)) == ["乙某"]


def test_two_liaisons_of_one_unit_and_one_query_string_each_get_their_own_page(world):
    PersonFactory(unit=world.unit_a, name="甲某")
    PersonFactory(unit=world.unit_b, name="乙某")
    second = make_user("liaison", world.unit_b, username="liaison_b2")
    assign_perm("liaise_unit", second, world.unit_a)
    first = token_client(world.liaison_a)
    assert names(first.get(PERSONS)) == ["甲某"]
    assert names(token_client(second).get(PERSONS)) == ["乙某", "甲某"]
    assert names(first.get(PERSONS)) == ["甲某"]


def test_a_superuser_flag_taken_away_ends_the_cached_page(world):
    PersonFactory(unit=world.unit_a, name="甲某")
    boss = make_user(username="boss", is_superuser=True)
    client = token_client(boss)
    assert names(client.get(PERSONS)) == ["甲某"]
    User.objects.filter(pk=boss.pk).update(is_superuser=False)
    assert client.get(PERSONS).status_code == 403


def test_a_deactivated_session_user_gets_no_page(client, world):
    PersonFactory(unit=world.unit_a, name="甲某")
    client.force_login(world.liaison_a)
    assert client.get(PERSONS, HTTP_ACCEPT="application/json").status_code == 200
    User.objects.filter(pk=world.liaison_a.pk).update(is_active=False)
    assert client.get(PERSONS, HTTP_ACCEPT="application/json").status_code in (401, 403)


# What a role may write --------------------------------------------------------------------------


def test_a_liaison_cannot_dispatch_their_own_support_request_through_the_api(api, world):
    """The form keeps status, vehicle and reason for the vehicles division; the API kept them
    writable, so a unit could file its request as already dispatched, with a car of its own."""
    from vehicles.models import SupportRequest

    car = VehicleFactory(unit=world.unit_a)
    api.force_authenticate(world.liaison_a)
    body = {
        "unit": world.unit_a.pk,
        "task": "城管联合执法",
        "start": "2022-05-06T09:00:00+08:00",
        "end": "2022-05-06T12:00:00+08:00",
        "place": "江汉路",
        "passengers": 3,
        "status": "dispatched",
        "vehicle": car.pk,
        "reason": "自行派车",
    }
    response = api.post("/api/v1/vehicles/support-requests/", body, format="json")
    assert response.status_code == 201, response.content
    saved = SupportRequest.objects.get(pk=response.data["id"])
    assert (saved.status, saved.vehicle_id, saved.reason) == ("requested", None, "")


def test_another_units_submission_is_404_on_every_workflow_page_and_action(client, api, world):
    from django.urls import reverse

    from bureau.models import Submission
    from tests.factories import SubmissionFactory

    b = SubmissionFactory(unit=world.unit_b, rows=[{"name": "乙某", "rank": "below_bureau"}])
    client.force_login(world.liaison_a)
    for name in ("submission_detail", "submission_template", "submission_history"):
        assert client.get(reverse(f"bureau:{name}", args=[b.pk])).status_code == 404, name
    assert client.post(reverse("bureau:submission_detail", args=[b.pk]), {"action": "submit"}).status_code == 404
    api.force_authenticate(world.liaison_a)
    assert api.get(f"/api/v1/submissions/{b.pk}/").status_code == 404
    for action, body in (("rows", {"rows": []}), ("submit", {}), ("approve", {}), ("reopen", {"reason": "x"})):
        assert api.post(f"/api/v1/submissions/{b.pk}/{action}/", body, format="json").status_code == 404, action
    b.refresh_from_db()
    assert (b.state, b.rows, b.version) == ("draft", [{"name": "乙某", "rank": "below_bureau"}], 1)
    assert not Submission.objects.get(pk=b.pk).reviews.exists()
