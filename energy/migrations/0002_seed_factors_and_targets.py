"""The factor sets and targets of DOMAIN.md "Energy and carbon", as data an administrator edits.
Values marked 待确认 could not be checked against the official text."""

from decimal import Decimal as D

from django.db import migrations

GB2589 = "GB/T 2589-2020《综合能耗计算通则》附录 A"
TBC = "（待确认）"
GRID = "生态环境部、国家统计局 全国电力平均二氧化碳排放因子"

# item: (kgce per basis unit, source, density kg/L, density source)
COAL = {
    "electricity": (D("0.1229"), GB2589 + " 电力当量值 kgce/kWh", None, ""),
    "coal": (D("0.7143"), GB2589 + " 原煤 kgce/kg", None, ""),
    "natural_gas": (D("1.2143"), GB2589 + " 气田天然气 kgce/m³（范围 1.1000–1.3300）" + TBC, None, ""),
    "lpg": (D("1.7143"), GB2589 + " 液化石油气 kgce/kg", None, ""),
    "town_gas": (None, "人工煤气折标系数未收录，请管理员按当地气源补充", None, ""),
    "gasoline": (D("1.4714"), GB2589 + " 汽油 kgce/kg", D("0.73"), "汽油密度约 0.73 kg/L" + TBC),
    "diesel": (D("1.4571"), GB2589 + " 柴油 kgce/kg", D("0.84"), "柴油密度约 0.84 kg/L" + TBC),
    "kerosene": (D("1.4714"), GB2589 + " 煤油 kgce/kg；密度未收录，按升报送前请补充", None, ""),
    "heat": (D("0.03412"), GB2589 + " 热力 kgce/MJ", None, ""),
    "other": (D("1"), "其他能源已按 tce 报送，1 kgce/kgce", None, ""),
}
# item: (kg CO₂ per basis unit, source); electricity comes from the set's year.
CO2 = {
    "gasoline": (D("2.925"), "汽油 2.925 tCO₂/t" + TBC),
    "diesel": (D("3.096"), "柴油 3.096 tCO₂/t" + TBC),
    "natural_gas": (D("2.162"), "天然气 2.162 kgCO₂/m³" + TBC),
    "lpg": (D("3.101"), "液化石油气 3.101 tCO₂/t" + TBC),
    "heat": (D("0.11"), "热力 0.11 tCO₂/GJ" + TBC),
}
SETS = [
    # (name, year, active, grid kgCO₂/kWh, source)
    ("2021 年度系数", 2021, True, D("0.5568"), GRID + " 2021 年 0.5568 kgCO₂/kWh"),
    ("2022 年度系数", 2022, True, D("0.5366"), GRID + " 2022 年 0.5366 kgCO₂/kWh"),
    ("2023 年度系数", 2023, True, D("0.5306"), GRID + " 2023 年 0.5306 kgCO₂/kWh"),
    ("2022 年度系数（碳市场电网因子）", 2022, False, D("0.5703"), "全国碳市场 2022 年度电网排放因子 0.5703 tCO₂/MWh"),
]
TARGET_SOURCE = "国管节能〔2021〕195号《“十四五”公共机构节约能源资源工作规划》"
TARGETS = [
    ("kgce_per_m2", 2020, 2025, D("-0.05")),
    ("kgce_per_person", 2020, 2025, D("-0.06")),
    ("water_per_person", 2020, 2025, D("-0.06")),
    ("co2_per_m2", 2020, 2025, D("-0.07")),
    ("conservation_share", 2020, 2025, D("0.80")),
]


def seed(apps, schema_editor):
    FactorSet = apps.get_model("energy", "FactorSet")
    Factor = apps.get_model("energy", "Factor")
    Target = apps.get_model("energy", "Target")
    for name, year, active, grid, grid_source in SETS:
        fs = FactorSet.objects.create(
            name=name,
            year=year,
            active=active,
            source=f"{GB2589}；{grid_source}；燃料排放系数见各行来源。",
        )
        factors = []
        for item, (coal, coal_source, density, density_source) in COAL.items():
            co2, co2_source = (grid, grid_source) if item == "electricity" else CO2.get(item, (None, "未收录排放系数"))
            sources = "；".join(s for s in (coal_source, co2_source, density_source) if s)
            factors.append(Factor(factor_set=fs, item=item, coal=coal, co2=co2, density=density, source=sources[:200]))
        Factor.objects.bulk_create(factors)
    Target.objects.bulk_create(
        Target(key=key, base_year=base, target_year=target, value=value, source=TARGET_SOURCE)
        for key, base, target, value in TARGETS
    )


def unseed(apps, schema_editor):
    apps.get_model("energy", "Target").objects.all().delete()
    apps.get_model("energy", "FactorSet").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("energy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
