import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from vehicles.choices import NEW_ENERGY
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

ANOMALOUS = Q(off_day=True) | Q(night=True) | Q(long_distance=True)


class VehicleStandardFilterSet(BaseFilterSet):
    search_fields = ("name", "source")

    class Meta:
        model = VehicleStandard
        fields = ["category", "is_default"]


class RulesFilterSet(BaseFilterSet):
    class Meta:
        model = Rules
        fields = ["effective_from"]


class CalendarDayFilterSet(BaseFilterSet):
    search_fields = ("name",)
    year = YearFilter(field_name="date")

    class Meta:
        model = CalendarDay
        fields = ["kind"]


class VehicleFilterSet(BaseFilterSet):
    search_fields = ("plate", "brand", "device_id")
    new_energy = django_filters.BooleanFilter(method="filter_new_energy", label=_("新能源"))
    on_platform = django_filters.BooleanFilter(method="filter_on_platform", label=_("已接入平台"))
    beyond_limits = django_filters.BooleanFilter(field_name="beyond_limits", label=_("超标准配备"))
    replacement_due = django_filters.BooleanFilter(field_name="replacement_due", label=_("达到更新条件"))

    class Meta:
        model = Vehicle
        fields = ["unit", "category", "energy_type", "status", "marking"]

    def filter_new_energy(self, queryset, name, value):
        condition = Q(energy_type__in=NEW_ENERGY)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_on_platform(self, queryset, name, value):
        return queryset.exclude(device_id="") if value else queryset.filter(device_id="")


class QuotaFilterSet(BaseFilterSet):
    search_fields = ("approval_ref",)

    class Meta:
        model = Quota
        fields = ["unit", "category"]


class TripFilterSet(BaseFilterSet):
    search_fields = ("platform_id", "driver", "destination", "purpose")
    plate = django_filters.CharFilter(field_name="vehicle__plate", label=_("车牌号"))
    start_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte", label=_("开始不早于"))
    start_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lt", label=_("开始早于"))
    anomalous = django_filters.BooleanFilter(method="filter_anomalous", label=_("异常行程"))

    class Meta:
        model = Trip
        fields = ["unit", "vehicle", "off_day", "night", "long_distance", "explained"]

    def filter_anomalous(self, queryset, name, value):
        return queryset.filter(ANOMALOUS) if value else queryset.exclude(ANOMALOUS)


class SupportRequestFilterSet(BaseFilterSet):
    search_fields = ("task", "place")

    class Meta:
        model = SupportRequest
        fields = ["unit", "status"]


class RentalOrderFilterSet(BaseFilterSet):
    search_fields = ("provider", "vehicle_desc", "purpose")

    class Meta:
        model = RentalOrder
        fields = ["unit"]


class InspectionRoundFilterSet(BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = InspectionRound
        fields = []


class InspectionFilterSet(BaseFilterSet):
    search_fields = ("vehicle__plate", "note")
    open_rectification = django_filters.BooleanFilter(
        field_name="rectified_on", lookup_expr="isnull", method="filter_open", label=_("待整改")
    )

    class Meta:
        model = Inspection
        fields = ["round", "unit", "outcome"]

    def filter_open(self, queryset, name, value):
        waiting = Q(rectify_by__isnull=False, rectified_on__isnull=True)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class RunningCostFilterSet(BaseFilterSet):
    search_fields = ("vehicle__plate", "note")
    year = YearFilter(field_name="date")

    class Meta:
        model = RunningCost
        fields = ["unit", "vehicle", "kind"]
