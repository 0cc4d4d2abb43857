import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Policy,
    RankLimit,
    Reconciliation,
    RepairProject,
    Revitalisation,
    Room,
    Site,
    Standard,
)


def by_building():
    """The city has 1,500 buildings: too many for a dropdown. Pages link here with ?building=<id>
    (the building page's panels), and the keyword search matches building codes and names."""
    return django_filters.NumberFilter(field_name="building", label=_("楼宇"), widget=forms.HiddenInput)


class StandardFilterSet(BaseFilterSet):
    search_fields = ("name", "document")

    class Meta:
        model = Standard
        fields = ["level"]


class RankLimitFilterSet(BaseFilterSet):
    class Meta:
        model = RankLimit
        fields = ["standard", "rank"]


class PolicyFilterSet(BaseFilterSet):
    class Meta:
        model = Policy
        fields = ["year"]


class SiteFilterSet(BaseFilterSet):
    search_fields = ("name", "address")

    class Meta:
        model = Site
        fields = []


class BuildingFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "address", "certificate_no")

    class Meta:
        model = Building
        fields = ["unit", "site", "status", "title_state", "structure"]


class FloorFilterSet(BaseFilterSet):
    building = by_building()

    class Meta:
        model = Floor
        fields = []


class RoomFilterSet(BaseFilterSet):
    building = by_building()
    search_fields = ("number", "building__name", "building__code")
    status = django_filters.ChoiceFilter(
        label=_("使用状态"),
        choices=(("vacant", _("空置（无使用单位）")), ("occupied", _("已有使用人")), ("empty", _("无使用人"))),
        method="filter_status",
    )

    class Meta:
        model = Room
        fields = ["unit", "category", "kind"]

    def filter_status(self, queryset, name, value):
        if value == "vacant":
            return queryset.filter(unit=None)
        has_people = queryset.filter(occupancies__isnull=False).values("pk")
        return queryset.filter(pk__in=has_people) if value == "occupied" else queryset.exclude(pk__in=has_people)


class AllocationFilterSet(BaseFilterSet):
    search_fields = ("document_no", "note")

    class Meta:
        model = Allocation
        fields = ["kind", "unit", "reason"]


class RepairProjectFilterSet(BaseFilterSet):
    building = by_building()
    search_fields = ("title", "scope")

    class Meta:
        model = RepairProject
        fields = ["year", "unit", "kind", "state"]


class RevitalisationFilterSet(BaseFilterSet):
    building = by_building()
    search_fields = ("operator", "contract_no")
    year = YearFilter(field_name="start", label=_("起始年度"))

    class Meta:
        model = Revitalisation
        fields = []


class FlatFilterSet(BaseFilterSet):
    search_fields = ("code", "address")

    class Meta:
        model = Flat
        fields = ["bedrooms"]


class LeaseFilterSet(BaseFilterSet):
    search_fields = ("person__name", "flat__code")
    status = django_filters.ChoiceFilter(
        label=_("租赁状态"),
        choices=(("active", _("在租")), ("expiring", _("90 天内到期")), ("ended", _("已退房"))),
        method="filter_status",
    )

    class Meta:
        model = Lease
        fields = ["unit", "flat"]

    def filter_status(self, queryset, name, value):
        today = datetime.date.today()
        if value == "ended":
            return queryset.filter(moved_out_on__isnull=False)
        active = queryset.filter(moved_out_on__isnull=True)
        if value == "expiring":
            return active.filter(end__gte=today, end__lte=today + datetime.timedelta(days=90))
        return active


class ReconciliationFilterSet(BaseFilterSet):
    class Meta:
        model = Reconciliation
        fields = ["unit", "period", "settled"]
