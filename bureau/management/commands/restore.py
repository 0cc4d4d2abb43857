import json
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bureau.management.commands.backup import row_counts, run
from bureau.management.commands.createdb import create_database


class Command(BaseCommand):
    help = (
        "从 backup 写出的目录恢复到一个空库（不存在时自动建立）和上传文件目录，清空缓存，"
        "并逐表列出恢复后的行数与备份清单对照；有不一致时退出码为 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="backup 写出的目录，如 backups/bureau-20260130-083000")

    def handle(self, backup, **options):
        if connection.vendor != "postgresql":
            raise CommandError("恢复需要 PostgreSQL（DATABASE_URL）。")
        folder = Path(backup)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{folder} 不是完整的备份（manifest.json：{exc}）") from None
        db = connection.settings_dict
        create_database(db)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"数据库 {db['NAME']} 不是空库：请恢复到一个新库（DATABASE_URL 写一个尚不存在的库名即可自动建立）。"
                )
        # Objects belong to whoever restores (the owner); the runtime role's grants are made anew.
        run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(folder / "db.dump"),
            ],
            db,
        )
        with tarfile.open(folder / "media.tar.gz") as archive:
            archive.extractall(settings.MEDIA_ROOT, filter="data")
        if settings.RUNTIME_DATABASE.get("USER") not in (None, "", db["USER"]):
            call_command("grant_runtime_role", stdout=self.stdout, stderr=self.stderr)
        # Cached pages, roles and tokens describe the database as it was before.
        cache.clear()
        restored = row_counts()
        expected = manifest["tables"]
        width = max(map(len, expected | restored))
        self.stdout.write(f"{'表':<{width}} {'备份':>10} {'恢复后':>10}")
        differ = []
        for table in sorted(expected | restored):
            mark = "" if expected.get(table) == restored.get(table) else "  ≠"
            if mark:
                differ.append(table)
            self.stdout.write(f"{table:<{width}} {expected.get(table, '-'):>10} {restored.get(table, '-'):>10}{mark}")
        if differ:
            raise CommandError(f"{len(differ)} 张表的行数与备份清单不符：{', '.join(differ)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已从 {folder}（{manifest['created']}）恢复：{len(restored)} 张表 {sum(restored.values())} 行，"
                f"{manifest['media_files']} 个文件"
            )
        )
