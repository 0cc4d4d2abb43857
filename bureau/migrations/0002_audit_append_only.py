from django.db import migrations

# On PostgreSQL the database itself refuses to edit or delete audit entries; the only update allowed
# is the one Django makes when a user or content type is deleted (SET NULL on the reference).
FORWARD = """
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
CREATE TRIGGER bureau_audit_append_only BEFORE UPDATE OR DELETE ON bureau_auditentry
  FOR EACH ROW EXECUTE FUNCTION bureau_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS bureau_audit_append_only ON bureau_auditentry;
DROP FUNCTION IF EXISTS bureau_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("bureau", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
