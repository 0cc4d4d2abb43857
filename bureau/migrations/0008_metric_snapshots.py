from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bureau", "0007_job_heartbeat")]

    operations = []
