"""The metric registry: every figure the dashboard, the performance indicators and the annual
workbook show is computed by exactly one registered function.

An app registers its metrics in its `metrics.py`:

    @metric("vehicles.nev_share", "新能源车占比", "%", area="vehicles")
    def nev_share(year, units):
        ...  # `units`: a Unit queryset, the caller's scope; return a number, or None for "no data"

Functions read approved or registry data only, and roll-ups where the raw table is large.

`Metric.compute` is what every reader calls: a closed year's figure comes from its snapshot
(bureau.snapshots), an open year's from the function, kept in the table-stamped cache until a table
it read is written (bureau.tablecache), so it always equals what the function returns now.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from bureau.models import Unit


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit_of_measure: str
    func: object = field(repr=False)
    area: str = ""
    description: str = ""
    # For tiles: is a higher value better (True), worse (False), or neither (None)?
    higher_is_better: bool | None = None
    order: int = 100
    # The city's figure is the sum of its units' (counts, areas, totals; not shares or intensities).
    additive: bool = False
    # `monthly(year, units) -> 12 values`, for trend charts and month/quarter figures (additive only).
    monthly: object = field(default=None, repr=False)
    # The registry model whose list holds the records behind the figure (filtered by ?unit=).
    records: object = field(default=None, repr=False)

    def live(self, year, units):
        """The figure as the records give it now, whatever snapshot there is."""
        return _plain(self.func(year, units))

    def live_months(self, year, units):
        return [_plain(v) for v in self.monthly(year, units)] if self.monthly else None

    def compute(self, year, units):
        from bureau import snapshots

        units = Unit.objects.all() if units is None else units  # None: the whole city
        found = snapshots.frozen(self.key, year, units)
        if found is not snapshots.LIVE:
            return found
        return snapshots.cached(("value", self.key, year), units, lambda: self.live(year, units))

    def months(self, year, units):
        """The monthly series (None without one): frozen for a closed year, like `compute`."""
        from bureau import snapshots

        if self.monthly is None:
            return None
        units = Unit.objects.all() if units is None else units
        found = snapshots.frozen(self.key, year, units, months=True)
        if found is not snapshots.LIVE:
            return found
        return snapshots.cached(("months", self.key, year), units, lambda: self.live_months(year, units))


def _plain(value):
    if isinstance(value, Decimal | float):
        return round(float(value), 4)
    return value


REGISTRY = {}


def metric(
    key,
    label,
    unit_of_measure,
    *,
    area=None,
    description="",
    higher_is_better=None,
    order=100,
    additive=False,
    monthly=None,
    records=None,
):
    if "." not in key:
        raise ValueError(f"metric key {key!r} must be '<app>.<name>'")

    def register(func):
        if key in REGISTRY and REGISTRY[key].func is not func:
            raise ValueError(f"metric {key!r} is registered twice")
        REGISTRY[key] = Metric(
            key,
            str(label),
            unit_of_measure,
            func,
            area or key.split(".")[0],
            str(description),
            higher_is_better,
            order,
            additive,
            monthly,
            records,
        )
        return func

    return register


@dataclass(frozen=True)
class Breakdown:
    """What a figure is made of, for a chart: `func(year, units) -> [(label, value)]`."""

    key: str
    label: str
    unit_of_measure: str
    func: object = field(repr=False)
    area: str = ""
    order: int = 100

    def compute(self, year, units):
        from bureau import snapshots

        return snapshots.cached(
            ("breakdown", self.key, year),
            units,
            lambda: [(str(label), _plain(value)) for label, value in self.func(year, units)],
        )


BREAKDOWNS = {}


def breakdown(key, label, unit_of_measure, *, area=None, order=100):
    def register(func):
        if key in BREAKDOWNS and BREAKDOWNS[key].func is not func:
            raise ValueError(f"breakdown {key!r} is registered twice")
        BREAKDOWNS[key] = Breakdown(key, str(label), unit_of_measure, func, area or key.split(".")[0], order)
        return func

    return register


def all_breakdowns():
    return sorted(BREAKDOWNS.values(), key=lambda b: (b.area, b.order, b.key))


def all_metrics():
    return sorted(REGISTRY.values(), key=lambda m: (m.area, m.order, m.key))


def scope_units(user, unit_id=None):
    """The units a figure covers for this user: their whole scope, or one unit inside it.
    Raises Unit.DoesNotExist for a unit outside the scope (the caller answers 404)."""
    units = Unit.objects.for_user(user, "view")
    if unit_id is not None:
        unit = units.get(pk=unit_id)
        return Unit.objects.filter(pk=unit.pk)
    return units


def value(key, year, units):
    return REGISTRY[key].compute(year, units)


# The core's own figures.


@metric("bureau.units", "在册单位", "个", order=1, additive=True, records="bureau.Unit")
def unit_count(year, units):
    return units.filter(active=True).count()


@metric("bureau.staff", "在册人员", "人", order=2, additive=True, records="bureau.Person")
def staff_count(year, units):
    from bureau.models import Person

    return Person.objects.filter(unit__in=units).count()


@metric("bureau.on_time_rate", "数据填报按时报送率", "%", order=3, higher_is_better=True)
def on_time_rate(year, units):
    """Share of the year's due submissions that were submitted by their deadline."""
    from django.db.models import Count, F, Q

    from bureau.models import Submission

    due = Submission.objects.filter(unit__in=units, deadline__year=year)
    counts = due.aggregate(total=Count("pk"), on_time=Count("pk", filter=Q(submitted_at__date__lte=F("deadline"))))
    return round(100 * counts["on_time"] / counts["total"], 2) if counts["total"] else None


# Targets. A figure's target comes from whoever sets it: the performance app's indicators (the
# plan), or an area's own policy rows (energy's 十四五 targets, offices' idle-property target). Each
# registers a source; the dashboard, drill-down and indicators ask `target_for` and `judge`.


@dataclass(frozen=True)
class Target:
    comparison: str  # "ge" ≥, "le" ≤, "eq" =, "decrease" (down by `value` % against `base`)
    value: float
    label: str = ""  # where the target comes from, e.g. "2022年工作计划 二.2"
    base: float | None = None  # the base-year figure, for "decrease"


TARGET_SOURCES = []


def target_source(func=None, *, plan=False):
    """Register `func(key, year) -> Target | None`; the first source that answers wins. The year's
    plan (`plan=True`, the performance app's indicators) is asked before the areas' standing rules."""

    def register(func):
        if plan:
            TARGET_SOURCES.insert(0, func)
        else:
            TARGET_SOURCES.append(func)
        return func

    return register(func) if func else register


def target_for(key, year):
    for source in TARGET_SOURCES:
        found = source(key, year)
        if found is not None:
            return found
    return None


def met(target, value):
    if value is None or target is None:
        return None
    if target.comparison == "ge":
        return value >= target.value
    if target.comparison == "le":
        return value <= target.value
    if target.comparison == "eq":
        return abs(value - target.value) < 1e-9
    if target.comparison == "decrease":
        if not target.base:
            return None
        return 100 * (target.base - value) / target.base >= target.value
    raise ValueError(f"unknown comparison {target.comparison!r}")


def judge(target, value, year, today=None):
    """green: met; yellow: not met yet while the year still runs; red: not met once it is over.
    None when there is no target or no value."""
    import datetime

    ok = met(target, value)
    if ok is None:
        return None
    if ok:
        return "green"
    today = today or datetime.date.today()
    return "yellow" if today.year <= year else "red"
