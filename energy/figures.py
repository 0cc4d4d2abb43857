"""The arithmetic of the statistics: a row's standard coal and CO₂ from its factor set, the monthly
roll-ups the metrics read, the explicit recompute, and the per-unit annual figures."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from bureau import audit
from bureau.choices import AuditAction
from energy.choices import ENERGY_ITEMS, LITRE, Item, official_unit

THOUSANDTH = Decimal("0.001")

# How many factor-basis units one official unit holds: GB/T 2589 states coal per kg and heat per MJ,
# so 1 t = 1,000 kg, 1 GJ = 1,000 MJ, 1 tce = 1,000 kgce. Exact conversions, hence code, not data.
BASIS = {
    Item.ELECTRICITY: ("kWh", 1),
    Item.COAL: ("kg", 1000),
    Item.NATURAL_GAS: ("m³", 1),
    Item.LPG: ("kg", 1),
    Item.TOWN_GAS: ("m³", 1),
    Item.GASOLINE: ("kg", 1),
    Item.DIESEL: ("kg", 1),
    Item.KEROSENE: ("kg", 1),
    Item.HEAT: ("MJ", 1000),
    Item.OTHER: ("kgce", 1000),
}


class MissingDensity(ValueError):
    pass


def basis_quantity(item, quantity, measure, factor):
    """The quantity in the factor's basis unit; litres of fuel become kg through the set's density."""
    quantity = Decimal(quantity)
    if measure == LITRE:
        if factor is None or factor.density is None:
            raise MissingDensity(_("系数集中没有%(item)s的密度，不能把升换算为千克。") % {"item": Item(item).label})
        return quantity * factor.density
    return quantity * BASIS[item][1]


def compute(item, quantity, measure, factor):
    """(kgce, kg CO₂) of one quantity; items outside 综合能耗 and missing coefficients give 0."""
    if item not in ENERGY_ITEMS or factor is None:
        return Decimal(0), Decimal(0)
    base = basis_quantity(item, quantity, measure or official_unit(item), factor)
    kgce = (base * factor.coal).quantize(THOUSANDTH) if factor.coal is not None else Decimal(0)
    co2 = (base * factor.co2).quantize(THOUSANDTH) if factor.co2 is not None else Decimal(0)
    return kgce, co2


def factors_of(factor_set):
    return {f.item: f for f in factor_set.factors.all()} if factor_set is not None else {}


def compute_row(row, factor_set=None, factors=None):
    """Fill a Consumption's kgce, co2_kg and factor_set. A row keeps the set it was computed with
    unless a set is passed (the explicit recompute); a new row takes its year's set."""
    from energy.models import FactorSet

    if factor_set is None:
        factor_set = row.factor_set if row.factor_set_id else FactorSet.for_year(row.year)
    if factors is None:
        factors = factors_of(factor_set)
    row.factor_set = factor_set
    row.kgce, row.co2_kg = compute(row.item, row.quantity, row.measure, factors.get(row.item))
    return row


@transaction.atomic
def rebuild_rollups(year, unit_ids=None):
    """Replace the monthly roll-ups of `year` (for `unit_ids`, or every unit) from Consumption."""
    from energy.models import Consumption, MonthlyRollup

    rows = Consumption.objects.filter(year=year)
    old = MonthlyRollup.objects.filter(year=year)
    if unit_ids is not None:
        rows, old = rows.filter(unit_id__in=unit_ids), old.filter(unit_id__in=unit_ids)
    sums = (
        rows.order_by()
        .values("unit_id", "month")
        .annotate(
            s_kgce=Sum("kgce"),
            s_co2=Sum("co2_kg"),
            s_water=Sum("quantity", filter=Q(item=Item.WATER)),
            s_kwh=Sum("quantity", filter=Q(item=Item.ELECTRICITY)),
            s_cost=Sum("cost"),
            fs=Max("factor_set_id"),
        )
    )
    old.delete()
    MonthlyRollup.objects.bulk_create(
        [
            MonthlyRollup(
                unit_id=s["unit_id"],
                year=year,
                month=s["month"],
                kgce=s["s_kgce"] or 0,
                co2_kg=s["s_co2"] or 0,
                water_t=s["s_water"] or 0,
                electricity_kwh=s["s_kwh"] or 0,
                cost=s["s_cost"] or 0,
                factor_set_id=s["fs"],
            )
            for s in sums
        ],
        batch_size=5000,
    )


@transaction.atomic
def recompute(year, factor_set, unit_ids=None):
    """The explicit, logged recompute of a year's approved figures with `factor_set`: rows are
    updated (each change audited) and the roll-ups rebuilt. Returns the number of rows changed."""
    from energy.models import Consumption

    factors = factors_of(factor_set)
    rows = Consumption.objects.filter(year=year).select_for_update()
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    changed = []
    for row in rows.iterator(chunk_size=2000):
        before = (row.kgce, row.co2_kg, row.factor_set_id)
        compute_row(row, factor_set, factors)
        if (row.kgce, row.co2_kg, row.factor_set_id) != before:
            changed.append(row)
    Consumption.objects.bulk_update(changed, ["kgce", "co2_kg", "factor_set"], batch_size=2000)
    rebuild_rollups(year, unit_ids)
    audit.record(
        AuditAction.ACTION,
        model=type(factor_set),
        object_id=str(factor_set.pk),
        object_repr=_("按“%(set)s”重新计算 %(year)s 年能耗") % {"set": factor_set, "year": year},
        changes={"year": year, "factor_set": factor_set.pk, "rows": len(changed), "units": unit_ids and len(unit_ids)},
    )
    return len(changed)


class UnitYear:
    """One unit's (or the whole scope's) figures for a year, from roll-ups and base data."""

    __slots__ = ("co2_kg", "cost", "electricity_kwh", "floor_area", "kgce", "people", "water_t")

    def __init__(self):
        self.kgce = self.co2_kg = self.water_t = self.electricity_kwh = self.cost = Decimal(0)
        self.floor_area = Decimal(0)
        self.people = 0

    def add(self, other):
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def tce(self):
        return self.kgce / 1000

    @property
    def co2_t(self):
        return self.co2_kg / 1000

    @property
    def kgce_per_m2(self):
        return self.kgce / self.floor_area if self.floor_area else None

    @property
    def kgce_per_person(self):
        return self.kgce / self.people if self.people else None

    @property
    def water_per_person(self):
        return self.water_t / self.people if self.people else None

    @property
    def co2_per_m2(self):
        return self.co2_kg / self.floor_area if self.floor_area else None


def by_unit(year, units):
    """{unit_id: UnitYear} for the units of `units` with data or base data in `year`: two queries."""
    from energy.models import MonthlyRollup, Profile

    result = defaultdict(UnitYear)
    sums = (
        MonthlyRollup.objects.filter(year=year, unit__in=units)
        .order_by()
        .values("unit_id")
        .annotate(
            s_kgce=Sum("kgce"),
            s_co2=Sum("co2_kg"),
            s_water=Sum("water_t"),
            s_kwh=Sum("electricity_kwh"),
            s_cost=Sum("cost"),
        )
    )
    for s in sums:
        r = result[s["unit_id"]]
        r.kgce, r.co2_kg, r.water_t, r.electricity_kwh, r.cost = (
            s["s_kgce"],
            s["s_co2"],
            s["s_water"],
            s["s_kwh"],
            s["s_cost"],
        )
    for unit_id, area, people in Profile.objects.filter(year=year, unit__in=units).values_list(
        "unit_id", "floor_area", "people"
    ):
        result[unit_id].floor_area, result[unit_id].people = area, people
    return dict(result)


def intensity(results, numerator, denominator):
    """Σ numerator / Σ denominator over the UnitYears that have both, so a unit without base data
    (or without consumption) neither inflates nor dilutes the scope's figure."""
    num = den = 0
    for r in results:
        n, d = getattr(r, numerator), getattr(r, denominator)
        if n and d:
            num, den = num + n, den + d
    return num / den if den else None


INTENSITIES = (
    ("kgce_per_m2", "kgce", "floor_area"),
    ("kgce_per_person", "kgce", "people"),
    ("water_per_person", "water_t", "people"),
    ("co2_per_m2", "co2_kg", "floor_area"),
)


def intensities(results):
    results = list(results)
    return {key: intensity(results, n, d) for key, n, d in INTENSITIES}


def change(current, previous):
    """Fractional year-on-year change, None when either side is missing or the base is zero."""
    if current is None or previous in (None, 0):
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous)
