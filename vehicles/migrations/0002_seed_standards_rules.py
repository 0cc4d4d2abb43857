"""The figures of DOMAIN.md as editable rows: the price and engine standards of
《党政机关公务用车管理办法》 (2017) and the division's thresholds, plus the nightly roll-up schedule."""

import datetime
import json

from django.db import migrations

SOURCE = "《党政机关公务用车管理办法》（2017）"
STANDARDS = [
    # category, name, max price (yuan), max displacement (L), default, source
    ("confidential", "一般", 120_000, "1.6", True, SOURCE),
    ("enforcement", "一般", 120_000, "1.6", True, SOURCE),
    ("enforcement", "确需", 180_000, "1.8", False, SOURCE),
    ("enforcement", "特殊需要", 250_000, "3.0", False, SOURCE),
    ("enforcement", "大型客车", 450_000, None, False, SOURCE),
    # [confirm] in DOMAIN.md: kept as data for the division to check.
    ("confidential", "新能源轿车", 180_000, None, False, "待核实"),
    ("enforcement", "新能源轿车", 180_000, None, False, "待核实"),
    ("other", "新能源轿车", 180_000, None, False, "待核实"),
]


def seed(apps, schema_editor):
    VehicleStandard = apps.get_model("vehicles", "VehicleStandard")
    Rules = apps.get_model("vehicles", "Rules")
    for category, name, price, engine, default, source in STANDARDS:
        VehicleStandard.objects.create(
            category=category, name=name, max_price=price, max_displacement=engine, is_default=default, source=source
        )
    # 8 years / 250,000 km are [confirm] values (DOMAIN.md); night hours and the long-trip and idle
    # thresholds are the division's choice.
    Rules.objects.create(
        effective_from=datetime.date(2017, 12, 1),
        replacement_years=8,
        replacement_km=250_000,
        night_start=22,
        night_end=6,
        long_trip_km=300,
        idle_days=30,
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name="公务用车：每晚重算月度用车汇总",
        defaults={"task": "vehicles.tasks.nightly_rollup", "crontab": crontab, "args": json.dumps([])},
    )


def unseed(apps, schema_editor):
    apps.get_model("vehicles", "VehicleStandard").objects.all().delete()
    apps.get_model("vehicles", "Rules").objects.all().delete()
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="vehicles.tasks.nightly_rollup").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vehicles", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
