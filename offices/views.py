from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bureau import generic
from bureau.models import Unit
from bureau.scoping import can
from offices import filtersets, forms, overstandard
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

ROOM_COLUMNS = ("number", "floor", "category", "usable_area", "unit")


class StandardViews(generic.ModelViews):
    model = Standard
    form = forms.StandardForm
    filterset = filtersets.StandardFilterSet
    columns = ("name", "document", "level", "effective_from")
    related = ((_("各职级面积上限"), RankLimit, "standard", ("rank", "limit_area")),)


class RankLimitViews(generic.ModelViews):
    model = RankLimit
    form = forms.RankLimitForm
    filterset = filtersets.RankLimitFilterSet
    columns = ("rank", "limit_area", "standard")


class PolicyViews(generic.ModelViews):
    model = Policy
    form = forms.PolicyForm
    filterset = filtersets.PolicyFilterSet
    columns = ("year", "idle_target_area", "turnover_eligible_years")


class SiteViews(generic.ModelViews):
    model = Site
    form = forms.SiteForm
    filterset = filtersets.SiteFilterSet
    columns = ("name", "address", "land_area")
    related = ((_("楼宇"), Building, "site", ("code", "name", "unit", "floor_area", "status")),)


class BuildingViews(generic.ModelViews):
    model = Building
    form = forms.BuildingForm
    filterset = filtersets.BuildingFilterSet
    columns = ("code", "name", "site", "unit", "floor_area", "status", "title_state")
    related = (
        (_("楼层"), Floor, "building", ("name", "level")),
        (_("房间"), Room, "building", ROOM_COLUMNS),
        (_("维修项目"), RepairProject, "building", ("title", "year", "kind", "state", "requested_amount")),
    )
    detail_template = "offices/building_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        return {"can_add_room": can(user, Room, "add")}


class FloorViews(generic.ModelViews):
    model = Floor
    form = forms.FloorForm
    filterset = filtersets.FloorFilterSet
    columns = ("name", "building", "level")
    related = ((_("房间"), Room, "floor", ROOM_COLUMNS),)


class RoomViews(generic.ModelViews):
    model = Room
    form = forms.RoomForm
    filterset = filtersets.RoomFilterSet
    columns = ("number", "building", "floor", "category", "usable_area", "unit", "occupants", "standard_area")
    labels = {
        "standard_area": _("标准面积（m²）"),
        "excess": _("超标面积（m²）"),
        "over_standard": _("超标"),
    }
    detail_fields = (
        "building",
        "floor",
        "number",
        "category",
        "kind",
        "usable_area",
        "unit",
        "occupants",
        "standard_area",
        "over_standard",
        "note",
    )
    related = ((_("配置与收回"), Allocation, "rooms", ("kind", "unit", "document_no", "effective_on")),)

    @classmethod
    def queryset(cls, user, action, names=None):
        # Every room page shows the room against the standard in force today.
        return overstandard.room_flag(super().queryset(user, action, names), overstandard.limits_on())


class AllocationViews(generic.ModelViews):
    model = Allocation
    form = forms.AllocationForm
    filterset = filtersets.AllocationFilterSet
    columns = ("kind", "unit", "reason", "total_area", "document_no", "effective_on")
    detail_fields = (
        "kind",
        "unit",
        "reason",
        "rooms",
        "total_area",
        "document_no",
        "approved_on",
        "effective_on",
        "note",
    )


class RepairProjectViews(generic.ModelViews):
    model = RepairProject
    form = forms.RepairProjectForm
    filterset = filtersets.RepairProjectFilterSet
    columns = (
        "title",
        "unit",
        "building",
        "year",
        "kind",
        "state",
        "requested_amount",
        "approved_amount",
        "cut_amount",
        "cut_rate",
    )
    detail_fields = (
        "unit",
        "building",
        "year",
        "kind",
        "title",
        "scope",
        "added_floor_area",
        "requested_amount",
        "approved_amount",
        "cut_amount",
        "cut_rate",
        "state",
        "review_note",
    )


class RevitalisationViews(generic.ModelViews):
    model = Revitalisation
    form = forms.RevitalisationForm
    filterset = filtersets.RevitalisationFilterSet
    columns = ("contract_no", "building", "operator", "revitalised_area", "start", "end", "annual_revenue")


class FlatViews(generic.ModelViews):
    model = Flat
    form = forms.FlatForm
    filterset = filtersets.FlatFilterSet
    columns = ("code", "address", "floor_area", "bedrooms", "monthly_rent")
    related = ((_("租赁记录"), Lease, "flat", ("person", "start", "end", "moved_out_on")),)


class LeaseViews(generic.ModelViews):
    model = Lease
    form = forms.LeaseForm
    filterset = filtersets.LeaseFilterSet
    columns = ("flat", "person", "unit", "start", "end", "monthly_rent", "moved_out_on")
    ordering = ("end", "pk")
    detail_fields = ("flat", "person", "unit", "joined_on", "start", "end", "monthly_rent", "moved_out_on")


class ReconciliationViews(generic.ModelViews):
    model = Reconciliation
    form = forms.ReconciliationForm
    filterset = filtersets.ReconciliationFilterSet
    columns = ("period", "unit", "consistent", "difference_count", "settled")
    detail_fields = ("unit", "period", "consistent", "settled", "settle_note")
    detail_template = "offices/reconciliation_detail.html"


@login_required
def over_standard(request):
    """The findings: per unit, office area against the staff's limits, and the rooms over."""
    user = request.user
    if not can(user, Room, "view"):
        raise PermissionDenied
    units = Unit.objects.for_user(user, "view")
    unit_id = request.GET.get("unit") or None
    if unit_id is not None:
        try:
            units = units.filter(pk=units.get(pk=int(unit_id)).pk)
        except (ValueError, Unit.DoesNotExist):
            raise Http404 from None
    limits = overstandard.limits_on()
    found = overstandard.findings(Room.objects.for_user(user, "view").filter(unit__in=units), limits)
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    page.object_list = overstandard.finding_rooms(page.object_list, limits)
    summary = overstandard.unit_summary(units, limits, found)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "offices/over_standard.html",
        {
            "title": _("超标准使用办公用房"),
            "standard": Standard.in_force(),
            "limits": limits,
            "summary": summary,
            "totals": {"rooms": len(found), "area": sum((e for _pk, _u, e in found), Decimal("0"))},
            "page": page,
            "units": Unit.objects.for_user(user, "view").only("pk", "name"),
            "unit_id": int(unit_id) if unit_id else None,
            "query": query.urlencode(),
        },
    )
