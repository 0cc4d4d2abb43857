import pytest
from django.db import connection
from django.urls import reverse

from bureau import audit
from bureau.models import AuditEntry, Person, Unit
from tests.factories import PersonFactory, UnitFactory


@pytest.mark.django_db
def test_single_saves_record_who_what_and_before_after(world):
    with audit.acting_as(world.admin):
        person = PersonFactory(unit=world.unit_a, name="甲")
        person.name = "乙"
        person.save()
        pk = person.pk
        person.delete()
    entries = list(AuditEntry.objects.filter(object_id=str(pk), content_type__model="person").order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[1].changes == {"name": ["甲", "乙"]}
    assert all(e.user == world.admin and e.unit_id == world.unit_a.pk for e in entries)
    # ID numbers are personal data: the log shows that they changed, never the number.
    assert "…" in entries[0].changes["id_number"][1]


@pytest.mark.django_db
def test_bulk_writes_are_audited_too(world):
    people = PersonFactory.create_batch(3, unit=world.unit_a)
    before = AuditEntry.objects.count()
    Person.objects.filter(unit=world.unit_a).update(rank="bureau_head")
    updates = AuditEntry.objects.filter(action="update").order_by("-id")[:3]
    assert AuditEntry.objects.count() == before + 3
    assert {e.object_id for e in updates} == {str(p.pk) for p in people}
    assert all(e.changes == {"rank": ["below_bureau", "bureau_head"]} for e in updates)
    Person.objects.bulk_create([Person(name=f"新{i}", unit=world.unit_b, rank="below_bureau") for i in range(2)])
    assert AuditEntry.objects.filter(action="create", unit=world.unit_b, content_type__model="person").count() == 2
    Person.objects.filter(unit=world.unit_b).delete()
    assert AuditEntry.objects.filter(action="delete", unit=world.unit_b).count() == 2


@pytest.mark.django_db
def test_nobody_edits_the_log(world):
    entry = audit.record("action", object_repr="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(username="y")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE bureau_auditentry SET username = 'forged' WHERE id = %s", [entry.pk])


@pytest.mark.django_db
def test_logins_failures_and_refusals_are_logged(client, world):
    from tests.conftest import make_user

    user = make_user("leader", username="someone")
    user.set_password("Correct-horse-1")
    user.save()
    client.post(reverse("login"), {"username": "someone", "password": "wrong"})
    assert AuditEntry.objects.filter(action="login_failed", object_repr="someone").exists()
    client.post(reverse("login"), {"username": "someone", "password": "Correct-horse-1"})
    assert AuditEntry.objects.filter(action="login", user=user).exists()
    client.force_login(world.liaison_a)
    other = PersonFactory(unit=world.unit_b)
    assert client.get(reverse("bureau:person_detail", args=[other.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="denied", user=world.liaison_a, object_id=str(other.pk)).exists()
    assert client.get(reverse("bureau:unit_add")).status_code == 403
    assert AuditEntry.objects.filter(action="denied", user=world.liaison_a, object_repr="/base/unit/add/").exists()


@pytest.mark.django_db
def test_history_page_shows_before_and_after(client, world):
    unit = UnitFactory(short_name="旧简称")
    unit.short_name = "新简称"
    unit.save()
    client.force_login(world.admin)
    html = client.get(reverse("bureau:unit_history", args=[unit.pk])).content.decode()
    assert "旧简称" in html and "新简称" in html


@pytest.mark.django_db
def test_lockout_after_repeated_failures_is_per_user_and_address(client, world, settings):
    from tests.conftest import make_user

    settings.AXES_FAILURE_LIMIT = 3
    victim = make_user("leader", username="victim")
    victim.set_password("Correct-horse-1")
    victim.save()
    bystander = make_user("leader", username="bystander")
    bystander.set_password("Correct-horse-2")
    bystander.save()
    for _ in range(3):
        client.post(reverse("login"), {"username": "victim", "password": "nope"})
    locked = client.post(reverse("login"), {"username": "victim", "password": "Correct-horse-1"})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    # The same address (one proxy for the whole intranet) still lets everyone else in.
    ok = client.post(reverse("login"), {"username": "bystander", "password": "Correct-horse-2"})
    assert ok.status_code == 302
    # An admin unlocks the user.
    from axes.utils import reset

    reset(username="victim")
    client.logout()
    assert client.post(reverse("login"), {"username": "victim", "password": "Correct-horse-1"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_of_one_record_exactly_one_wins(world):
    import threading

    from bureau.models import Conflict
    from tests.conftest import require_postgres

    require_postgres()
    unit = Unit.objects.get(pk=world.unit_a.pk)
    copies = [Unit.objects.get(pk=unit.pk), Unit.objects.get(pk=unit.pk)]
    barrier, results = threading.Barrier(2), []

    def edit(copy, name):
        try:
            barrier.wait()
            copy.short_name = name
            copy.save()
            results.append(name)
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(c, n)) for c, n in zip(copies, ("一号", "二号"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("conflict") == 1
    unit.refresh_from_db()
    assert unit.short_name in ("一号", "二号") and unit.short_name in results and unit.version == 2


@pytest.mark.django_db
def test_idle_sessions_are_signed_out(client, world, settings):
    import time

    settings.SESSION_IDLE_SECONDS = 60
    client.force_login(world.leader)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("home")).status_code == 302  # signed out for good


def test_the_absolute_session_limit_is_set(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.django_db
def test_bulk_update_records_one_entry_per_changed_row(world):
    people = PersonFactory.create_batch(2, unit=world.unit_a, rank="below_bureau")
    for p in people:
        p.rank = "bureau_deputy"
    before = AuditEntry.objects.count()
    Person.objects.bulk_update(people, ["rank"])
    entries = AuditEntry.objects.order_by("id")[before:]
    assert len(entries) == 2
    assert all(e.changes == {"rank": ["below_bureau", "bureau_deputy"]} for e in entries)
    assert set(Person.objects.filter(pk__in=[p.pk for p in people]).values_list("version", flat=True)) == {2}
