"""`make backup` and `make restore`: the real commands, in their own processes, on PostgreSQL."""

import os
import pathlib
import subprocess
import sys

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from bureau import audit
from bureau.models import AuditEntry, Job
from tests.conftest import require_postgres
from tests.factories import PersonFactory

ROOT = pathlib.Path(__file__).resolve().parent.parent


def manage(*args, database, media):
    db = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{database}",
        "MEDIA_ROOT": str(media),
    }
    env.pop("DATABASE_OWNER_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def connect(database, **kwargs):
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=database, **kwargs)


def rows(database, sql):
    with connect(database) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_the_same_rows_files_and_audit_trail(
    world, settings, tmp_path
):
    require_postgres()
    settings.MEDIA_ROOT = tmp_path / "media"
    with audit.acting_as(world.admin, "10.1.2.3", "/base/person/add/"):
        people = PersonFactory.create_batch(12, unit=world.unit_a)
        people[0].name = "改过的名字"
        people[0].save()
        people[1].delete()
    job = Job.objects.create(kind="annual_report", title="2025", user=world.leader, params={"year": 2025})
    job.file.save("annual-2025.xlsx", ContentFile(b"PK workbook bytes"))
    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored"
    backup = manage("backup", "--dir", str(tmp_path / "backups"), database=source, media=tmp_path / "media")
    assert backup.returncode == 0, backup.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {"db.dump", "media.tar.gz", "manifest.json"}

    restored_media = tmp_path / "restored-media"
    try:
        restore = manage("restore", str(folder), database=copy, media=restored_media)
        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "bureau_auditentry" in restore.stdout and "≠" not in restore.stdout
        for table in ("bureau_person", "bureau_auditentry", "bureau_unit", "auth_user", "bureau_job"):
            query = f"SELECT * FROM {table} ORDER BY id"
            assert rows(copy, query) == rows(source, query), table
        # The trail is whole (every entry, in order) and still refuses edits in the copy.
        entries = rows(copy, "SELECT id, action, username, object_id, ip, path FROM bureau_auditentry ORDER BY id")
        assert len(entries) == AuditEntry.objects.count() and entries[-1][1] == "delete"
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            rows(copy, "UPDATE bureau_auditentry SET ip = NULL")
        assert (restored_media / job.file.name).read_bytes() == b"PK workbook bytes"
        # A second restore into the now filled database is refused, in one line, with exit code 1.
        again = manage("restore", str(folder), database=copy, media=restored_media)
        assert again.returncode == 1 and len(again.stderr.strip().splitlines()) == 1 and "空库" in again.stderr
    finally:
        with connect("postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def test_backup_needs_postgresql(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", "--dir", str(tmp_path)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATABASE_URL": f"sqlite:///{tmp_path}/x"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "PostgreSQL" in result.stderr and len(result.stderr.strip().splitlines()) == 1
