from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bureau import audit, generic
from bureau.choices import AuditAction
from bureau.imports.checks import UploadRejected
from bureau.imports.template import template_response
from bureau.models import Person, Unit
from bureau.scoping import can
from party import attachments, compilation, filtersets, forms, organisation, quiz
from party.choices import Frequency
from party.models import (
    Archive,
    ArchiveEntry,
    Attachment,
    Attendance,
    Branch,
    CaseSession,
    CaseStudy,
    Clue,
    GrantError,
    InspectionRound,
    Meeting,
    MeetingKind,
    Policy,
    QuizCampaign,
    QuizResult,
    Rectification,
    Requirement,
    Training,
    grant,
    record_read,
    revoke,
)


class ExportRead(generic.ExportView):
    """A confidential export is a read of every row in it."""

    def get(self, request):
        model = self.config.model
        audit.record(
            AuditAction.ACTION,
            model=model,
            object_repr=str(model._meta.verbose_name_plural),
            changes={"read": [None, _("导出")]},
        )
        return super().get(request)


class ConfidentialViews(generic.ModelViews):
    """The pages of a record reached through grants: every detail page read is audited, the Excel
    import is left out (a file's rows would be filed with nobody holding them)."""

    actions = ("list", "detail", "add", "edit", "delete", "history", "export")
    detail_template = "party/granted_detail.html"

    @classmethod
    def urls(cls):
        n = cls.name()
        patterns = [p for p in super().urls() if p.name != f"{n}_export"]
        return [
            *patterns,
            path(f"{n}/export/", ExportRead.as_view(config=cls), name=f"{n}_export"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        record_read(obj, _("详情页"), user)
        return {}


class GrantedViews(ConfidentialViews):
    """Records with their own grants: the detail page lists who holds it, and a holder with the
    right to change it may grant it to, or take it from, other discipline staff."""

    @classmethod
    def urls(cls):
        n = cls.name()
        return [*super().urls(), path(f"{n}/<int:pk>/grants/", grants, {"config": cls}, name=f"{n}_grants")]

    @classmethod
    def detail_context(cls, obj, user):
        holder = cls.model.objects.for_user(user, "change").filter(pk=obj.pk).exists()
        return super().detail_context(obj, user) | {
            "grantees": [g.user for g in obj.grantees()],
            "grant_form": forms.GrantForm() if holder else None,
            "grants_url": reverse(cls.url_name("grants"), args=[obj.pk]),
        }


@login_required
@require_POST
def grants(request, pk, config):
    obj = config.model.objects.for_user(request.user, "change").filter(pk=pk).first()
    if obj is None:
        raise Http404
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择纪检工作人员。"))
    elif request.POST.get("revoke"):
        revoke(obj, form.cleaned_data["user"], by=request.user)
        messages.success(request, _("已取消授权：%(user)s") % {"user": form.cleaned_data["user"]})
    else:
        try:
            grant(obj, form.cleaned_data["user"], by=request.user)
        except GrantError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已授权：%(user)s") % {"user": form.cleaned_data["user"]})
    return HttpResponseRedirect(obj.get_absolute_url())


class ClueViews(GrantedViews):
    model = Clue
    form = forms.ClueForm
    filterset = filtersets.ClueFilterSet
    columns = ("number", "received_on", "source", "unit", "state", "disposal", "form")
    select_related = ("handler",)


class ArchiveViews(GrantedViews):
    model = Archive
    form = forms.ArchiveForm
    filterset = filtersets.ArchiveFilterSet
    columns = ("person", "opened_on")
    related = ((gettext_lazy("档案记录"), ArchiveEntry, "archive", ("date", "kind", "summary", "amount")),)


class ArchiveEntryViews(ConfidentialViews):
    model = ArchiveEntry
    form = forms.ArchiveEntryForm
    filterset = filtersets.ArchiveEntryFilterSet
    columns = ("archive", "kind", "date", "amount")
    select_related = ("archive__person",)


class BranchViews(generic.ModelViews):
    model = Branch
    form = forms.BranchForm
    filterset = filtersets.BranchFilterSet
    columns = ("name", "unit", "secretary", "standard_state")
    related = (
        (gettext_lazy("组织生活会议"), Meeting, "branch", ("held_on", "kind", "topics")),
        (gettext_lazy("频次要求"), Requirement, "branch", ("kind", "frequency")),
    )


class MeetingKindViews(generic.ModelViews):
    model = MeetingKind
    form = forms.MeetingKindForm
    filterset = filtersets.MeetingKindFilterSet
    columns = ("name", "frequency", "order")


class RequirementViews(generic.ModelViews):
    model = Requirement
    form = forms.RequirementForm
    filterset = filtersets.RequirementFilterSet
    columns = ("branch", "kind", "frequency")


class MeetingViews(generic.ModelViews):
    model = Meeting
    form = forms.MeetingForm
    filterset = filtersets.MeetingFilterSet
    columns = ("held_on", "branch", "kind", "topics")
    related = ((gettext_lazy("签到"), Attendance, "meeting", ("person", "present", "reason")),)
    detail_template = "party/attached_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        return files_context(obj, user)


class AttendanceViews(generic.ModelViews):
    model = Attendance
    form = forms.AttendanceForm
    filterset = filtersets.AttendanceFilterSet
    columns = ("meeting", "person", "present", "reason")
    select_related = ("meeting__kind",)


RECTIFICATION_COLUMNS = ("number", "unit", "division", "deadline", "extended_to", "state", "light_label")


class InspectionRoundViews(generic.ModelViews):
    model = InspectionRound
    form = forms.InspectionRoundForm
    filterset = filtersets.InspectionRoundFilterSet
    columns = ("name", "inspector", "started_on", "feedback_on", "warn_days")
    related = ((gettext_lazy("整改事项"), Rectification, "round", RECTIFICATION_COLUMNS[:-1]),)


class RectificationViews(generic.ModelViews):
    model = Rectification
    form = forms.RectificationForm
    filterset = filtersets.RectificationFilterSet
    columns = ("round", *RECTIFICATION_COLUMNS)
    select_related = ("round",)
    computed_reads = {"light_label": ("state", "deadline", "extended_to", "round")}
    detail_template = "party/attached_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        return files_context(obj, user)


# Files of meetings and rectification items: only these, not the confidential records, whose
# grants the download would have to follow.
ATTACHED = {"meeting": Meeting, "rectification": Rectification}


def files_context(obj, user):
    name = attachments.parent(obj)
    return {
        "files": obj.files.all(),
        "can_attach": can(user, type(obj), "change"),
        "attach_url": reverse("party:attachments", args=[name, obj.pk]),
    }


@login_required
def attachment_upload(request, model, pk):
    """Upload a file to a meeting or rectification item the user may change."""
    record_model = ATTACHED.get(model)
    if record_model is None:
        raise Http404
    if not can(request.user, record_model, "change"):
        generic.deny(request, record_model)
    record = audit.get_in_scope(record_model.objects.for_user(request.user, "change"), request.user, pk=pk)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attachments.store(record, form.cleaned_data["file"], request.user)
            except attachments.Refused as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("已上传附件。"))
                return HttpResponseRedirect(record.get_absolute_url())
        status = 400
    return render(
        request,
        "party/attachments.html",
        {
            "title": _("上传附件：%(r)s") % {"r": record},
            "record": record,
            "form": form,
            "files": record.files.all(),
        },
        status=status,
    )


@login_required
def attachment_download(request, pk):
    """The only way to a stored file: through its record, checked as its detail page is."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    record_model = type(attachment.record)
    audit.get_in_scope(record_model.objects.for_user(request.user), request.user, pk=attachment.record.pk)
    audit.record(AuditAction.ACTION, attachment.record, changes={"download": [None, attachment.name]})
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachments.CONTENT_TYPES[attachment.kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class QuizCampaignViews(generic.ModelViews):
    model = QuizCampaign
    form = forms.QuizCampaignForm
    filterset = filtersets.QuizCampaignFilterSet
    columns = ("year", "title", "excellent_score", "rank", "ranked_units")
    detail_template = "party/campaign_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        units = Unit.objects.for_user(user)
        return {
            "rates": quiz.unit_rates(obj, units),
            "total": quiz.total_rates(obj, units),
            "can_import": can(user, QuizResult, "add"),
            "import_url": reverse("party:quiz_import", args=[obj.pk]),
            "ranking_url": reverse("party:quiz_ranking_import", args=[obj.pk]),
            "can_rank": can(user, QuizCampaign, "change"),
            "results_url": reverse("party:quizresult_list") + f"?campaign={obj.pk}",
        }


class QuizResultViews(generic.ModelViews):
    model = QuizResult
    form = forms.QuizResultForm
    filterset = filtersets.QuizResultFilterSet
    columns = ("campaign", "person", "studied", "examined", "score")
    actions = ("list", "detail", "add", "edit", "delete", "history", "export")


@login_required
def quiz_import(request, pk):
    """The platform's export for one campaign: rows matched by name and unit; with people not
    matched, nothing is imported until the upload is confirmed; bad rows import nothing at all."""
    if not can(request.user, QuizResult, "add"):
        generic.deny(request, QuizResult)
    campaign = QuizCampaign.objects.for_user(request.user, "change").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    form = forms.QuizUploadForm(request.POST or None, request.FILES or None)
    reading, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            reading = quiz.read(form.cleaned_data["file"], request.user)
        except UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            if not reading.errors and reading.matched and (not reading.unmatched or form.cleaned_data["confirm"]):
                created, replaced = quiz.save(campaign, reading)
                messages.success(
                    request,
                    _("已导入 %(new)d 人的成绩，更新 %(old)d 人，跳过未匹配 %(skipped)d 人。")
                    % {"new": created, "old": replaced, "skipped": len(reading.unmatched)},
                )
                return HttpResponseRedirect(campaign.get_absolute_url())
    if request.method == "POST":
        status = 400
    return render(
        request,
        "party/quiz_import.html",
        {
            "title": _("导入法宣在线成绩：%(c)s") % {"c": campaign},
            "campaign": campaign,
            "form": form,
            "reading": reading,
            "columns": quiz.columns(),
        },
        status=status,
    )


@login_required
def quiz_template(request):
    if not can(request.user, QuizResult, "add"):
        generic.deny(request, QuizResult)
    return template_response(quiz.columns(), _("法宣在线成绩"), _("法宣在线成绩导入模板.xlsx"))


@login_required
def quiz_ranking_import(request, pk):
    """The platform's ranking of municipal units: the bureau's rank taken from its own unit's row;
    with units not matched, nothing is saved until confirmed; bad rows save nothing at all."""
    if not can(request.user, QuizCampaign, "change"):
        generic.deny(request, QuizCampaign)
    campaign = QuizCampaign.objects.for_user(request.user, "change").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    form = forms.RankingUploadForm(request.POST or None, request.FILES or None)
    ranking, status = None, 200
    if campaign.own_unit_id is None:
        form.add_error(None, _("请先在学法考试中设置“本局在排名中的单位”。"))
    elif request.method == "POST" and form.is_valid():
        try:
            ranking = quiz.read_ranking(form.cleaned_data["file"], campaign, request.user)
        except UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            if not ranking.errors and (not ranking.unmatched or form.cleaned_data["confirm"]):
                quiz.save_ranking(campaign, ranking)
                messages.success(
                    request,
                    _("本局排名第 %(rank)d 名（共 %(n)d 个单位）。")
                    % {"rank": campaign.rank, "n": campaign.ranked_units},
                )
                return HttpResponseRedirect(campaign.get_absolute_url())
    if request.method == "POST":
        status = 400
    return render(
        request,
        "party/ranking_import.html",
        {
            "title": _("导入法宣在线单位排名：%(c)s") % {"c": campaign},
            "campaign": campaign,
            "form": form,
            "ranking": ranking,
            "columns": quiz.ranking_columns(),
        },
        status=status,
    )


@login_required
def quiz_ranking_template(request):
    if not can(request.user, QuizCampaign, "change"):
        generic.deny(request, QuizCampaign)
    return template_response(quiz.ranking_columns(), _("单位排名"), _("法宣在线单位排名导入模板.xlsx"))


class CaseStudyViews(generic.ModelViews):
    model = CaseStudy
    form = forms.CaseStudyForm
    filterset = filtersets.CaseStudyFilterSet
    columns = ("month", "title", "source")
    related = ((gettext_lazy("各支部学习情况"), CaseSession, "case", ("branch", "held_on")),)


class CaseSessionViews(generic.ModelViews):
    model = CaseSession
    form = forms.CaseSessionForm
    filterset = filtersets.CaseSessionFilterSet
    columns = ("case", "branch", "held_on")


class PolicyViews(generic.ModelViews):
    model = Policy
    form = forms.PolicyForm
    filterset = filtersets.PolicyFilterSet
    columns = ("number", "title", "issuer", "issued_on", "category", "state")
    # The list and its export leave out the full text; the detail page shows it.
    related = ((gettext_lazy("被本文件修订的文件"), Policy, "revised_by", ("number", "title", "issued_on")),)


class TrainingViews(generic.ModelViews):
    model = Training
    form = forms.TrainingForm
    filterset = filtersets.TrainingFilterSet
    columns = ("start", "kind", "title", "hours", "organiser")


@login_required
def policy_compilation(request):
    """The annual compilation: every policy in force (or issued in the year), by category, with a
    table of contents; as a Word document (HTML Word opens) or an Excel workbook."""
    if not can(request.user, Policy, "view"):
        raise PermissionDenied
    year = year_param(request)
    policies = Policy.objects.for_user(request.user).filter(issued_on__year__lte=year).order_by("category", "issued_on")
    if request.GET.get("format") == "xlsx":
        return compilation.workbook(policies, year)
    return compilation.document(policies, year)


@login_required
def training_hours(request):
    """Hours of study and training per person in a year."""
    if not can(request.user, Training, "view"):
        raise PermissionDenied
    year = year_param(request)
    rows = (
        Person.objects.for_user(request.user)
        .filter(**{"party_trainings__start__year": year})
        .values("pk", "name", "unit__name")
        .annotate(hours=Sum("party_trainings__hours"), sessions=Count("party_trainings"))
        .order_by("-hours", "unit__name", "name")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "party/training_hours.html",
        {"title": _("个人学习培训学时"), "year": year, "page": page, "query": f"year={year}"},
    )


def year_param(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def meeting_grid(request):
    """Branch × period: for one kind and year, each month's meetings, and each period that ended
    without one."""
    if not can(request.user, Meeting, "view"):
        raise PermissionDenied
    year = year_param(request)
    kinds = list(MeetingKind.objects.all())
    kind = next((k for k in kinds if str(k.pk) == request.GET.get("kind")), kinds[0] if kinds else None)
    today = timezone.localdate()
    branches = list(Branch.objects.for_user(request.user).select_related("unit").order_by("unit__name", "name"))
    found = organisation.slots(branches, [kind], year) if kind else {}
    counts = organisation.held_by_month(branches, [kind], year) if kind else {}
    rows = []
    for branch in branches:
        frequency, year_slots = found.get((branch.pk, kind.pk), (None, [])) if kind else (None, [])
        months = [(counts.get((branch.pk, kind.pk, m), 0), "") for m in range(1, 13)]
        for slot in year_slots:
            for m in range(slot.start.month, slot.end.month + 1):
                months[m - 1] = (months[m - 1][0], slot.state(today))
        label = Frequency(frequency).label if frequency else None
        rows.append((branch, label, months, sum(bool(s.held) for s in year_slots), len(year_slots)))
    return render(
        request,
        "party/grid.html",
        {
            "title": _("组织生活开展情况"),
            "year": year,
            "kinds": kinds,
            "kind": kind,
            "rows": rows,
            "months": range(1, 13),
        },
    )
