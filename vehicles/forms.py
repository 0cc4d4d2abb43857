from collections import defaultdict

from django import forms
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
from bureau.models import Unit
from bureau.scoping import has_model_perm
from vehicles import trips
from vehicles.choices import FLEET_STATUSES, Category
from vehicles.models import (
    CalendarDay,
    Inspection,
    InspectionRound,
    Quota,
    RentalOrder,
    Rules,
    RunningCost,
    SupportRequest,
    Trip,
    Vehicle,
    VehicleStandard,
)
from vehicles.validators import normalise_plate


class VehicleStandardForm(BaseModelForm):
    class Meta:
        model = VehicleStandard
        fields = ["category", "name", "max_price", "max_displacement", "is_default", "source"]


class RulesForm(BaseModelForm):
    class Meta:
        model = Rules
        fields = [
            "effective_from",
            "replacement_years",
            "replacement_km",
            "night_start",
            "night_end",
            "long_trip_km",
            "idle_days",
        ]


class CalendarDayForm(BaseModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]


class VehicleForm(BaseModelForm):
    class Meta:
        model = Vehicle
        fields = [
            "plate",
            "unit",
            "category",
            "standard",
            "energy_type",
            "brand",
            "displacement",
            "purchase_price",
            "purchase_date",
            "odometer_km",
            "status",
            "status_since",
            "device_id",
            "marking",
            "quota_approval",
        ]

    def clean_plate(self):
        return normalise_plate(self.cleaned_data["plate"])

    def clean(self):
        data = super().clean()
        message = None if self.checked_in_bulk else quota_shortfall(self.instance if self.instance.pk else None, data)
        if message:
            self.add_error("quota_approval", message)
        return data

    @classmethod
    def check_file(cls, records, rows, labels):
        """New vehicles without an approval reference count against their unit's quota together:
        row by row, each would see only the stored fleet."""
        from bureau.imports.rows import RowError

        joining = defaultdict(list)
        for row in rows:
            unit, category, status, approval = (
                records.value(row, a) for a in ("unit_id", "category", "status", "quota_approval")
            )
            if status in FLEET_STATUSES and not approval:
                joining[unit, category].append(row)
        if not joining:
            return []
        units = {unit for unit, _category in joining}
        approved = Quota.in_effect(units)
        fleet = Vehicle.objects.filter(unit__in=units, status__in=FLEET_STATUSES).values("unit_id", "category")
        counts = {(f["unit_id"], f["category"]): f["n"] for f in fleet.annotate(n=Count("pk"))}
        names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
        errors = []
        for (unit, category), group in joining.items():
            left = max(approved.get((unit, category), 0) - counts.get((unit, category), 0), 0)
            message = QUOTA_FULL % {"unit": names[unit], "cat": Category(category).label}
            errors += [RowError(row.number, labels.get("quota_approval", ""), str(message)) for row in group[left:]]
        return errors


QUOTA_FULL = _("%(unit)s的%(cat)s在用车辆已达编制数，新增车辆须填写超编审批文号。")


def quota_shortfall(previous, data):
    """The refusal (or None) when a vehicle takes a place beyond its unit's quota (编制) in its
    category without an approval reference. `previous`: the stored vehicle being changed."""
    unit, category, status = data.get("unit"), data.get("category"), data.get("status")
    if previous is not None:
        unit = unit or previous.unit
        category = category or previous.category
        status = status or previous.status
    if not unit or not category or status not in FLEET_STATUSES or data.get("quota_approval"):
        return None
    joins = previous is None or (previous.unit_id, previous.category) != (unit.pk, category)
    joins = joins or previous.status not in FLEET_STATUSES
    if not joins or quota_left(unit, category, exclude=previous) > 0:
        return None
    return QUOTA_FULL % {"unit": unit, "cat": Category(category).label}


def quota_left(unit, category, exclude=None):
    approved = Quota.in_effect([unit.pk]).get((unit.pk, category), 0)
    fleet = Vehicle.objects.filter(unit=unit, category=category, status__in=FLEET_STATUSES)
    if exclude is not None:
        fleet = fleet.exclude(pk=exclude.pk)
    return approved - fleet.count()


class QuotaForm(BaseModelForm):
    class Meta:
        model = Quota
        fields = ["unit", "category", "approved", "approval_ref", "effective_from"]


class TripForm(BaseModelForm):
    class Meta:
        model = Trip
        fields = [
            "platform_id",
            "vehicle",
            "driver",
            "start",
            "end",
            "start_odometer",
            "end_odometer",
            "distance_km",
            "origin",
            "destination",
            "purpose",
            "approval_no",
        ]
        help_texts = {"platform_id": _("平台导出的行程编号；通常由平台导入，手工补录时填写补录单号。")}

    def clean(self):
        data = super().clean()
        trip = self.instance
        for name in ("vehicle", "start", "end", "start_odometer", "end_odometer", "distance_km", "platform_id"):
            if name in data:
                setattr(trip, name, data[name])
        if not self.errors:
            for field, message in trips.check_one(trip):
                self.add_error(field if field in self.fields else None, message)
        return data

    def save(self, commit=True):
        trip = super().save(commit=False)
        trip.unit_id = trip.vehicle.unit_id
        trips.flag_trips([trip])
        if commit:
            trip.save()
        return trip


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        label=_("异常说明"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明此次出车的公务事由，例如“节假日防汛值班”。"),
    )


class TripImportForm(forms.Form):
    file = forms.FileField(
        label=_("平台行程文件"),
        help_text=_(
            "“全市一张网”平台导出的 CSV 或 XLSX：表头含 行程编号、车牌号、开始时间、结束时间，"
            "以及 行驶里程 或 起始里程/结束里程；可选 驾驶员、出发地、目的地、事由、审批单号。"
            "全部校验通过才保存；已导入过的行程编号将被更新。"
        ),
    )


class SupportRequestForm(BaseModelForm):
    class Meta:
        model = SupportRequest
        fields = ["unit", "task", "start", "end", "place", "passengers", "status", "vehicle", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Dispatching is the division's job; a unit only asks.
        if not has_model_perm(self.user, SupportRequest, "change"):
            for name in ("status", "vehicle", "reason"):
                self.fields.pop(name)


class RentalOrderForm(BaseModelForm):
    class Meta:
        model = RentalOrder
        fields = ["unit", "provider", "vehicle_desc", "start_date", "end_date", "cost", "purpose"]


class InspectionRoundForm(BaseModelForm):
    class Meta:
        model = InspectionRound
        fields = ["name", "start_date", "end_date", "note"]


class InspectionForm(BaseModelForm):
    class Meta:
        model = Inspection
        fields = ["round", "vehicle", "checked_on", "outcome", "exempt_reason", "rectify_by", "rectified_on", "note"]


class RunningCostForm(BaseModelForm):
    class Meta:
        model = RunningCost
        fields = ["vehicle", "date", "kind", "amount", "note"]
