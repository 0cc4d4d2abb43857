from django.db import migrations

# Default schedules; administrators change or disable them in the admin (django-celery-beat).
SCHEDULES = [
    ("填报截止提醒", "bureau.tasks.send_reminders", {"minute": "30", "hour": "8"}),
    ("上年度统计报表", "bureau.tasks.scheduled_annual_report", {"minute": "0", "hour": "2", "day_of_month": "20", "month_of_year": "1"}),
]


def create(apps, schema_editor):
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron in SCHEDULES:
        schedule, _ = Crontab.objects.get_or_create(timezone="Asia/Shanghai", **cron)
        Task.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("bureau", "0003_workflow"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
