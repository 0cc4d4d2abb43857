"""The annual statistics return (年度公务用车统计): each unit's liaison confirms, vehicle by
vehicle, the registry's category, energy type and status and the year's running costs; the
division approves. Approval updates the registry and makes the year's costs equal the confirmed
totals (through adjustment rows, replaced if the return is approved again)."""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from bureau.requests import Flag, RequestKind, RowForm, register
from vehicles import queries
from vehicles.choices import FLEET_STATUSES, Category, CostKind, EnergyType, Status
from vehicles.models import Quota, RunningCost, Vehicle
from vehicles.validators import normalise_plate

COST_FIELDS = {kind: f"cost_{kind}" for kind in CostKind.values}
CENTS = Decimal("0.01")


def cost_field(label):
    return forms.DecimalField(label=label, min_value=0, max_digits=12, decimal_places=2, required=False)


class AnnualRow(RowForm):
    plate = forms.CharField(label=_("车牌号"), max_length=10, help_text=_("本单位登记在册的车辆。"))
    category = forms.ChoiceField(label=_("车辆类别"), choices=Category.choices)
    energy_type = forms.ChoiceField(label=_("能源类型"), choices=EnergyType.choices)
    status = forms.ChoiceField(label=_("年末状态"), choices=Status.choices)
    cost_fuel = cost_field(_("燃油费（元）"))
    cost_charging = cost_field(_("充电费（元）"))
    cost_maintenance = cost_field(_("维修保养费（元）"))
    cost_insurance = cost_field(_("保险费（元）"))
    cost_toll = cost_field(_("通行费（元）"))
    cost_other = cost_field(_("其他费用（元）"))

    def clean_plate(self):
        return normalise_plate(self.cleaned_data["plate"])


def year_of(period):
    return int(str(period)[:4])


def cost_totals(unit_id, year, *, adjustments=True):
    """{(vehicle id, kind): amount} of the unit's costs in the year."""
    rows = RunningCost.objects.filter(unit_id=unit_id, date__year=year)
    if not adjustments:
        rows = rows.filter(annual_return__isnull=True)
    totals = defaultdict(Decimal)
    for vehicle_id, kind, amount in rows.order_by().values_list("vehicle_id", "kind").annotate(s=Sum("amount")):
        totals[(vehicle_id, kind)] = amount.quantize(CENTS)  # SQLite's SUM drops the decimals
    return totals


def initial_rows(unit, period):
    year = year_of(period)
    costs = cost_totals(unit.pk, year)
    rows = []
    for vehicle in queries.fleet(year, type(unit).objects.filter(pk=unit.pk)).order_by("plate"):
        row = {"plate": vehicle.plate, "category": vehicle.category, "energy_type": vehicle.energy_type}
        row["status"] = vehicle.status
        for kind, name in COST_FIELDS.items():
            row[name] = str(costs[(vehicle.pk, kind)])
        rows.append(row)
    return rows


def check_rows(submission, rows):
    year = year_of(submission.period)
    registry = {v.plate: v for v in Vehicle.objects.filter(unit=submission.unit)}
    seen = Counter(row["plate"] for row in rows)
    for number, row in enumerate(rows, start=1):
        vehicle = registry.get(row["plate"])
        if seen[row["plate"]] > 1:
            yield Flag(_("车牌号重复填报。"), "error", number, "plate")
        elif vehicle is None:
            yield Flag(_("车牌号不在本单位车辆登记中。"), "error", number, "plate")
        elif (vehicle.category, vehicle.energy_type) != (row["category"], row["energy_type"]):
            yield Flag(_("类别或能源类型与登记不符，批准后将更新登记。"), "warning", number, "category")
    fleet_plates = set(
        queries.fleet(year, type(submission.unit).objects.filter(pk=submission.unit.pk)).values_list("plate", flat=True)
    )
    for plate in sorted(fleet_plates - seen.keys()):
        yield Flag(_("登记在用的车辆 %(plate)s 未填报。") % {"plate": plate}, "warning")
    in_service = Counter(row["category"] for row in rows if row["status"] in FLEET_STATUSES)
    approved = dict(Quota.objects.filter(unit=submission.unit).values_list("category", "approved"))
    for category, n in sorted(in_service.items()):
        if n > approved.get(category, 0):
            yield Flag(
                _("%(cat)s在用 %(n)s 辆，超出编制 %(q)s 辆。")
                % {"cat": Category(category).label, "n": n, "q": approved.get(category, 0)},
                "warning",
            )


def approve_rows(submission, rows):
    """Idempotent: registry fields set to the confirmed values; the year's earlier adjustment
    rows replaced by new ones so that recorded + adjustment = confirmed, per vehicle and kind."""
    year = year_of(submission.period)
    unit = submission.unit
    registry = {v.plate: v for v in Vehicle.objects.filter(unit=unit)}
    RunningCost.objects.filter(unit=unit, annual_return=year).delete()
    recorded = cost_totals(unit.pk, year, adjustments=False)
    adjustments = []
    for row in rows:
        vehicle = registry.get(row["plate"])
        if vehicle is None:
            continue
        changed = [f for f in ("category", "energy_type", "status") if getattr(vehicle, f) != row[f]]
        if changed:
            for f in changed:
                setattr(vehicle, f, row[f])
            vehicle.save()
        for kind, name in COST_FIELDS.items():
            confirmed = row.get(name)
            if confirmed is None:
                continue
            difference = confirmed - recorded[(vehicle.pk, kind)]
            if difference:
                adjustments.append(
                    RunningCost(
                        vehicle=vehicle,
                        unit=unit,
                        date=datetime.date(year, 12, 31),
                        kind=kind,
                        amount=difference,
                        note=str(_("年度统计确认调整")),
                        annual_return=year,
                    )
                )
    RunningCost.objects.bulk_create(adjustments)


ANNUAL = register(
    RequestKind(
        key="vehicles.annual",
        title=str(_("年度公务用车统计")),
        area="vehicles",
        row_form=AnnualRow,
        checks=(check_rows,),
        on_approve=approve_rows,
        initial_rows=initial_rows,
        description=str(_("逐辆确认本单位在用车辆的类别、能源类型、年末状态和全年运行费用。")),
        frequencies=("annual",),
        extra_rows=2,
    )
)
