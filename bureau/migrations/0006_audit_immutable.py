from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bureau", "0005_audit_leading_indexes_only")]

    operations = []
