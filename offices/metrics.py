from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from bureau import metrics
from bureau.metrics import breakdown, metric, target_source
from offices import overstandard
from offices.choices import REVIEWED_STATES, BuildingStatus, RoomCategory, TitleState
from offices.models import Building, Policy, RepairProject, Revitalisation, Room


def _rooms(units):
    return Room.objects.filter(unit__in=units)


@metric("offices.office_area", "办公室用房面积", "m²", order=10, additive=True, records="offices.Room")
def office_area(year, units):
    return _rooms(units).filter(category=RoomCategory.OFFICE).aggregate(a=Sum("usable_area"))["a"] or Decimal("0")


@metric(
    "offices.over_standard_rooms",
    "超标准办公室",
    "间",
    higher_is_better=False,
    order=20,
    additive=True,
    records="offices.Room",
)
def over_standard_rooms(year, units):
    return overstandard.totals(_rooms(units), overstandard.limits_on(overstandard.year_end(year)))["rooms"]


@metric(
    "offices.over_standard_area",
    "超标准面积",
    "m²",
    higher_is_better=False,
    order=30,
    additive=True,
    records="offices.Room",
)
def over_standard_area(year, units):
    return overstandard.totals(_rooms(units), overstandard.limits_on(overstandard.year_end(year)))["area"]


@metric(
    "offices.title_registered_share",
    "权属统一登记率",
    "0-1",
    higher_is_better=True,
    order=40,
    records="offices.Building",
)
def title_registered_share(year, units):
    found = (
        Building.objects.filter(unit__in=units)
        .exclude(status=BuildingStatus.DISPOSED)
        .aggregate(total=Count("pk"), done=Count("pk", filter=Q(title_state=TitleState.REGISTERED)))
    )
    return found["done"] / found["total"] if found["total"] else None


@metric("offices.repair_cut_rate", "大中修概算核减率", "0-1", order=50, records="offices.RepairProject")
def repair_cut_rate(year, units):
    """Total cut / total requested of the year's reviewed projects (DOMAIN.md "Repairs")."""
    found = RepairProject.objects.filter(year=year, unit__in=units, state__in=REVIEWED_STATES).aggregate(
        requested=Sum("requested_amount"), cut=Sum(F("requested_amount") - F("approved_amount"))
    )
    return found["cut"] / found["requested"] if found["requested"] else None


@metric(
    "offices.idle_revitalised_area",
    "闲置房产盘活面积",
    "m²",
    higher_is_better=True,
    order=60,
    additive=True,
    records="offices.Revitalisation",
)
def idle_revitalised_area(year, units):
    """Area handed over in the year (by start date); the plan's target is Policy.idle_target_area."""
    found = Revitalisation.objects.filter(start__year=year, building__unit__in=units).aggregate(
        a=Sum("revitalised_area")
    )
    return found["a"] or Decimal("0")


@target_source
def idle_target(key, year):
    if key != "offices.idle_revitalised_area":
        return None
    policy = Policy.for_year(year)
    if policy is None or policy.idle_target_area is None:
        return None
    return metrics.Target("ge", float(policy.idle_target_area), f"{policy.year}年工作计划 闲置房产盘活目标")


@breakdown("offices.area_by_category", "用房面积按类别", "m²", order=10)
def area_by_category(year, units):
    areas = dict(_rooms(units).values_list("category").annotate(a=Sum("usable_area")).order_by())
    return [(label, areas[value]) for value, label in RoomCategory.choices if areas.get(value)]
