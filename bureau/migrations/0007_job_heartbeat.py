from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bureau", "0006_audit_immutable")]

    operations = []
