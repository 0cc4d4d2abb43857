"""Energy figures for the dashboard, indicators and workbook. All read the monthly roll-ups (at
most 12 rows per unit and year) and the base data, never the consumption rows."""

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau import metrics
from bureau.choices import SubmissionState, UnitKind
from bureau.metrics import REGISTRY, breakdown, metric, target_source
from bureau.models import Submission, Unit
from energy import figures
from energy.choices import CreationState, Item, TargetKey
from energy.models import ConservationOrgan, Consumption, MonthlyRollup, Profile, Target
from energy.requests import CONSUMPTION

REPORTED = (SubmissionState.SUBMITTED, SubmissionState.RESUBMITTED, SubmissionState.APPROVED)


def _total(year, units, field):
    return MonthlyRollup.objects.filter(year=year, unit__in=units).aggregate(s=Sum(field))["s"]


def _intensity(year, units, numerator, denominator):
    """Σ numerator / Σ denominator over the units that report both (as figures.intensity does per
    unit), in one aggregate query: each unit's base data with the sum of its roll-ups."""
    per_unit = (
        MonthlyRollup.objects.filter(year=year, unit=OuterRef("unit"))
        .order_by()
        .values("unit")
        .annotate(s=Sum(numerator))
        .values("s")
    )
    # The condition sits in the outer aggregate so that each unit's sum is computed once.
    sums = (
        Profile.objects.filter(year=year, unit__in=units, **{f"{denominator}__gt": 0})
        .annotate(n=Subquery(per_unit))
        .aggregate(num=Sum("n"), den=Sum(Case(When(n__gt=0, then=F(denominator)))))
    )
    return sums["num"] / sums["den"] if sums["den"] else None


def _monthly(year, units, field):
    rows = (
        MonthlyRollup.objects.filter(year=year, unit__in=units)
        .values("month")
        .annotate(s=Sum(field))
        .values_list("month", "s")
    )
    found = dict(rows)
    return [found[m] / 1000 if found.get(m) is not None else None for m in range(1, 13)]


def tce_monthly(year, units):
    return _monthly(year, units, "kgce")


def co2_monthly(year, units):
    return _monthly(year, units, "co2_kg")


@metric("energy.tce", _("综合能耗"), "tce", order=10, additive=True, monthly=tce_monthly, records="energy.Consumption")
def tce(year, units):
    kgce = _total(year, units, "kgce")
    return kgce / 1000 if kgce is not None else None


@metric(
    "energy.co2_t",
    _("二氧化碳排放"),
    "tCO₂",
    order=20,
    additive=True,
    monthly=co2_monthly,
    records="energy.Consumption",
)
def co2_t(year, units):
    kg = _total(year, units, "co2_kg")
    return kg / 1000 if kg is not None else None


@metric(
    "energy.tce_per_m2", _("单位建筑面积能耗"), "kgce/m²", higher_is_better=False, order=30, records="energy.Profile"
)
def tce_per_m2(year, units):
    return _intensity(year, units, "kgce", "floor_area")


@metric(
    "energy.tce_per_person", _("人均综合能耗"), "kgce/人", higher_is_better=False, order=40, records="energy.Profile"
)
def tce_per_person(year, units):
    return _intensity(year, units, "kgce", "people")


@metric("energy.water_per_person", _("人均用水量"), "m³/人", higher_is_better=False, order=50, records="energy.Profile")
def water_per_person(year, units):
    return _intensity(year, units, "water_t", "people")


@metric("energy.co2_yoy", _("碳排放同比变化"), "0-1", higher_is_better=False, order=60)
def co2_yoy(year, units):
    return figures.change(_total(year, units, "co2_kg"), _total(year - 1, units, "co2_kg"))


@metric(
    "energy.submission_completeness",
    _("能耗统计报送率"),
    "0-1",
    higher_is_better=True,
    order=70,
    description=_("本年度能源资源消费统计填报中，已报送（含已通过）的份数 ÷ 已到截止日期或已报送的份数。"),
)
def submission_completeness(year, units):
    due = Submission.objects.filter(request__kind=CONSUMPTION.key, request__year=year, unit__in=units)
    reported = Q(state__in=REPORTED)
    counts = due.filter(reported | Q(deadline__lt=timezone.localdate())).aggregate(
        expected=Count("id"), done=Count("id", filter=reported)
    )
    return counts["done"] / counts["expected"] if counts["expected"] else None


@metric(
    "energy.conservation_organ_share",
    _("节约型机关创建比例"),
    "0-1",
    higher_is_better=True,
    order=80,
    records="energy.ConservationOrgan",
)
def conservation_organ_share(year, units):
    """Organs (事业单位 excluded) that reached the standard in or before `year`, over all organs."""
    organs = units.filter(active=True).exclude(kind=UnitKind.INSTITUTION)
    total = organs.count()
    if not total:
        return None
    created = (
        ConservationOrgan.objects.filter(unit__in=organs, year__lte=year, state=CreationState.CREATED)
        .values("unit_id")
        .distinct()
        .count()
    )
    return created / total


# The 十四五 targets (Target rows): intensities fall by a percentage against their base year, the
# 节约型机关 share reaches a level. A year before the target year is judged against it already.
TARGETED = {
    "energy.tce_per_m2": TargetKey.KGCE_PER_M2,
    "energy.tce_per_person": TargetKey.KGCE_PER_PERSON,
    "energy.water_per_person": TargetKey.WATER_PER_PERSON,
    "energy.conservation_organ_share": TargetKey.CONSERVATION_SHARE,
}


@target_source
def plan_target(key, year):
    target_key = TARGETED.get(key)
    if target_key is None:
        return None
    row = Target.objects.filter(key=target_key, target_year__gte=year).order_by("target_year").first()
    if row is None:
        return None
    label = f"{row.source}（{row.target_year}年）"
    if target_key == TargetKey.CONSERVATION_SHARE:
        return metrics.Target("ge", float(row.value), label)
    base = REGISTRY[key].compute(row.base_year, Unit.objects.all())
    return metrics.Target("decrease", -100 * float(row.value), label, base)


@breakdown("energy.tce_by_item", _("综合能耗按能源品种"), "tce", order=10)
def tce_by_item(year, units):
    kgce = dict(
        Consumption.objects.filter(year=year, unit__in=units).values_list("item").annotate(s=Sum("kgce")).order_by()
    )
    return [(label, kgce[value] / 1000) for value, label in Item.choices if kgce.get(value)]
