from django.db import migrations, models

# The sweep that fails jobs whose worker died; administrators may change it in the admin.
SWEEP = ("清理中断的后台任务", "bureau.tasks.sweep_jobs", {"minute": "*/5"})


def create(apps, schema_editor):
    name, task, cron = SWEEP
    schedule, _ = apps.get_model("django_celery_beat", "CrontabSchedule").objects.get_or_create(
        timezone="Asia/Shanghai", **cron
    )
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=name, defaults={"task": task, "crontab": schedule}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("bureau", "0006_audit_immutable"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="heartbeat",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近心跳"),
        ),
        migrations.RunPython(create, remove),
    ]
