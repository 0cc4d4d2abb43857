import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Every column of an audit entry is immutable, for every role, the table's owner included: the
# trigger refuses any UPDATE or DELETE. The user and content type references therefore carry no
# database constraint (deleting a user must not try to null their entries). TRUNCATE and disabling
# the trigger are kept from the portal by privileges: it serves as a role that may only INSERT and
# SELECT here (`manage.py grant_runtime_role`).
FORWARD = """
CREATE OR REPLACE FUNCTION bureau_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
"""
# The function as 0002 left it (it let the references be set to NULL).
BACKWARD = """
CREATE OR REPLACE FUNCTION bureau_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.time = OLD.time AND NEW.action = OLD.action
     AND NEW.username = OLD.username AND NEW.object_id = OLD.object_id
     AND NEW.object_repr = OLD.object_repr AND NEW.changes = OLD.changes
     AND (NEW.user_id IS NOT DISTINCT FROM OLD.user_id OR NEW.user_id IS NULL)
     AND (NEW.content_type_id IS NOT DISTINCT FROM OLD.content_type_id OR NEW.content_type_id IS NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0005_audit_leading_indexes_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="content_type",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                to="contenttypes.contenttype",
                verbose_name="对象类型",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="用户",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
