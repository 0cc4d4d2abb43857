"""API list pages come from the cache only while nothing they read has changed, and never cross
from one caller's scope to another's."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureau import tablecache
from bureau.models import Person, UnitUserObjectPermission
from tests.conftest import require_postgres
from tests.factories import PersonFactory
from tests.offices.factories import RoomFactory

pytestmark = pytest.mark.django_db

PERSONS = "/api/v1/persons/"


def names(api, path=PERSONS):
    return sorted(row["name"] for row in api.get(path).json()["results"])


def test_a_page_read_twice_is_served_from_the_cache(api, world):
    PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    first = api.get(PERSONS).json()
    with CaptureQueriesContext(connection) as queries:
        again = api.get(PERSONS).json()
    assert again == first and len(queries) == 0


def test_a_save_a_bulk_update_and_a_delete_each_show_at_once(api, world):
    person = PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    assert names(api) == ["张三"]
    person.name = "张叁"
    person.save()
    assert names(api) == ["张叁"]
    Person.objects.filter(pk=person.pk).update(name="章三")
    assert names(api) == ["章三"]
    Person.objects.filter(pk=person.pk).delete()
    assert names(api) == []


def test_a_write_in_plain_sql_shows_at_once(api, world):
    person = PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    assert names(api) == ["张三"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bureau_person SET name = %s WHERE id = %s", ["李四", person.pk])
    assert names(api) == ["李四"]


def test_one_liaisons_page_never_reaches_another(api, world):
    PersonFactory(unit=world.unit_a, name="甲某")
    PersonFactory(unit=world.unit_b, name="乙某")
    api.force_authenticate(world.liaison_a)
    assert names(api) == ["甲某"]
    api.force_authenticate(world.liaison_b)
    assert names(api) == ["乙某"]


def test_a_revoked_liaison_no_longer_gets_the_cached_page(api, world):
    PersonFactory(unit=world.unit_a, name="甲某")
    api.force_authenticate(world.liaison_a)
    assert names(api) == ["甲某"]
    UnitUserObjectPermission.objects.filter(user=world.liaison_a).delete()
    api.force_authenticate(User.objects.get(pk=world.liaison_a.pk))  # as the next request loads it
    response = api.get(PERSONS)
    assert response.status_code == 403 or response.json()["results"] == []


def test_a_write_to_another_table_the_page_read_shows_at_once(api, world):
    """The rooms list reads the occupancy table (and the occupants' ranks) besides the rooms."""
    room = RoomFactory(unit=world.unit_a)
    person = PersonFactory(unit=world.unit_a)
    api.force_authenticate(world.staff("offices"))
    url = reverse("offices-api:room-list")
    api.get(url)  # the first read shows this process which tables the rooms list reads,
    api.get(url)  # the second is kept
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).json()["results"][0]["occupants"] == []
    assert len(queries) == 0
    room.occupants.add(person)
    assert api.get(url).json()["results"][0]["occupants"] == [person.pk]


def test_a_lost_stamp_makes_the_page_computed_again(api, world):
    from django.core.cache import cache

    PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    api.get(PERSONS)
    cache.delete(tablecache.stamp_key(Person._meta.db_table))
    with CaptureQueriesContext(connection) as queries:
        assert names(api) == ["张三"]
    assert any("bureau_person" in q["sql"] for q in queries.captured_queries)


def test_statements_name_the_tables_they_write():
    assert tablecache.WRITE.match('INSERT INTO "bureau_person" ("name") VALUES (%s)')[1] == "bureau_person"
    assert tablecache.WRITE.match('UPDATE "vehicles_trip" SET "km" = 1')[1] == "vehicles_trip"
    assert tablecache.WRITE.match("DELETE FROM energy_reading WHERE id = 1")[1] == "energy_reading"
    assert tablecache.WRITE.match('SELECT "updated" FROM "bureau_person"') is None
    assert tablecache.WRITE.match('INSERT OR IGNORE INTO "auth_user_groups" VALUES (1, 2)')[1] == "auth_user_groups"
    assert tablecache.OTHER_WRITE.match("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")
    assert tablecache.OTHER_WRITE.match("TRUNCATE bureau_person")
    assert not tablecache.OTHER_WRITE.match('WITH x AS (SELECT "updated" FROM t) SELECT * FROM x')


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_a_write_is_uncommitted_is_not_served_after_the_commit(api, world):
    """A reader that looks between the write and its commit caches the old rows; the stamp given at
    commit makes that page stale."""
    require_postgres()
    person = PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    written, read = threading.Event(), threading.Event()

    def rename():
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(name="李四")
                written.set()
                read.wait(30)
        finally:
            connection.close()

    writer = threading.Thread(target=rename)
    writer.start()
    assert written.wait(30)
    assert names(api) == ["张三"]  # not committed yet: the old name, now cached
    read.set()
    writer.join()
    assert names(api) == ["李四"]


def token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_known_token_costs_no_query(world):
    client = token_client(world.liaison_a)
    assert client.get(PERSONS).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PERSONS).status_code == 200
    assert len(queries) == 0


def test_a_deleted_token_or_an_inactive_user_is_refused_at_once(world):
    from rest_framework.authtoken.models import Token

    client = token_client(world.liaison_a)
    assert client.get(PERSONS).status_code == 200
    User.objects.filter(pk=world.liaison_a.pk).update(is_active=False)
    assert client.get(PERSONS).status_code in (401, 403)
    User.objects.filter(pk=world.liaison_a.pk).update(is_active=True)
    assert client.get(PERSONS).status_code == 200
    Token.objects.filter(user=world.liaison_a).delete()
    assert client.get(PERSONS).status_code in (401, 403)


def test_a_user_from_the_token_cache_keeps_no_password_and_saves_none(world):
    from rest_framework.authtoken.models import Token

    from bureau.apiconf import TokenAuthentication

    world.liaison_a.set_password("s3cret-Pass")
    world.liaison_a.save()
    key = Token.objects.create(user=world.liaison_a).key
    TokenAuthentication().authenticate_credentials(key)
    user, token = TokenAuthentication().authenticate_credentials(key)
    assert "password" in user.get_deferred_fields() and token.user == user
    user.first_name = "三"
    user.save()
    assert User.objects.get(pk=user.pk).check_password("s3cret-Pass")


def test_only_json_pages_are_kept(api, world):
    """The browsable API's HTML carries the session's CSRF token: computed every time."""
    PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    api.get(PERSONS, HTTP_ACCEPT="text/html")
    with CaptureQueriesContext(connection) as queries:
        html = api.get(PERSONS, HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html") and len(queries) > 0
    first = api.get(PERSONS)
    again = api.get(PERSONS)
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again.content == first.content


def test_migrate_drops_every_cached_page(api, world):
    from django.core.management import call_command

    PersonFactory(unit=world.unit_a, name="张三")
    api.force_authenticate(world.liaison_a)
    api.get(PERSONS)
    call_command("migrate", "bureau", verbosity=0)
    with CaptureQueriesContext(connection) as queries:
        api.get(PERSONS)
    assert any("bureau_person" in q["sql"] for q in queries.captured_queries)


def test_a_transaction_queues_one_stamp_however_many_rows_it_writes(world, monkeypatch):
    stamped = []
    with transaction.atomic():
        queued = len(connection.run_on_commit)
        for i in range(20):
            PersonFactory(unit=world.unit_a, name=f"人员{i}")
        # None new if the test's own transaction queued one already (its fixtures wrote rows).
        assert len(connection.run_on_commit) - queued <= 1
        monkeypatch.setattr(tablecache, "written", lambda *tables: stamped.append(set(tables)))
        for _savepoints, callback, _robust in connection.run_on_commit:
            callback()
    assert any("bureau_person" in tables for tables in stamped)
