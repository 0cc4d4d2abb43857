"""The request kind "energy.consumption": an institution's monthly consumption of every item of
the statistics system, filled in a form or by the Excel template, checked, reviewed and approved."""

import re
from collections import Counter
from decimal import Decimal

from django import forms
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bureau.requests import Flag, RequestKind, RowForm, register
from energy import figures, verification
from energy.choices import Item, accepted_units, official_unit

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>\d{2})))?$")


def period_months(period):
    """(year, months) of a submission period: "2022", "2022-Q1" or "2022-03"."""
    match = PERIOD.match(str(period or ""))
    if not match:
        raise ValueError(f"unknown period {period!r}")
    year = int(match["year"])
    if match["quarter"]:
        first = (int(match["quarter"]) - 1) * 3 + 1
        return year, list(range(first, first + 3))
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"unknown period {period!r}")
        return year, [month]
    return year, list(range(1, 13))


class ConsumptionRow(RowForm):
    month = forms.IntegerField(
        label=_lazy("月份"),
        min_value=1,
        max_value=12,
        help_text=_lazy("1–12，须在本次填报的期间内。"),
        error_messages={"min_value": _lazy("月份须为 1–12。"), "max_value": _lazy("月份须为 1–12。")},
    )
    item = forms.ChoiceField(
        label=_lazy("品种"),
        choices=Item.choices,
        help_text=_lazy("电、水、煤炭、天然气、液化石油气、人工煤气、汽油、柴油、煤油、热力、其他能源、光伏发电。"),
        error_messages={"invalid_choice": _lazy("未知品种“%(value)s”，请按模板中的品种填写。")},
    )
    quantity = forms.DecimalField(
        label=_lazy("实物量"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=3,
        help_text=_lazy("按计量单位填写的消费量，不能为负数；未使用的品种留空。"),
        error_messages={"min_value": _lazy("实物量不能为负数。")},
    )
    measure = forms.CharField(
        label=_lazy("计量单位"),
        required=False,
        max_length=10,
        help_text=_lazy("留空按法定单位；汽油、柴油、煤油可填 L 或 kg，水可填 t 或 m³。"),
    )
    cost = forms.DecimalField(
        label=_lazy("金额（元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={"min_value": _lazy("金额不能为负数。")},
    )

    def clean_item(self):
        return Item(self.cleaned_data["item"])

    def clean_month(self):
        month = self.cleaned_data["month"]
        if self.submission is not None:
            _year, months = period_months(self.submission.period)
            if month not in months:
                raise forms.ValidationError(
                    _("%(month)s 月不在本次填报期间 %(period)s 内。")
                    % {"month": month, "period": self.submission.period}
                )
        return month

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item:
            measure = (data.get("measure") or "").strip() or official_unit(item)
            if measure not in accepted_units(item):
                self.add_error(
                    "measure",
                    _("%(item)s的计量单位只能是 %(units)s。")
                    % {"item": item.label, "units": "、".join(accepted_units(item))},
                )
            data["measure"] = measure
        data["cost"] = data.get("cost") or Decimal(0)
        return data

    @staticmethod
    def clean_rows(submission, rows):
        """Across rows (bureau.workflow): a month and item given twice, as (row, field label, message)."""
        label = str(ConsumptionRow.base_fields["item"].label)
        return [(row, label, message) for row, _field, message in duplicate_errors(rows)]


def filled(rows):
    """The template lists every item of every month; the ones left empty were not used."""
    return [r for r in rows if r["quantity"] is not None]


def duplicate_errors(rows):
    """The rows repeating a month and item already given above: [(row, field, message)], 1-based."""
    seen = Counter()
    errors = []
    for i, row in enumerate(rows, 1):
        if row["quantity"] is None:
            continue
        key = (row["month"], row["item"])
        seen[key] += 1
        if seen[key] > 1:
            errors.append(
                (i, "item", _("%(month)s 月的%(item)s重复填报。") % {"month": key[0], "item": Item(key[1]).label})
            )
    return errors


def check_missing_months(submission, rows):
    _year, months = period_months(submission.period)
    gap = verification.missing_months({r["month"] for r in filled(rows)}, months)
    if gap:
        yield Flag(_("缺少 %(months)s 月的数据。") % {"months": "、".join(str(m) for m in gap)}, field="month")


def check_repeated(submission, rows):
    series = {}
    for r in filled(rows):
        series.setdefault(r["item"], {})[r["month"]] = r["quantity"]
    for item, values in series.items():
        for first, last, qty in verification.repeated_runs(values):
            yield Flag(
                _("%(item)s %(first)s–%(last)s 月连续填报相同数量 %(qty)s。")
                % {"item": Item(item).label, "first": first, "last": last, "qty": format(qty.normalize(), "f")},
                field="quantity",
            )


def _figures_of(submission, rows):
    """(kgce, water t) of the rows, computed with the set approval would use."""
    factor_set = _factor_set(submission.unit_id, *period_months(submission.period))
    factors = figures.factors_of(factor_set)
    kgce, water = Decimal(0), Decimal(0)
    for r in filled(rows):
        try:
            kgce += figures.compute(r["item"], r["quantity"], r["measure"], factors.get(r["item"]))[0]
        except figures.MissingDensity:
            continue
        if r["item"] == Item.WATER:
            water += r["quantity"]
    return kgce, water


def check_yoy(submission, rows):
    """Against the approved figures of the same months a year earlier."""
    from energy.models import MonthlyRollup

    year, months = period_months(submission.period)
    kgce, water = _figures_of(submission, rows)
    before = MonthlyRollup.objects.filter(unit_id=submission.unit_id, year=year - 1, month__in=months)
    previous = before.aggregate(kgce=Sum("kgce"), water=Sum("water_t"))
    for label, now, then in ((_("综合能耗"), kgce, previous["kgce"]), (_("用水量"), water, previous["water"])):
        delta = verification.beyond_yoy(now, then)
        if delta is not None:
            yield Flag(_("%(what)s同比变化 %(pct)s%%，超过 ±20%%。") % {"what": label, "pct": f"{delta * 100:+.1f}"})


def check_peers(submission, rows):
    """The submission's intensity, annualised, against last year's intensities of same-kind units."""
    from bureau.models import Unit
    from energy.models import Profile

    year, months = period_months(submission.period)
    profile = Profile.objects.filter(unit_id=submission.unit_id, year__in=(year, year - 1)).order_by("-year").first()
    kgce, _water = _figures_of(submission, rows)
    if not profile or not profile.floor_area or not kgce:
        return
    unit = Unit.objects.get(pk=submission.unit_id)
    peers = Unit.objects.filter(kind=unit.kind, is_public_institution=True).exclude(pk=unit.pk)
    values = {u: (unit.kind, r.kgce_per_m2) for u, r in figures.by_unit(year - 1, peers).items() if r.kgce_per_m2}
    values["this"] = (unit.kind, kgce * 12 / len(months) / profile.floor_area)
    found = verification.peer_outliers(values).get("this")
    if found:
        yield Flag(
            _("折合全年单位建筑面积能耗 %(value)s kgce/m²，同类单位上年中位数 %(median)s。")
            % {"value": f"{found[0]:.2f}", "median": f"{found[1]:.2f}"}
        )


def _factor_set(unit_id, year, months):
    """The set this unit's year is already computed with (one set per unit-year), else the year's set."""
    from energy.models import FactorSet, MonthlyRollup

    kept = (
        MonthlyRollup.objects.filter(unit_id=unit_id, year=year, factor_set__isnull=False)
        .exclude(month__in=months)
        .values_list("factor_set_id", flat=True)
        .first()
    )
    return FactorSet.objects.get(pk=kept) if kept else FactorSet.for_year(year)


@transaction.atomic
def write_consumption(submission, rows):
    """Approval: the submission's months of this unit become exactly its rows (created, updated or
    removed, each audited), computed with one factor set, and the roll-ups follow. Idempotent."""
    from energy.models import Consumption

    errors = duplicate_errors(rows)
    if errors:
        raise forms.ValidationError([_("第 %(row)s 行：%(msg)s") % {"row": r, "msg": m} for r, _f, m in errors])
    year, months = period_months(submission.period)
    factor_set = _factor_set(submission.unit_id, year, months)
    factors = figures.factors_of(factor_set)
    existing = {
        (c.month, c.item): c
        for c in Consumption.objects.select_for_update().filter(unit_id=submission.unit_id, year=year, month__in=months)
    }
    new, changed = [], []
    for r in filled(rows):
        row = existing.pop((r["month"], r["item"]), None)
        target = row or Consumption(unit_id=submission.unit_id, year=year, month=r["month"], item=r["item"])
        target.quantity, target.measure, target.cost = r["quantity"], r["measure"], r["cost"]
        figures.compute_row(target, factor_set, factors)
        (changed if row else new).append(target)
    Consumption.objects.bulk_create(new)
    Consumption.objects.bulk_update(changed, ["quantity", "measure", "cost", "kgce", "co2_kg", "factor_set"])
    Consumption.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    figures.rebuild_rollups(year, [submission.unit_id])


def prefill(unit, period):
    """The template's rows: every item of every month of the period, with its official unit."""
    _year, months = period_months(period)
    return [
        {"month": m, "item": item.value, "quantity": None, "measure": official_unit(item), "cost": None}
        for m in months
        for item in Item
    ]


CONSUMPTION = register(
    RequestKind(
        key="energy.consumption",
        title=_lazy("公共机构能源资源消费统计"),
        area="energy",
        row_form=ConsumptionRow,
        checks=(check_missing_months, check_repeated, check_yoy, check_peers),
        on_approve=write_consumption,
        initial_rows=prefill,
        description=_lazy("按《公共机构能源资源消费统计调查制度》逐月填报各品种的实物量和金额。"),
        extra_rows=0,
    )
)
