import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bureau", "0007_job_heartbeat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="YearClose",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("version", models.PositiveSmallIntegerField(verbose_name="版本")),
                ("reason", models.TextField(verbose_name="关闭原因")),
                ("closed_at", models.DateTimeField(auto_now_add=True, verbose_name="关闭时间")),
                ("reopen_reason", models.TextField(blank=True, verbose_name="重新开放原因")),
                ("reopened_at", models.DateTimeField(blank=True, null=True, verbose_name="重新开放时间")),
                ("city_units", models.JSONField(default=list, verbose_name="全市单位")),
                (
                    "closed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="关闭人",
                    ),
                ),
                (
                    "reopened_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="重新开放人",
                    ),
                ),
            ],
            options={
                "verbose_name": "年度关账",
                "verbose_name_plural": "年度关账",
                "ordering": ["-year", "-version"],
            },
        ),
        migrations.CreateModel(
            name="MetricSnapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=80, verbose_name="指标")),
                ("month", models.PositiveSmallIntegerField(default=0, verbose_name="月份")),
                ("value", models.FloatField(null=True, verbose_name="数值")),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="bureau.unit",
                    ),
                ),
                (
                    "close",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="figures", to="bureau.yearclose"
                    ),
                ),
            ],
            options={
                "verbose_name": "年度指标快照",
                "verbose_name_plural": "年度指标快照",
            },
        ),
        migrations.AddConstraint(
            model_name="yearclose",
            constraint=models.UniqueConstraint(fields=("year", "version"), name="yearclose_version_once"),
        ),
        migrations.AddIndex(
            model_name="metricsnapshot",
            index=models.Index(fields=["close", "key"], name="snapshot_close_key"),
        ),
    ]
