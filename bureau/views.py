import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import Count
from django.forms import formset_factory
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from bureau import audit, cockpit, generic, reports, tasks, workflow
from bureau.choices import JobState, RequestState, SubmissionState
from bureau.excel import write_rows
from bureau.filtersets import DataRequestFilterSet, PersonFilterSet, SubmissionFilterSet, UnitFilterSet
from bureau.forms import DataRequestForm, PersonForm, ReportYearForm, UnitForm
from bureau.imports.checks import UploadRejected
from bureau.imports.columns import columns_for_form
from bureau.imports.rows import parse_upload
from bureau.imports.template import template_response
from bureau.models import DataRequest, Job, Person, Submission, Unit
from bureau.roles import user_roles
from bureau.scoping import has_model_perm, user_unit_ids


class UnitViews(generic.ModelViews):
    model = Unit
    form = UnitForm
    filterset = UnitFilterSet
    columns = ("name", "short_name", "uscc", "kind", "parent", "is_public_institution", "active")
    related = (("人员", Person, "unit", ("name", "rank")),)


class PersonViews(generic.ModelViews):
    model = Person
    form = PersonForm
    filterset = PersonFilterSet
    columns = ("name", "unit", "rank", "id_number_masked")
    labels = {"id_number_masked": "身份证号"}
    computed_reads = {"id_number_masked": ("id_number",)}
    detail_fields = ("name", "unit", "rank", "id_number", "user")


@login_required
def home(request):
    """One home per role: a liaison's unit tasks, a reviewer's queue, a leader's dashboard."""
    user = request.user
    context = {"roles": user_roles(user)}
    unit_ids = user_unit_ids(user)
    if unit_ids:
        context["my_units"] = Unit.objects.filter(pk__in=unit_ids)
        own = Submission.objects.for_user(user, "view").filter(unit__in=unit_ids)
        tasks = (
            own.filter(request__state=RequestState.OPEN)
            .exclude(state=SubmissionState.APPROVED)
            .select_related("request", "unit")
            .order_by("deadline", "pk")[:100]
        )
        today = timezone.localdate()
        for task in tasks:
            # Late is red whatever the state; a returned one waiting for the unit is orange.
            due = workflow.due_class(task, today)
            task.mark = "returned" if due != "overdue" and task.state == SubmissionState.RETURNED else due
        context["my_tasks"] = tasks
        context["my_done"] = (
            own.filter(state=SubmissionState.APPROVED).select_related("request", "unit").order_by("-reviewed_at")[:10]
        )
    if has_model_perm(user, Submission, "change"):
        context["review_queue"] = (
            Submission.objects.for_user(user, "change")
            .filter(state__in=workflow.UNDER_REVIEW)
            .select_related("request", "unit")
            .order_by("submitted_at")[:50]
        )
    areas = cockpit.dashboard_areas(user)
    if areas:
        if request.GET.get("format") == "xlsx":
            return cockpit.dashboard_export(cockpit.dashboard_context(request, areas))
        context["cockpit"] = cockpit.dashboard_html(request, areas)
    return render(request, "bureau/home.html", context)


@require_GET
def healthz(request):
    """For the load balancer and compose health check: answers when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class DataRequestViews(generic.ModelViews):
    model = DataRequest
    form = DataRequestForm
    filterset = DataRequestFilterSet
    columns = ("title", "kind_title", "year", "frequency", "deadline", "state")
    detail_fields = (
        "title",
        "kind_title",
        "year",
        "frequency",
        "deadline",
        "grace_days",
        "state",
        "note",
        "created_by",
    )
    detail_template = "bureau/datarequest_detail.html"
    actions = ("list", "detail", "add", "edit", "delete", "history", "export")

    @classmethod
    def editable(cls, obj):
        return obj.state == RequestState.DRAFT

    @classmethod
    def detail_context(cls, obj, user):
        subs = obj.submissions.for_user(user, "view")
        counts = dict(subs.values_list("state").annotate(n=Count("pk")).order_by())
        return {
            "state_counts": [(label, counts.get(value, 0), value) for value, label in SubmissionState.choices],
            "total": sum(counts.values()),
            "can_publish": obj.state == RequestState.DRAFT
            and DataRequest.objects.for_user(user, "change").filter(pk=obj.pk).exists(),
            "grid_url": reverse("bureau:datarequest_grid", args=[obj.pk]),
        }


class SubmissionViews(generic.ModelViews):
    model = Submission
    filterset = SubmissionFilterSet
    columns = ("request", "unit", "period", "state", "deadline", "submitted_at")
    # The detail page is the workflow page below (fill, submit, review), not the generic one.
    actions = ("list", "history", "export")
    ordering = ("deadline", "pk")

    @classmethod
    def history_text(cls, obj, name, value):
        if name == "rows" and isinstance(value, list):
            form = workflow.kind_of(obj).row_form(submission=obj)
            labels = [f.label for f in form.fields.values()]
            return "；".join(
                "，".join(f"{label} {cell}" for label, cell in zip(labels, row, strict=True) if cell)
                for row in readable_rows(form, value)
            )
        if name == "flags" and isinstance(value, list):
            return "；".join(str(f.get("message", "")) if isinstance(f, dict) else str(f) for f in value)
        return None


def readable_rows(form, rows):
    """A submission's stored rows (raw form data) as a person reads them, in the form's columns:
    a choice's label, not its code."""
    return [[_cell(field, row.get(name)) for name, field in form.fields.items()] for row in rows]


def _cell(field, value):
    if value is None or value == "":
        return ""
    if isinstance(field, forms.ChoiceField):
        return str({str(code): label for code, label in field.choices}.get(str(value), value))
    if isinstance(field, forms.BooleanField):
        return _("是") if value in (True, "True", "true", "on", "1") else _("否")
    return str(value)


def _submission(request, pk, action="view"):
    scoped = Submission.objects.for_user(request.user, action).select_related("request", "unit")
    return audit.get_in_scope(scoped, request.user, pk=pk)


@login_required
def submission_detail(request, pk):
    """The one page of a submission: the liaison fills and submits; the reviewer returns or approves."""
    sub = _submission(request, pk)
    kind = workflow.kind_of(sub)
    can_fill = workflow.can_fill(request.user, sub)
    fillable = sub.editable and can_fill
    reviewer = workflow.can_review(request.user, sub)
    formset_class = formset_factory(kind.row_form, extra=kind.extra_rows if fillable else 0, can_delete=fillable)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit") and fillable:
                formset = formset_class(request.POST, form_kwargs={"submission": sub})
                rows = _posted_rows(formset)
                errors = workflow.save_rows(sub, rows, request.user)
                if not errors and action == "submit":
                    workflow.submit(sub, request.user)
                    messages.success(request, _("已报送，等待审核。"))
                    return redirect(sub.get_absolute_url())
                if not errors:
                    messages.success(request, _("已保存。"))
                    return redirect(sub.get_absolute_url())
            elif action == "upload" and fillable:
                rows, errors = _uploaded_rows(request, sub, kind)
                if not errors:
                    errors = workflow.save_rows(sub, rows, request.user)
                if not errors:
                    messages.success(request, _("已导入 %(n)d 行，请核对后报送。") % {"n": len(rows)})
                    return redirect(sub.get_absolute_url())
            elif action == "withdraw" and can_fill:
                workflow.withdraw(sub, request.user)
                messages.success(request, _("已撤回，可修改后重新报送。"))
                return redirect(sub.get_absolute_url())
            elif action in ("approve", "return", "reopen") and reviewer:
                comment = request.POST.get("comment", "")
                {"approve": workflow.approve, "return": workflow.return_, "reopen": workflow.reopen}[action](
                    sub, request.user, comment
                )
                messages.success(request, _review_done(sub, action))
                return redirect(sub.get_absolute_url())
            else:
                generic.deny(request, Submission)
        except workflow.TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(sub.get_absolute_url())
    row_form = kind.row_form(submission=sub)
    labels = {name: field.label for name, field in row_form.fields.items()}
    initial = sub.rows
    formset = formset_class(initial=initial, form_kwargs={"submission": sub})
    if errors and request.method == "POST" and "form-TOTAL_FORMS" in request.POST:
        formset = formset_class(request.POST, form_kwargs={"submission": sub})
    return render(
        request,
        "bureau/submission.html",
        {
            "sub": sub,
            "kind": kind,
            "formset": formset,
            "fillable": fillable,
            "reviewer": reviewer,
            "withdrawable": sub.state in workflow.UNDER_REVIEW and not reviewer and can_fill,
            "errors": errors,
            "reviews": sub.reviews.select_related("user"),
            "due": workflow.due_class(sub),
            "title": f"{sub.request.title}（{sub.unit.name}，{sub.period}）",
            "columns": [f.label for f in row_form.fields.values()],
            "rows": readable_rows(row_form, sub.rows),
            "flags": [f | {"field": labels.get(f.get("field"), f.get("field"))} for f in sub.flags or ()],
        },
        status=400 if errors else 200,
    )


def _review_done(sub, action):
    """What a reviewer's action did, said in full; a return or reopening is e-mailed to the unit."""
    names = {"unit": sub.unit.name, "period": sub.period}
    if action == "approve":
        return _("已通过%(unit)s %(period)s 的填报，数据已锁定。") % names
    done = _("已退回%(unit)s") if action == "return" else _("已重新打开%(unit)s %(period)s 的填报")
    if tasks.notify_returned(sub):
        return (done + _("，已通知联络员。")) % names
    return (done + _("；该单位没有登记邮箱的联络员，请电话告知。")) % names


def _posted_rows(formset):
    """The non-empty, non-deleted rows of a posted formset, as raw strings."""
    rows = []
    for form in formset.forms:
        prefix = form.prefix + "-"
        raw = {name: form.data.get(prefix + name, "") for name in form.fields if name != "DELETE"}
        if form.data.get(prefix + "DELETE") or not any(str(v).strip() for v in raw.values()):
            continue
        rows.append(raw)
    return rows


def _uploaded_rows(request, sub, kind):
    upload = request.FILES.get("file")
    if upload is None:
        return [], [(None, "", _("请选择要上传的 Excel 文件。"))]
    try:
        cleaned, row_errors = parse_upload(upload, kind.row_form, {"submission": sub})
    except UploadRejected as exc:
        return [], [(None, "", str(exc))]
    if row_errors:
        return [], [(e.row, e.column, e.message) for e in row_errors]
    form = kind.row_form(submission=sub)
    return [
        {k: form.fields[k].prepare_value(v) if v is not None else "" for k, v in row.items()} for row in cleaned
    ], []


@login_required
def submission_template(request, pk):
    sub = _submission(request, pk)
    kind = workflow.kind_of(sub)
    return template_response(columns_for_form(kind.row_form), kind.title, f"{kind.title}-{sub.period}")


@login_required
def request_publish(request, pk):
    obj = audit.get_in_scope(DataRequest.objects.for_user(request.user, "change"), request.user, pk=pk)
    if request.method != "POST":
        return redirect(obj.get_absolute_url())
    try:
        n = workflow.publish(obj, request.user)
        messages.success(request, _("已发布，生成 %(n)d 份填报。") % {"n": n})
    except workflow.TransitionError as exc:
        messages.error(request, str(exc))
    return redirect(obj.get_absolute_url())


def grid_data(obj, user):
    """Units × periods with each cell's state and due class, and counts per state."""
    subs = obj.submissions.for_user(user, "view").select_related("unit").order_by("unit__name", "period_index")
    today = timezone.localdate()
    labels = [label for label, _i, _d in workflow.periods(obj.year, obj.frequency)]
    table = {}
    for sub in subs:
        row = table.setdefault(sub.unit_id, {"unit": sub.unit, "cells": {}})
        row["cells"][sub.period] = (sub, workflow.due_class(sub, today))
    rows = [(r["unit"], [r["cells"].get(p) for p in labels]) for r in table.values()]
    return labels, rows


@login_required
def request_grid(request, pk):
    obj = audit.get_in_scope(DataRequest.objects.for_user(request.user, "view"), request.user, pk=pk)
    can_remind = (
        obj.state == RequestState.OPEN
        and DataRequest.objects.for_user(request.user, "change").filter(pk=obj.pk).exists()
    )
    if request.method == "POST":
        if not can_remind:
            generic.deny(request, DataRequest)
        _remind(request, obj)
        return redirect(request.path)
    labels, rows = grid_data(obj, request.user)
    flat = [cell for _u, cells in rows for cell in cells if cell]
    summary = {
        "total": len(flat),
        "approved": sum(1 for s, _d in flat if s.state == SubmissionState.APPROVED),
        "waiting": sum(1 for s, _d in flat if s.state in workflow.UNDER_REVIEW),
        "overdue": sum(1 for _s, d in flat if d == "overdue"),
        "due": sum(1 for _s, d in flat if d == "due"),
    }
    if request.GET.get("format") == "xlsx":
        return _grid_export(obj, labels, rows)
    # A liaison may open the grid but not the request's page: their way back is their home.
    back = obj.get_absolute_url() if has_model_perm(request.user, DataRequest, "view") else reverse("home")
    reminded = tasks.last_reminders(obj) if can_remind else {}
    # Each row with its last 催报 and whether the unit has anything left to send.
    table = [
        (unit, cells, reminded.get(unit.pk), any(c and c[0].state in workflow.EDITABLE for c in cells))
        for unit, cells in rows
    ]
    return render(
        request,
        "bureau/grid.html",
        {
            "object": obj,
            "labels": labels,
            "rows": rows,
            "table": table,
            "summary": summary,
            "title": obj.title,
            "back": back,
            "can_remind": can_remind,
        },
    )


def _remind(request, obj):
    """催报 from the grid: one unit's unsent submissions, or every late one ("late")."""
    target = request.POST.get("remind", "")
    pending = obj.submissions.for_user(request.user, "change").filter(state__in=workflow.EDITABLE)
    if target == "late":
        pending = pending.filter(deadline__lt=timezone.localdate())
    elif target.isdigit():
        pending = pending.filter(unit_id=int(target))
    else:
        pending = pending.none()
    units, sent = tasks.remind_now(obj, pending, request.user)
    if not units:
        messages.error(request, _("没有需要催报的单位。"))
        return
    names = "、".join(u.name for u in units[:5]) + (_("等 %(n)d 个单位") % {"n": len(units)} if len(units) > 5 else "")
    messages.success(request, _("已向%(units)s催报，已发送 %(n)d 封邮件。") % {"units": names, "n": sent})


def _grid_export(obj, labels, rows):
    def cell(entry):
        if entry is None:
            return ""
        sub, due = entry
        return sub.get_state_display() + ("（逾期）" if due == "overdue" else "")

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="完成情况")
    write_rows(sheet, ["单位", *labels], ([unit.name, *map(cell, cells)] for unit, cells in rows))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{obj.title}-完成情况.xlsx")


@login_required
def annual_reports(request):
    """Past annual workbooks, and building a new one (a Celery task; the page shows its progress)."""
    if not request.user.has_perm("bureau.view_annual_report"):
        generic.deny(request, Job)
    form = ReportYearForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        year = form.cleaned_data["year"]
        job = Job.objects.create(
            kind="annual_report",
            title=_("%(year)d 年度统计报表") % {"year": year},
            user=request.user,
            params={"year": year},
        )
        transaction.on_commit(lambda: tasks.build_annual_report.delay(job.pk))
        messages.success(request, _("已开始生成，完成后可在下表下载。"))
        return redirect("annual_reports")
    jobs = Job.objects.filter(kind="annual_report").select_related("user")[:50]
    today = timezone.localdate()
    for error in form.errors.get("year", ()):
        messages.error(request, error)
    return render(
        request,
        "bureau/annual_reports.html",
        {
            "jobs": jobs,
            "running": any(j.state in (JobState.PENDING, JobState.RUNNING) for j in jobs),
            "years": list(range(today.year, today.year - 6, -1)),
            "sheets": reports.all_sheets(),
            "title": _("年度统计报表"),
        },
        status=400 if form.errors else 200,
    )
