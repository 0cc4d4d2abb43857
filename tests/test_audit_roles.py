"""The audit trail cannot be edited: every column is immutable (a trigger, whoever asks), and the role
the portal serves as may only add entries and read them (no UPDATE, DELETE, TRUNCATE or ALTER)."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from bureau import audit
from bureau.models import AuditEntry
from tests.conftest import make_user, require_postgres

# A different value for every column, as SQL; NULL too wherever the column allows it.
CHANGES = {
    "id": ["id + 1000000"],
    "time": ["time - interval '1 day'"],
    "user_id": ["NULL", "user_id + 1"],
    "username": ["'forged'"],
    "action": ["'login'"],
    "content_type_id": ["NULL", "content_type_id + 1"],
    "object_id": ["'999'"],
    "object_repr": ["'forged'"],
    "unit_id": ["NULL", "unit_id + 1"],
    "changes": ["'{}'::jsonb"],
    "ip": ["NULL", "'10.9.9.9'"],
    "path": ["'/forged/'"],
}


@pytest.fixture
def entry(world):
    with audit.acting_as(world.admin, "10.0.0.1", "/base/unit/1/edit/"):
        return audit.record("update", world.unit_a, changes={"name": ["a", "b"]})


@pytest.mark.django_db
def test_no_column_of_an_entry_can_be_changed_even_by_the_owner(entry):
    require_postgres()
    assert set(CHANGES) == {f.column for f in AuditEntry._meta.concrete_fields}, "a new column needs a case here"
    assert entry.user_id and entry.content_type_id and entry.unit_id and entry.ip
    refused = []
    for column, values in CHANGES.items():
        for value in values:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"UPDATE bureau_auditentry SET {column} = {value} WHERE id = %s", [entry.pk])
            except DatabaseError as exc:
                assert "append-only" in str(exc)
                refused.append((column, value))
    assert refused == [(c, v) for c, values in CHANGES.items() for v in values]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM bureau_auditentry WHERE id = %s", [entry.pk])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.username, stored.ip, stored.path, stored.unit_id) == (
        "admin",
        "10.0.0.1",
        "/base/unit/1/edit/",
        entry.unit_id,
    )


@pytest.mark.django_db
def test_deleting_a_user_leaves_their_entries_as_they_were(world):
    user = make_user("offices", username="leaving")
    with audit.acting_as(user):
        item = audit.record("update", world.unit_a)
    user_id = user.pk
    user.delete()
    stored = AuditEntry.objects.get(pk=item.pk)
    assert (stored.user_id, stored.username, stored.content_type_id) == (user_id, "leaving", item.content_type_id)


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_may_only_add_and_read_entries(world, entry):
    require_postgres()
    role = f"portal_test_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    call_command("grant_runtime_role", role=role)
    try:
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, dbname=db["NAME"], user=role, autocommit=True
        ) as runtime:
            assert runtime.execute("SELECT count(*) FROM bureau_auditentry").fetchone()[0] >= 1
            runtime.execute(
                "INSERT INTO bureau_auditentry (time, username, action, object_id, object_repr, changes, path)"
                " VALUES (now(), 'portal', 'login', '', '', '{}', '')"
            )
            # Ordinary tables take ordinary writes.
            runtime.execute("UPDATE bureau_unit SET name = name WHERE id = %s", [world.unit_a.pk])
            refused = {
                "UPDATE": f"UPDATE bureau_auditentry SET username = 'x' WHERE id = {entry.pk}",
                "DELETE": f"DELETE FROM bureau_auditentry WHERE id = {entry.pk}",
                "TRUNCATE": "TRUNCATE bureau_auditentry",
                "DISABLE TRIGGER": "ALTER TABLE bureau_auditentry DISABLE TRIGGER bureau_audit_append_only",
                "DROP TRIGGER": "DROP TRIGGER bureau_audit_append_only ON bureau_auditentry",
                "ALTER": "ALTER TABLE bureau_auditentry DROP COLUMN ip",
                "DROP": "DROP TABLE bureau_auditentry",
                "REPLACE FUNCTION": "CREATE OR REPLACE FUNCTION bureau_audit_append_only() RETURNS trigger AS "
                "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
                "SET ROLE": f"SET ROLE {db['USER']}",
                "RECORD A MIGRATION": "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
            }
            for what, sql in refused.items():
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    runtime.execute(sql)
                    pytest.fail(f"the runtime role could {what}")
        assert AuditEntry.objects.filter(pk=entry.pk, username="admin").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.mark.django_db
def test_the_owner_cannot_be_the_runtime_role():
    require_postgres()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="所有者"):
        call_command("grant_runtime_role", role=connection.settings_dict["USER"])


@pytest.mark.parametrize(("command", "user"), [("migrate", "owner"), ("seed_demo", "owner"), ("runserver", "portal")])
def test_schema_commands_connect_as_the_owner_and_the_rest_as_the_runtime_role(command, user):
    code = (
        f"import sys; sys.argv = ['manage.py', '{command}']; from django.conf import settings; "
        "print(settings.DATABASES['default']['USER'])"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "bureau.settings",
        "DATABASE_URL": "postgres://portal:pw@db:5432/bureau",
        "DATABASE_OWNER_URL": "postgres://owner:pw@db:5432/bureau",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == user, result.stderr
