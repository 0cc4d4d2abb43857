import psycopg
import psycopg.sql
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def create_database(settings_dict):
    """Creates the PostgreSQL database DATABASE_URL names unless it exists; True if it did."""
    params = {
        "host": settings_dict["HOST"] or None,
        "port": settings_dict["PORT"] or None,
        "user": settings_dict["USER"] or None,
        "password": settings_dict["PASSWORD"] or None,
    }
    name = settings_dict["NAME"]
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
            return True
    except psycopg.Error as exc:
        raise CommandError(f"无法建立数据库 {name}：{str(exc).strip().splitlines()[0]}") from None


class Command(BaseCommand):
    help = "PostgreSQL：建立 DATABASE_URL 指定的数据库（已存在时什么也不做）；SQLite 无需此步。"

    def handle(self, **options):
        if connection.vendor != "postgresql":
            return
        if create_database(connection.settings_dict):
            self.stdout.write(self.style.SUCCESS(f"已建立数据库 {connection.settings_dict['NAME']}"))
