from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bureau import generic
from bureau.models import Unit
from bureau.scoping import can, has_model_perm, user_unit_ids
from vehicles import filtersets, forms, queries, trips
from vehicles.choices import Category
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

V = gettext_lazy


class VehicleStandardViews(generic.ModelViews):
    model = VehicleStandard
    form = forms.VehicleStandardForm
    filterset = filtersets.VehicleStandardFilterSet
    columns = ("category", "name", "max_price", "max_displacement", "is_default", "source")


class RulesViews(generic.ModelViews):
    model = Rules
    form = forms.RulesForm
    filterset = filtersets.RulesFilterSet
    columns = (
        "effective_from",
        "replacement_years",
        "replacement_km",
        "night_start",
        "night_end",
        "long_trip_km",
        "idle_days",
    )


class CalendarDayViews(generic.ModelViews):
    model = CalendarDay
    form = forms.CalendarDayForm
    filterset = filtersets.CalendarDayFilterSet
    columns = ("date", "kind", "name")


class VehicleViews(generic.ModelViews):
    model = Vehicle
    form = forms.VehicleForm
    filterset = filtersets.VehicleFilterSet
    columns = (
        "plate",
        "unit",
        "category",
        "energy_type",
        "brand",
        "purchase_date",
        "status",
        "beyond_limits",
        "replacement_due",
    )
    labels = {"beyond_limits": V("超标准"), "replacement_due": V("可更新")}
    select_related = ("standard",)
    detail_template = "vehicles/vehicle_detail.html"
    related = (
        (V("标识检查"), Inspection, "vehicle", ("checked_on", "round", "outcome", "rectify_by", "rectified_on")),
        (V("运行费用"), RunningCost, "vehicle", ("date", "kind", "amount")),
    )

    @classmethod
    def queryset(cls, user, action, names=None):
        return queries.with_flags(super().queryset(user, action, names))

    @classmethod
    def detail_context(cls, obj, user):
        limit = obj.limit()
        return {
            "limit": limit,
            "excesses": obj.excesses(limit),
            "rules": Rules.current(),
            "trips": Trip.objects.for_user(user).filter(vehicle=obj).order_by("-start")[:20],
        }


class QuotaViews(generic.ModelViews):
    model = Quota
    form = forms.QuotaForm
    filterset = filtersets.QuotaFilterSet
    columns = ("unit", "category", "approved", "approval_ref", "effective_from")


class TripViews(generic.ModelViews):
    model = Trip
    form = forms.TripForm
    filterset = filtersets.TripFilterSet
    columns = ("platform_id", "vehicle", "unit", "driver", "start", "end", "distance_km", "anomaly_labels", "explained")
    detail_template = "vehicles/trip_detail.html"
    detail_fields = (
        "platform_id",
        "vehicle",
        "unit",
        "driver",
        "start",
        "end",
        "hours",
        "start_odometer",
        "end_odometer",
        "distance_km",
        "origin",
        "destination",
        "purpose",
        "approval_no",
        "anomaly_labels",
        "explained",
        "explanation",
    )

    @classmethod
    def detail_context(cls, obj, user):
        return {"can_explain": obj.anomalous and may_explain(user, obj), "explain_form": forms.ExplainForm()}


class SupportRequestViews(generic.ModelViews):
    model = SupportRequest
    form = forms.SupportRequestForm
    filterset = filtersets.SupportRequestFilterSet
    columns = ("start", "unit", "task", "place", "status", "vehicle")


class RentalOrderViews(generic.ModelViews):
    model = RentalOrder
    form = forms.RentalOrderForm
    filterset = filtersets.RentalOrderFilterSet
    columns = ("start_date", "end_date", "unit", "provider", "vehicle_desc", "cost")


class InspectionRoundViews(generic.ModelViews):
    model = InspectionRound
    form = forms.InspectionRoundForm
    filterset = filtersets.InspectionRoundFilterSet
    columns = ("name", "start_date", "end_date")
    related = ((V("检查结果"), Inspection, "round", ("vehicle", "unit", "outcome", "rectify_by", "rectified_on")),)


class InspectionViews(generic.ModelViews):
    model = Inspection
    form = forms.InspectionForm
    filterset = filtersets.InspectionFilterSet
    columns = ("checked_on", "round", "vehicle", "unit", "outcome", "rectify_by", "rectified_on")


class RunningCostViews(generic.ModelViews):
    model = RunningCost
    form = forms.RunningCostForm
    filterset = filtersets.RunningCostFilterSet
    columns = ("date", "vehicle", "unit", "kind", "amount", "note")


def year_param(request, default):
    """The `year` of the query string; anything but a plausible year means the default."""
    value = request.GET.get("year", "")
    return int(value) if value.isdecimal() and 2000 <= int(value) <= 2100 else default


def may_explain(user, trip):
    """Staff, or the liaison of the trip's unit (who knows why the car went out)."""
    return has_model_perm(user, Trip, "change") or trip.unit_id in user_unit_ids(user)


def require(user, model, action="view"):
    if not can(user, model, action):
        raise PermissionDenied


@login_required
def explain_trip(request, pk):
    trip = Trip.objects.for_user(request.user).filter(pk=pk).first()
    if trip is None:
        raise Http404
    if request.method != "POST" or not trip.anomalous or not may_explain(request.user, trip):
        raise PermissionDenied
    form = forms.ExplainForm(request.POST)
    if form.is_valid():
        trip.explained = True
        trip.explanation = form.cleaned_data["explanation"]
        trip.save()
        messages.success(request, _("已记录异常说明。"))
    else:
        messages.error(request, _("请填写异常说明。"))
    return HttpResponseRedirect(trip.get_absolute_url())


@login_required
def import_trips(request):
    require(request.user, Trip, "add")
    form = forms.TripImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = trips.import_trips(trips.read_upload(form.cleaned_data["file"]), request.user)
        except trips.TripErrors as exc:
            errors = [trips.format_error(e) for e in exc.errors]
        else:
            messages.success(request, _("导入完成：新增 %(created)s 条，更新 %(updated)s 条行程。") % result)
            return HttpResponseRedirect(reverse("vehicles:trip_list"))
    status = 400 if errors or form.errors else 200
    return render(
        request, "vehicles/import.html", {"form": form, "errors": errors, "title": _("导入平台行程")}, status=status
    )


@login_required
def over_quota(request):
    require(request.user, Quota)
    units = Unit.objects.for_user(request.user)
    names = dict(units.values_list("pk", "name"))
    labels = dict(Category.choices)
    rows = [
        (names[unit_id], labels[category], approved, in_service, in_service - approved)
        for (unit_id, category), (approved, in_service) in queries.quota_use(units).items()
        if in_service > approved
    ]
    rows.sort(key=lambda r: (-r[4], r[0]))
    return render(request, "vehicles/over_quota.html", {"rows": rows, "title": _("超编单位")})


@login_required
def idle(request):
    require(request.user, Vehicle)
    rules = Rules.current()
    days = rules.idle_days if rules else 30
    page = Paginator(queries.idle_vehicles(request.user, days), 50).get_page(request.GET.get("page"))
    return render(request, "vehicles/idle.html", {"page": page, "days": days, "title": _("闲置车辆")})


@login_required
def usage(request):
    """Monthly use per unit, from the roll-ups."""
    require(request.user, Trip)
    from vehicles.models import UnitMonthlyUsage

    year = year_param(request, None)
    units = Unit.objects.for_user(request.user)
    rows = UnitMonthlyUsage.objects.filter(unit__in=units).select_related("unit").order_by("-month", "unit__name")
    if year:
        rows = rows.filter(month__year=year)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "vehicles/usage.html",
        {"page": page, "year": year, "query": f"year={year}" if year else "", "title": _("月度用车统计")},
    )


@login_required
def index(request):
    """The division's desk: this year's figures in the user's scope and the working pages."""
    require(request.user, Vehicle)
    from bureau.metrics import all_metrics

    year = year_param(request, timezone.localdate().year)
    units = Unit.objects.for_user(request.user)
    figures = [(m, m.compute(year, units)) for m in all_metrics() if m.area == "vehicles"]
    links = [
        (_("车辆登记"), reverse("vehicles:vehicle_list")),
        (_("超标准配备车辆"), reverse("vehicles:vehicle_list") + "?beyond_limits=true"),
        (_("达到更新条件车辆"), reverse("vehicles:vehicle_list") + "?replacement_due=true"),
        (_("车辆编制"), reverse("vehicles:quota_list")),
        (_("超编单位"), reverse("vehicles:over_quota")),
        (_("平台行程"), reverse("vehicles:trip_list")),
        (_("异常行程（未说明）"), reverse("vehicles:trip_list") + "?anomalous=true&explained=false"),
        (_("闲置车辆"), reverse("vehicles:idle")),
        (_("月度用车统计"), reverse("vehicles:usage")),
        (_("执法执勤用车保障"), reverse("vehicles:supportrequest_list")),
        (_("租赁订单"), reverse("vehicles:rentalorder_list")),
        (_("标识检查结果"), reverse("vehicles:inspection_list")),
        (_("运行费用"), reverse("vehicles:runningcost_list")),
    ]
    if can(request.user, Trip, "add"):
        links.insert(6, (_("导入平台行程"), reverse("vehicles:trip_platform_import")))
    context = {"figures": figures, "links": links, "year": year, "title": _("公务用车")}
    return render(request, "vehicles/index.html", context)
