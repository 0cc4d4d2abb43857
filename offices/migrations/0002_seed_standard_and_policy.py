"""The 2014 municipal table of per-person office-room limits (发改投资〔2014〕2674号, usable m²,
DOMAIN.md "Office space") and the 2022 plan's figures. Both are data an administrator edits."""

import datetime
from decimal import Decimal

from django.db import migrations

MUNICIPAL_2014 = {
    "city_head": Decimal("42"),
    "city_deputy": Decimal("30"),
    "bureau_head": Decimal("24"),
    "bureau_deputy": Decimal("18"),
    "below_bureau": Decimal("9"),
}


def seed(apps, schema_editor):
    Standard = apps.get_model("offices", "Standard")
    RankLimit = apps.get_model("offices", "RankLimit")
    Policy = apps.get_model("offices", "Policy")
    standard = Standard.objects.create(
        name="党政机关办公用房建设标准（市级）",
        document="发改投资〔2014〕2674号",
        level="市级",
        # The table's issue date as commonly cited; an administrator may correct it.
        effective_from=datetime.date(2014, 11, 17),
    )
    RankLimit.objects.bulk_create(RankLimit(standard=standard, rank=r, limit_area=a) for r, a in MUNICIPAL_2014.items())
    # 2022 work plan 二.1: revitalise at least 5,000 m² of idle property. The turnover-housing
    # eligibility (years since joining) awaits the city's own rules: 5 is a placeholder to confirm.
    Policy.objects.create(year=2022, idle_target_area=Decimal("5000"), turnover_eligible_years=5)


def unseed(apps, schema_editor):
    apps.get_model("offices", "Standard").objects.filter(document="发改投资〔2014〕2674号").delete()
    apps.get_model("offices", "Policy").objects.filter(year=2022).delete()


class Migration(migrations.Migration):
    dependencies = [("offices", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
