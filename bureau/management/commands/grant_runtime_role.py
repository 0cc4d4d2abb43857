from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bureau.models import AuditEntry


class Command(BaseCommand):
    help = (
        "PostgreSQL：建立（或更新）门户运行时使用的数据库角色并授权——审计表只可插入和查询，其余表可增删改查，"
        "不能清空表、改表或停用触发器。以表的所有者身份运行（DATABASE_OWNER_URL），每次 migrate 之后运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", help="角色名，默认取 DATABASE_URL 中的用户名（密码也取自那里）")

    def handle(self, role=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只有 PostgreSQL 区分表的所有者与运行时角色。")
        runtime = settings.RUNTIME_DATABASE
        password = runtime.get("PASSWORD") if role is None else None
        role = role or runtime.get("USER")
        if not role:
            raise CommandError("DATABASE_URL 中没有用户名：请写明运行时角色，或用 --role 指定。")
        name = connection.ops.quote_name(role)
        audit = connection.ops.quote_name(AuditEntry._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if role == owner:
                raise CommandError(
                    f"运行时角色“{role}”就是表的所有者：请让 DATABASE_URL 使用另一个角色，"
                    "并用 DATABASE_OWNER_URL 连接所有者来运行本命令和 migrate。"
                )
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found and found[0]:
                raise CommandError(f"角色“{role}”是超级用户，不受权限限制，不能作为运行时角色。")
            verb = "ALTER" if found else "CREATE"
            if password:
                cursor.execute(f"{verb} ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s", [password])
            else:
                cursor.execute(f"{verb} ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
            cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {connection.ops.quote_name(database)} TO {name}")
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
            cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}")
            cursor.execute(f"REVOKE UPDATE, DELETE ON {audit} FROM {name}")
            # Which migrations ran is the owner's to record.
            cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {name}")
            cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {name}")
            # An owner may alter its tables whatever was granted: the runtime role must own none.
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role])
            (owned,) = cursor.fetchone()
            if owned:
                raise CommandError(f"角色“{role}”拥有 {owned} 张表：请先把它们的所有权交给 {owner}（REASSIGN OWNED）。")
        self.stdout.write(
            self.style.SUCCESS(f"运行时角色 {role}：审计表只可插入和查询，其余表可增删改查（所有者 {owner}）。")
        )
