"""The figures page and the city summary sheet: a year's totals and intensities for a scope,
year-on-year, against the 十四五 base year and targets, by month and by unit."""

from decimal import Decimal

from django.db.models import Sum

from energy import figures
from energy.choices import TargetKey
from energy.metrics import conservation_organ_share
from energy.models import MonthlyRollup, Target

# The page lists the most energy-intensive units; every unit is in the summary sheet.
TOP_UNITS = 50
MONTH_FIELDS = ("kgce", "co2_kg", "water_t", "electricity_kwh", "cost")


def totals(results):
    total = figures.UnitYear()
    for r in results:
        total.add(r)
    return total


def targets_progress(year, units, current):
    """Per target: base-year value, this year's, the change so far and the change aimed at."""
    rows = []
    targets = {t.key: t for t in Target.objects.filter(target_year__gte=year).order_by("-target_year")}
    base_cache = {}
    for key, _n, _d in figures.INTENSITIES:
        target = targets.get(key)
        if target is None:
            continue
        if target.base_year not in base_cache:
            base_cache[target.base_year] = figures.intensities(figures.by_unit(target.base_year, units).values())
        base = base_cache[target.base_year][key]
        now = current[key]
        progress = figures.change(now, base)
        rows.append(
            {
                "share": False,
                "label": TargetKey(key).label,
                "base_year": target.base_year,
                "base": base,
                "value": now,
                "change": progress,
                "target": target.value,
                "target_year": target.target_year,
                "on_track": progress is not None and progress <= target.value,
            }
        )
    share = targets.get(TargetKey.CONSERVATION_SHARE)
    if share is not None:
        value = conservation_organ_share(year, units)
        rows.append(
            {
                "share": True,
                "label": TargetKey.CONSERVATION_SHARE.label,
                "base_year": None,
                "base": None,
                "value": value,
                "change": None,
                "target": share.value,
                "target_year": share.target_year,
                "on_track": value is not None and value >= share.value,
            }
        )
    return rows


def by_month(year, units):
    sums = (
        MonthlyRollup.objects.filter(year__in=(year, year - 1), unit__in=units)
        .order_by()
        .values("year", "month")
        .annotate(**{f: Sum(f) for f in MONTH_FIELDS})
    )
    table = {(s["year"], s["month"]): s for s in sums}
    rows = []
    for m in range(1, 13):
        now, then = table.get((year, m), {}), table.get((year - 1, m), {})
        rows.append(
            {
                "month": m,
                **{f: now.get(f) for f in MONTH_FIELDS},
                "kgce_yoy": figures.change(now.get("kgce"), then.get("kgce")),
            }
        )
    return rows


def build(year, units):
    current, previous = figures.by_unit(year, units), figures.by_unit(year - 1, units)
    now, then = figures.intensities(current.values()), figures.intensities(previous.values())
    total, total_before = totals(current.values()), totals(previous.values())
    names = dict(units.filter(pk__in=current.keys()).values_list("pk", "name"))
    unit_rows = sorted(
        (
            {
                "id": unit_id,
                "name": names.get(unit_id, ""),
                "r": r,
                "yoy": figures.change(r.kgce, previous[unit_id].kgce) if unit_id in previous else None,
            }
            for unit_id, r in current.items()
        ),
        key=lambda row: (-(row["r"].kgce_per_m2 or 0), row["name"]),
    )
    return {
        "total": total,
        "intensity": now,
        "yoy": {
            "tce": figures.change(total.kgce, total_before.kgce),
            "co2": figures.change(total.co2_kg, total_before.co2_kg),
            **{key: figures.change(now[key], then[key]) for key in now},
        },
        "targets": targets_progress(year, units, now),
        "months": by_month(year, units),
        "units": unit_rows,
        "top_units": unit_rows[:TOP_UNITS],
        "thousand": Decimal(1000),
    }
