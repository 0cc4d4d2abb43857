import base64
import binascii
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bureau import generic
from bureau.scoping import can, has_model_perm
from performance import assess, filtersets, forms, plan, progress, tree
from performance.choices import DIVISIONS, AdjustmentState, Comparison
from performance.models import (
    Adjustment,
    Assessment,
    Evaluation,
    Indicator,
    IndicatorValue,
    Item,
    Plan,
    ProgressReport,
    Supervision,
)


class PlanViews(generic.ModelViews):
    model = Plan
    form = forms.PlanForm
    filterset = filtersets.PlanFilterSet
    columns = ("year", "title", "report_frequency", "excellent_quota")
    detail_template = "performance/plan_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        items = Item.objects.for_user(user, "view").filter(plan=obj).order_by("order")
        return {"nodes": items, "can_upload": can(user, Plan, "add")}


class ItemViews(generic.ModelViews):
    model = Item
    form = forms.ItemForm
    filterset = filtersets.ItemFilterSet
    columns = ("code", "title", "level", "division", "owner", "deadline", "retired")
    select_related = ("plan",)
    related = (
        (gettext_lazy("下级"), Item, "parent", ("code", "title", "division", "owner", "deadline")),
        (
            gettext_lazy("指标"),
            Indicator,
            "item",
            ("label", "comparison", "target", "unit_of_measure", "metric"),
        ),
        (gettext_lazy("进度报告"), ProgressReport, "item", ("period", "percent", "late", "submitted_at")),
    )
    detail_template = "performance/item_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        return {
            "can_report": not obj.retired and obj.level != "part" and can_report(user, obj),
            "can_edit_tree": Item.objects.for_user(user, "change").filter(pk=obj.pk).exists(),
        }


def can_report(user, item):
    """Its division, its owner and 绩效办 report on a project: whoever reaches it and may report."""
    return (
        has_model_perm(user, ProgressReport, "add") and Item.objects.for_user(user, "view").filter(pk=item.pk).exists()
    )


class IndicatorViews(generic.ModelViews):
    model = Indicator
    form = forms.IndicatorForm
    filterset = filtersets.IndicatorFilterSet
    columns = ("label", "item", "comparison", "target", "unit_of_measure", "metric")
    select_related = ("item__plan",)
    detail_template = "performance/indicator_detail.html"
    related = ((gettext_lazy("历史值"), IndicatorValue, "indicator", ("date", "occasion", "value", "state")),)

    @classmethod
    def detail_context(cls, obj, user):
        judge = progress.Judge()
        value = judge.value(obj)
        return {"value": value, "state": judge.state(obj, value)}


class IndicatorValueViews(generic.ModelViews):
    model = IndicatorValue
    form = forms.IndicatorValueForm
    filterset = filtersets.IndicatorValueFilterSet
    columns = ("indicator", "date", "occasion", "value", "state")


class ProgressReportViews(generic.ModelViews):
    model = ProgressReport
    form = forms.ProgressReportForm
    filterset = filtersets.ProgressReportFilterSet
    columns = ("item", "period", "percent", "late", "due", "submitted_at")
    select_related = ("item",)


class AssessmentViews(generic.ModelViews):
    model = Assessment
    form = forms.AssessmentForm
    filterset = filtersets.AssessmentFilterSet
    columns = ("plan", "division", "person", "base_score", "grade")
    detail_fields = ("plan", "division", "person", "base_score", "total", "grade", "note")
    detail_template = "performance/assessment_detail.html"
    related = (
        (
            gettext_lazy("加减分"),
            Adjustment,
            "assessment",
            ("reason", "kind", "points", "source", "state"),
        ),
    )

    @classmethod
    def detail_context(cls, obj, user):
        adjustments = Adjustment.objects.for_user(user, "view").filter(assessment=obj)
        evaluations = None
        if obj.person_id:
            evaluations = assess.evaluation_averages(obj.person_id, obj.plan.year)
            url = reverse("performance:evaluation_list")
            evaluations["url"] = f"{url}?person={obj.person_id}&year={obj.plan.year}"
        return {
            "proposed": adjustments.filter(state=AdjustmentState.PROPOSED),
            "can_decide": Assessment.objects.for_user(user, "change").filter(pk=obj.pk).exists(),
            "evaluations": evaluations,
        }


class AdjustmentViews(generic.ModelViews):
    model = Adjustment
    form = forms.AdjustmentForm
    filterset = filtersets.AdjustmentFilterSet
    columns = ("assessment", "kind", "points", "reason", "source", "state")
    select_related = ("assessment__plan", "assessment__person")
    detail_fields = (
        "assessment",
        "kind",
        "points",
        "reason",
        "evidence",
        "evidence_url",
        "source",
        "state",
        "approved_by",
        "approved_at",
    )


class EvaluationViews(generic.ModelViews):
    model = Evaluation
    form = forms.EvaluationForm
    filterset = filtersets.EvaluationFilterSet
    columns = ("person", "date", "quantity", "quality", "ability", "conduct", "score")
    detail_fields = ("person", "date", "quantity", "quality", "ability", "conduct", "score", "note", "evaluator")
    select_related = ("person",)


class SupervisionViews(generic.ModelViews):
    model = Supervision
    form = forms.SupervisionForm
    filterset = filtersets.SupervisionFilterSet
    columns = ("supervisor", "person", "note")
    select_related = ("supervisor", "person")


# The plan's upload: read, preview the tree, then save on confirmation.


@login_required
def upload(request):
    if not can(request.user, Plan, "add"):
        raise PermissionDenied
    form = forms.PlanUploadForm(request.POST or None, request.FILES or None)
    context = {"title": _("导入年度工作计划"), "form": form}
    if request.method == "POST" and "data" in request.POST:
        return confirm(request, context)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            tree = plan.read(data)
        except plan.PlanError as exc:
            form.add_error("file", str(exc))
            return render(request, "performance/upload.html", context, status=400)
        year = form.cleaned_data["year"]
        context |= preview(tree, year) | {
            "data": base64.b64encode(data).decode(),
            "year": year,
            "plan_title": form.cleaned_data["title"],
        }
    return render(request, "performance/upload.html", context)


def preview(tree, year):
    nodes = [(n, [(p, Comparison(p.comparison).label) for p in plan.propose(n.text)]) for n in tree.nodes()]
    return {
        "tree": tree,
        "nodes": nodes,
        "exists": Plan.objects.filter(year=year).exists(),
        "proposals": sum(len(p) for _n, p in nodes),
    }


def confirm(request, context):
    try:
        data = base64.b64decode(request.POST["data"], validate=True)
        year = int(request.POST["year"])
        tree = plan.read(data)
    except (binascii.Error, ValueError, plan.PlanError):
        messages.error(request, _("提交的计划内容无效，请重新上传。"))
        return HttpResponseRedirect(reverse("performance:plan_upload"))
    try:
        saved = plan.store(
            tree, year, replace=request.POST.get("replace") == "1", title=request.POST.get("title", "")[:200]
        )
    except plan.PlanExists as exc:
        context |= preview(tree, year) | {"data": request.POST["data"], "year": year, "refused": str(exc)}
        return render(request, "performance/upload.html", context, status=409)
    messages.success(request, _("已导入：%(plan)s") % {"plan": saved})
    return HttpResponseRedirect(saved.get_absolute_url())


# Dispatch (调度): projects by division and state, with their indicators.

STATES = (
    ("red", gettext_lazy("红：逾期或缺报")),
    ("yellow", gettext_lazy("黄：进度滞后")),
    ("green", gettext_lazy("绿：正常")),
)


@login_required
def dispatch(request):
    user = request.user
    if not can(user, Item, "view"):
        raise PermissionDenied
    plans = Plan.objects.for_user(user, "view")
    year = request.GET.get("year", "")
    current = plans.filter(year=int(year)).first() if year.isdecimal() and len(year) == 4 else plans.first()
    if current is None:
        if year:
            raise Http404
        context = {"title": _("调度会"), "plans": plans, "can_upload": can(user, Plan, "add")}
        return render(request, "performance/dispatch.html", context)
    today = timezone.localdate()
    due = progress.due_periods(current, progress.year_day(current.year, today))
    items = progress.with_progress(
        progress.live_projects(current).filter(pk__in=Item.objects.for_user(user, "view").values("pk"))
    ).select_related("owner")
    judge = progress.Judge(today)
    beside = defaultdict(list)
    for indicator in Indicator.objects.for_user(user, "view").filter(item__in=items).select_related("item__plan"):
        value = judge.value(indicator)
        beside[indicator.item_id].append((indicator, judge.reading(indicator, value), judge.state(indicator, value)))
    groups = {}
    for item in items.order_by("order"):
        state = progress.project_state(item, current.year, today, due)
        groups.setdefault(item.division, {s: [] for s, _l in STATES})[state].append((item, beside[item.pk]))
    labels = dict(DIVISIONS)
    divisions = [
        (
            labels.get(key, _("未分配处室")),
            [(label, by_state[s]) for s, label in STATES],
            sum(map(len, by_state.values())),
        )
        for key, by_state in sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))
    ]
    return render(
        request,
        "performance/dispatch.html",
        {
            "title": _("调度会：%(plan)s") % {"plan": current},
            "plan": current,
            "plans": plans,
            "divisions": divisions,
            "due": due[-1] if due else "",
            "today": today,
        },
    )


@login_required
@require_POST
def suggest(request, pk):
    found = Assessment.objects.for_user(request.user, "change").filter(pk=pk).select_related("plan").first()
    if found is None:
        raise Http404
    added = assess.record(found, timezone.localdate())
    messages.success(request, _("新增加减分建议 %(n)d 条，请逐条采纳或不采纳。") % {"n": added})
    return HttpResponseRedirect(found.get_absolute_url())


@login_required
@require_POST
def decide(request, pk):
    found = Adjustment.objects.for_user(request.user, "change").filter(pk=pk).first()
    if found is None:
        raise Http404
    state = request.POST.get("state")
    if state not in (AdjustmentState.ACCEPTED, AdjustmentState.REJECTED):
        raise Http404
    found.state, found.approved_by, found.approved_at = state, request.user, timezone.now()
    found.save()
    return HttpResponseRedirect(reverse("performance:assessment_detail", args=[found.assessment_id]))


# Editing the tree: move a node among its siblings, split its text in two.


def changeable_item(request, pk):
    found = Item.objects.for_user(request.user, "change").filter(pk=pk).first()
    if found is None:
        if Item.objects.for_user(request.user, "view").filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return found


@login_required
@require_POST
def item_move(request, pk):
    item = changeable_item(request, pk)
    try:
        tree.move(item, -1 if request.POST.get("direction") == "up" else 1)
    except tree.TreeError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(item.plan.get_absolute_url())


@login_required
def item_split(request, pk):
    item = changeable_item(request, pk)
    form = forms.SplitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rest = tree.split(item, form.cleaned_data["at"], form.cleaned_data["number"])
        except tree.TreeError as exc:
            form.add_error("at", str(exc))
        else:
            messages.success(request, _("已拆分为 %(a)s 和 %(b)s。") % {"a": item.code, "b": rest.code})
            return HttpResponseRedirect(rest.get_absolute_url())
    return render(
        request,
        "performance/split.html",
        {"title": _("拆分：%(item)s") % {"item": item}, "form": form, "object": item},
        status=400 if form.errors else 200,
    )
