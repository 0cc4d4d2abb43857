from django.db import migrations

# Default schedules; administrators change or disable them in the admin (django-celery-beat).
SCHEDULES = [
    ("绩效：每周记录指标值", "performance.tasks.weekly_indicator_values", {"minute": "0", "hour": "3", "day_of_week": "1"}),
    ("绩效：报告期截止记录指标值", "performance.tasks.close_periods", {"minute": "15", "hour": "3"}),
    ("绩效：进度报告提醒", "performance.tasks.remind_reports", {"minute": "45", "hour": "8"}),
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
    dependencies = [("performance", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(create, remove)]
