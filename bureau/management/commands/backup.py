import json
import os
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone


def libpq_env(settings_dict):
    """pg_dump and pg_restore reach the database the portal uses, credentials in the environment
    (never on a command line that `ps` shows)."""
    values = {
        "PGHOST": settings_dict["HOST"],
        "PGPORT": str(settings_dict["PORT"] or ""),
        "PGUSER": settings_dict["USER"],
        "PGPASSWORD": settings_dict["PASSWORD"],
        "PGDATABASE": settings_dict["NAME"],
    }
    return os.environ | {k: v for k, v in values.items() if v}


def row_counts():
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def run(command, settings_dict):
    result = subprocess.run(command, env=libpq_env(settings_dict), capture_output=True, text=True)
    if result.returncode:
        message = (result.stderr.strip() or f"exit code {result.returncode}").splitlines()[0]
        raise CommandError(f"{command[0]} 失败：{message}")


class Command(BaseCommand):
    help = (
        "备份数据库（pg_dump 自定义格式）和上传文件到 --dir 下带时间戳的目录，附清单 manifest.json（各表行数，"
        "与转储取自同一快照）。用 restore 恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="backups", help="备份存放的目录（默认 backups）")

    def handle(self, dir, **options):
        if connection.vendor != "postgresql":
            raise CommandError("备份需要 PostgreSQL；SQLite 的演示库请直接复制 db.sqlite3 和 media 目录。")
        target = Path(dir) / f"bureau-{timezone.localtime():%Y%m%d-%H%M%S}"
        try:
            target.mkdir(parents=True)
        except OSError as exc:
            raise CommandError(f"无法建立备份目录 {target}：{exc.strerror or exc}") from None
        db = connection.settings_dict
        # The counts and the dump read one snapshot: writes made meanwhile are in neither.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            counts = row_counts()
            run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target / 'db.dump'}"], db)
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
        with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
            for path in files:
                archive.add(path, arcname=str(path.relative_to(media)))
        manifest = {
            "created": timezone.localtime().isoformat(timespec="seconds"),
            "database": db["NAME"],
            "server_version": server_version,
            "tables": counts,
            "media_files": len(files),
        }
        (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        self.stdout.write(
            self.style.SUCCESS(f"已备份到 {target}：{len(counts)} 张表 {sum(counts.values())} 行，{len(files)} 个文件")
        )
