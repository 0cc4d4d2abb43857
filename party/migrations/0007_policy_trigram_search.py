"""On PostgreSQL, trigram indexes for the policy library's keyword search: Django's icontains is
UPPER(column) LIKE '%…%', which a pg_trgm GIN index on UPPER(column) serves — also for Chinese,
which PostgreSQL's full-text parsers do not split into words. Elsewhere (SQLite) nothing: the
search scans, as every other list's does. Without the right to create the extension, the search
still works, unindexed."""

from django.db import migrations

COLUMNS = ("title", "text")


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("SAVEPOINT party_trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # no privilege: leave the search unindexed
            cursor.execute("ROLLBACK TO SAVEPOINT party_trgm")
            return
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS party_policy_{column}_trgm "
                f'ON party_policy USING gin (UPPER("{column}") gin_trgm_ops)'
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS party_policy_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("party", "0006_case_policy_training")]

    operations = [migrations.RunPython(forwards, backwards)]
