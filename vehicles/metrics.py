"""公务用车 figures. Trip figures read the monthly roll-ups (UnitMonthlyUsage), never the trips."""

import datetime

from django.db.models import Count, Q, Sum

from bureau import metrics
from bureau.metrics import breakdown, metric, target_source
from vehicles import queries
from vehicles.choices import Category, EnergyType
from vehicles.models import Quota, Rules, UnitMonthlyUsage, Vehicle


@metric("vehicles.fleet_size", "公务用车总数", "辆", order=10, additive=True, records="vehicles.Vehicle")
def fleet_size(year, units):
    return queries.fleet(year, units).count()


@metric("vehicles.nev_share", "新能源车占比", "%", higher_is_better=True, order=20, records="vehicles.Vehicle")
def nev_share(year, units):
    counts = queries.nev_counts(queries.fleet(year, units))
    return queries.share(counts["nev"], counts["total"])


@metric(
    "vehicles.nev_share_of_purchases",
    "新购车辆新能源占比",
    "%",
    description="当年新购、更新车辆中新能源车的比例；不低于 30%（国管资〔2024〕197号）。",
    higher_is_better=True,
    order=30,
    records="vehicles.Vehicle",
)
def nev_share_of_purchases(year, units):
    counts = queries.nev_counts(Vehicle.objects.filter(unit__in=units, purchase_date__year=year))
    return queries.share(counts["nev"], counts["total"])


@metric("vehicles.quota_utilisation", "编制使用率", "%", order=40, records="vehicles.Quota")
def quota_utilisation(year, units):
    approved = sum(Quota.in_effect(units, queries.year_end(year)).values())
    return queries.share(queries.fleet(year, units).count(), approved)


@metric("vehicles.platform_coverage", "平台接入率", "%", higher_is_better=True, order=50, records="vehicles.Vehicle")
def platform_coverage(year, units):
    counts = queries.fleet(year, units).aggregate(total=Count("pk"), on=Count("pk", filter=~Q(device_id="")))
    return queries.share(counts["on"], counts["total"])


@metric(
    "vehicles.support_rate",
    "执法执勤用车保障率",
    "%",
    higher_is_better=True,
    order=60,
    records="vehicles.SupportRequest",
)
def support_rate(year, units):
    counts = queries.support_counts(year, units)
    return queries.share(counts["fulfilled"], counts["requested"])


@metric(
    "vehicles.marking_compliance", "标识喷涂合格率", "%", higher_is_better=True, order=70, records="vehicles.Inspection"
)
def marking_compliance(year, units):
    counts = queries.marking_counts(year, units)
    return queries.share(counts["compliant"], counts["checked"])


def _monthly(year, units, field):
    """The year's 12 monthly sums of one roll-up column."""
    rows = (
        UnitMonthlyUsage.objects.filter(unit__in=units, month__year=year)
        .values("month")
        .annotate(s=Sum(field))
        .values_list("month", "s")
    )
    found = {month.month: value for month, value in rows}
    return [found.get(m, 0) for m in range(1, 13)]


def trip_km_monthly(year, units):
    return _monthly(year, units, "km")


def anomalous_monthly(year, units):
    return _monthly(year, units, "anomalous")


@metric(
    "vehicles.trip_km",
    "公务用车行驶里程",
    "公里",
    order=80,
    additive=True,
    monthly=trip_km_monthly,
    records="vehicles.Trip",
)
def trip_km(year, units):
    return UnitMonthlyUsage.objects.filter(unit__in=units, month__year=year).aggregate(km=Sum("km"))["km"] or 0


@metric(
    "vehicles.anomalous_trips",
    "异常行程数",
    "次",
    higher_is_better=False,
    order=90,
    additive=True,
    monthly=anomalous_monthly,
    records="vehicles.Trip",
)
def anomalous_trips(year, units):
    return UnitMonthlyUsage.objects.filter(unit__in=units, month__year=year).aggregate(n=Sum("anomalous"))["n"] or 0


@target_source
def nev_purchase_target(key, year):
    if key != "vehicles.nev_share_of_purchases":
        return None
    rules = Rules.objects.filter(effective_from__lte=datetime.date(year, 12, 31)).order_by("-effective_from").first()
    if rules is None:
        return None
    return metrics.Target("ge", float(rules.nev_purchase_share), "用车规则参数 新购车辆新能源占比目标")


def _fleet_by(year, units, field, choices):
    counts = dict(queries.fleet(year, units).values_list(field).annotate(n=Count("pk")).order_by())
    return [(label, counts[value]) for value, label in choices if counts.get(value)]


@breakdown("vehicles.fleet_by_category", "公务用车按类别", "辆", order=10)
def fleet_by_category(year, units):
    return _fleet_by(year, units, "category", Category.choices)


@breakdown("vehicles.fleet_by_energy", "公务用车按能源类型", "辆", order=20)
def fleet_by_energy(year, units):
    return _fleet_by(year, units, "energy_type", EnergyType.choices)
