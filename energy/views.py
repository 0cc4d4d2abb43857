from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bureau import generic
from bureau.models import Unit
from bureau.scoping import can, has_model_perm
from energy import figures, forms, overview, verification
from energy import filtersets as fs
from energy.choices import ENERGY_ITEMS
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    Factor,
    FactorSet,
    Inspection,
    Profile,
    Retrofit,
    Target,
    VerificationFlag,
)
from energy.registry import differences


class FactorSetViews(generic.ModelViews):
    model = FactorSet
    form = forms.FactorSetForm
    filterset = fs.FactorSetFilterSet
    columns = ("name", "year", "active", "source")
    related = ((_lazy("折算系数"), Factor, "factor_set", ("item", "coal", "co2", "density", "source")),)
    detail_template = "energy/factorset_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        have = {f.item for f in obj.factors.all() if f.coal is not None}
        return {
            "missing": sorted(str(i.label) for i in ENERGY_ITEMS if i not in have),
            "can_recompute": has_model_perm(user, Consumption, "change"),
            "this_year": timezone.localdate().year,
        }


class FactorViews(generic.ModelViews):
    model = Factor
    form = forms.FactorForm
    filterset = fs.FactorFilterSet
    columns = ("item", "factor_set", "coal", "co2", "density", "source")


class TargetViews(generic.ModelViews):
    model = Target
    form = forms.TargetForm
    filterset = fs.TargetFilterSet
    columns = ("key", "base_year", "target_year", "value", "source")


class ProfileViews(generic.ModelViews):
    model = Profile
    form = forms.ProfileForm
    filterset = fs.ProfileFilterSet
    columns = ("unit", "year", "floor_area", "heated_area", "people", "note")
    detail_template = "energy/profile_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        return {"differences": differences(obj)}


class ConsumptionViews(generic.ModelViews):
    model = Consumption
    form = forms.ConsumptionForm
    filterset = fs.ConsumptionFilterSet
    columns = ("unit", "period", "item", "quantity", "measure", "cost", "kgce", "co2_kg", "factor_set")
    detail_fields = ("unit", "period", "item", "quantity", "measure", "cost", "kgce", "co2_kg", "factor_set")


class VerificationFlagViews(generic.ModelViews):
    model = VerificationFlag
    form = forms.VerificationFlagForm
    filterset = fs.VerificationFlagFilterSet
    columns = ("unit", "year", "kind", "item", "message", "resolved", "note")


class EnergyAuditViews(generic.ModelViews):
    model = EnergyAudit
    form = forms.EnergyAuditForm
    filterset = fs.EnergyAuditFilterSet
    columns = ("unit", "year", "auditor", "audit_date", "deadline", "state")


class ConservationOrganViews(generic.ModelViews):
    model = ConservationOrgan
    form = forms.ConservationOrganForm
    filterset = fs.ConservationOrganFilterSet
    columns = ("unit", "year", "criteria_met", "state")


class RetrofitViews(generic.ModelViews):
    model = Retrofit
    form = forms.RetrofitForm
    filterset = fs.RetrofitFilterSet
    columns = ("name", "unit", "kind", "investment", "start_year", "expected_tce", "measured_tce", "state")


class InspectionViews(generic.ModelViews):
    model = Inspection
    form = forms.InspectionForm
    filterset = fs.InspectionFilterSet
    columns = ("unit", "date", "topic", "inspector", "result", "rectified")


VIEWS = (
    ConsumptionViews,
    ProfileViews,
    VerificationFlagViews,
    EnergyAuditViews,
    ConservationOrganViews,
    RetrofitViews,
    InspectionViews,
    FactorSetViews,
    FactorViews,
    TargetViews,
)


def _year(request):
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdecimal() and 2000 <= int(raw) <= 2100 else timezone.localdate().year - 1


def _units(request):
    """The caller's scope, or one unit of it (`?unit=`); another unit's id answers 404."""
    units = Unit.objects.for_user(request.user, "view")
    raw = request.GET.get("unit", "")
    if raw.isdecimal():  # not isdigit(): int() refuses "²"
        units = units.filter(pk=int(raw))
        if not units.exists():
            raise Http404
    return units


@login_required
def overview_page(request):
    """Figures by city, unit and month with year-on-year change and the 十四五 targets."""
    if not can(request.user, Consumption, "view"):
        raise PermissionDenied
    year, units = _year(request), _units(request)
    return render(
        request,
        "energy/overview.html",
        {"title": _("能耗指标"), "year": year, **overview.build(year, units), "unit_id": request.GET.get("unit", "")},
    )


@login_required
def verification_page(request):
    """核查会审: the open flags of a year and the spot-check sample."""
    if not can(request.user, VerificationFlag, "view"):
        raise PermissionDenied
    year = _year(request)
    flags = VerificationFlag.objects.for_user(request.user).filter(year=year).select_related("unit")
    units = Unit.objects.for_user(request.user, "view")
    sample = Unit.objects.filter(pk__in=verification.spot_check_sample(year, units)).order_by("name")
    return render(
        request,
        "energy/verification.html",
        {
            "title": _("核查会审"),
            "year": year,
            "flags": flags.order_by("resolved", "unit__name", "kind")[:1000],
            "sample": sample,
            "can_run": has_model_perm(request.user, VerificationFlag, "add"),
        },
    )


@login_required
@require_POST
def run_checks(request):
    if not has_model_perm(request.user, VerificationFlag, "add"):
        raise PermissionDenied
    year = _year(request)
    added, removed = verification.run(year, Unit.objects.for_user(request.user, "view"))
    messages.success(
        request,
        _("已完成 %(year)s 年核查：新增 %(a)s 条提示，撤销 %(r)s 条。") % {"year": year, "a": added, "r": removed},
    )
    return HttpResponseRedirect(f"{reverse('energy:verification')}?year={year}")


@login_required
@require_POST
def recompute(request, pk):
    """The explicit recompute of a year's approved figures with a factor set (logged)."""
    if not has_model_perm(request.user, Consumption, "change"):
        raise PermissionDenied
    factor_set = FactorSet.objects.for_user(request.user, "view").filter(pk=pk).first()
    if factor_set is None:
        raise Http404
    year = _year(request)
    count = figures.recompute(year, factor_set)
    messages.success(
        request,
        _("已按“%(set)s”重新计算 %(year)s 年能耗，更新 %(n)s 条。") % {"set": factor_set, "year": year, "n": count},
    )
    return HttpResponseRedirect(factor_set.get_absolute_url())
