"""党建与党风廉政: branches and their organisational life, inspection rectification, the law quiz,
the policy library, study and training; and the confidential records of 纪检 — problem clues and
integrity archives — which are reached one by one through grants (bureau.scoping.granted_scope)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from bureau import audit
from bureau.choices import AuditAction
from bureau.models import BaseModel, Person, Unit
from bureau.scoping import has_model_perm
from party.choices import (
    ClueSource,
    ClueState,
    Disposal,
    EntryKind,
    Form,
    Frequency,
    Light,
    PolicyState,
    RectificationState,
    StandardState,
    TrainingKind,
)

GRANTED_ACTIONS = ("view", "change", "delete")


class GrantError(Exception):
    pass


# Confidential records (纪检) -------------------------------------------------------------------------


class Granted(BaseModel):
    """A record of the discipline role that only the staff granted it may reach. Whoever files it
    holds it (party.forms.GrantingForm, party.api.GrantingSerializer); they may grant it to other
    discipline staff. Reads are audited like writes."""

    area = "discipline"
    sensitive = True
    granted = True
    liaison_actions = ()

    class Meta:
        abstract = True

    def grantees(self):
        from guardian.utils import get_user_obj_perms_model

        return (
            get_user_obj_perms_model(type(self))
            .objects.filter(content_object=self, permission__codename=f"view_{self._meta.model_name}")
            .select_related("user")
            .order_by("user__username")
        )


def grant(obj, user, by=None):
    """Open `obj` to `user`, who must hold the discipline role's permission on its model."""
    from guardian.shortcuts import assign_perm

    model = type(obj)
    if not has_model_perm(user, model, "view"):
        raise GrantError(_("只能授权给纪检工作人员。"))
    for action in GRANTED_ACTIONS:
        assign_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}", user, obj)
    audit.record(AuditAction.GRANT, obj, changes={"grantee": [None, user.username]}, user=by)


def revoke(obj, user, by=None):
    from guardian.shortcuts import remove_perm

    model = type(obj)
    for action in GRANTED_ACTIONS:
        remove_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}", user, obj)
    audit.record(AuditAction.GRANT, obj, changes={"grantee": [user.username, None]}, user=by)


def record_read(obj, how, user=None):
    """Every read of a confidential record is in the audit trail, as every write is."""
    audit.record(AuditAction.ACTION, obj, changes={"read": [None, str(how)]}, user=user)


class Clue(Granted):
    number = models.CharField(_("线索编号"), max_length=30, unique=True)
    received_on = models.DateField(_("受理日期"))
    source = models.CharField(_("线索来源"), max_length=12, choices=ClueSource.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("被反映人所在单位"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("被反映人"), max_length=100)
    summary = models.TextField(_("反映的主要问题"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("办理状态"), max_length=10, choices=ClueState.choices, default=ClueState.RECEIVED)
    disposal = models.CharField(_("处置方式"), max_length=10, choices=Disposal.choices, blank=True)
    form = models.CharField(_("四种形态"), max_length=1, choices=Form.choices, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)

    audit_hidden = ("subject", "summary", "outcome")

    class Meta:
        verbose_name = _("问题线索")
        verbose_name_plural = _("问题线索")
        ordering = ["-received_on", "-pk"]

    def grant_handler(self, by):
        """Whoever handles a clue holds it."""
        if self.handler_id and not type(self).objects.for_user(self.handler).filter(pk=self.pk).exists():
            grant(self, self.handler, by=by)

    def clean(self):
        if self.state == ClueState.CONCLUDED:
            errors = {}
            if not self.disposal:
                errors["disposal"] = _("办结的线索须填写处置方式。")
            if not self.outcome:
                errors["outcome"] = _("办结的线索须填写办理结果。")
            if errors:
                raise ValidationError(errors)

    def __str__(self):
        # No name: this text is the audit trail's and the page title's.
        return _("问题线索 %(number)s") % {"number": self.number}


class ClueUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign keys: a clue's grants join on an indexed integer (as bureau's Unit grants)."""

    content_object = models.ForeignKey(Clue, on_delete=models.CASCADE)

    area = "discipline"
    sensitive = True


class Archive(Granted):
    """廉政档案: one per cadre; its entries are the declarations, talks and findings."""

    person = models.OneToOneField(Person, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="archive")
    opened_on = models.DateField(_("建档日期"))
    note = models.TextField(_("备注"), blank=True)

    unit_field = "person__unit"
    self_field = "person__user"  # the cadre reads their own archive

    class Meta:
        verbose_name = _("廉政档案")
        verbose_name_plural = _("廉政档案")
        ordering = ["person__unit_id", "person__name"]

    def __str__(self):
        return _("%(person)s的廉政档案") % {"person": self.person.name}


class ArchiveUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Archive, on_delete=models.CASCADE)

    area = "discipline"
    sensitive = True


class ArchiveEntry(BaseModel):
    """One declaration, talk or finding in an archive: whoever reaches the archive reaches it."""

    archive = models.ForeignKey(Archive, verbose_name=_("廉政档案"), on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("类别"), max_length=10, choices=EntryKind.choices)
    date = models.DateField(_("日期"))
    summary = models.TextField(_("内容"))
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("上交礼品礼金的价值。")
    )

    area = "discipline"
    sensitive = True
    granted_through = "archive"
    unit_field = "archive__person__unit"
    liaison_actions = ()
    audit_hidden = ("summary",)

    class Meta:
        verbose_name = _("廉政档案记录")
        verbose_name_plural = _("廉政档案记录")
        ordering = ["archive_id", "-date", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"


# Branches and organisational life (机关党委) ---------------------------------------------------------


class Branch(BaseModel):
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="party_branches")
    name = models.CharField(_("支部名称"), max_length=100, unique=True)
    secretary = models.ForeignKey(
        Person, verbose_name=_("支部书记"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(Person, verbose_name=_("党员"), blank=True, related_name="party_branches")
    committee = models.ManyToManyField(Person, verbose_name=_("支委委员"), blank=True, related_name="+")
    standard_state = models.CharField(
        _("标准化规范化建设"), max_length=12, choices=StandardState.choices, default=StandardState.NOT_STARTED
    )
    checklist = models.TextField(
        _("达标检查清单"), blank=True, help_text=_("逐项写明标准化规范化建设的检查项及完成情况，一行一项。")
    )
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("材料名称、文号或存放位置。"))

    read_by_areas = ("discipline",)  # the monthly case study is recorded per branch

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["unit_id", "name"]

    def __str__(self):
        return self.name


class MeetingKind(BaseModel):
    """A kind of organisational life and how often a branch must hold it unless its own
    requirement says otherwise (《中国共产党支部工作条例（试行）》; DOMAIN.md)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    frequency = models.CharField(_("默认频次"), max_length=12, choices=Frequency.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("组织生活类型")
        verbose_name_plural = _("组织生活类型")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Requirement(BaseModel):
    """A branch's own frequency for a kind, where it differs from the kind's default."""

    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="requirements")
    kind = models.ForeignKey(MeetingKind, verbose_name=_("组织生活类型"), on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices)

    unit_field = "branch__unit"

    class Meta:
        verbose_name = _("组织生活频次要求")
        verbose_name_plural = _("组织生活频次要求")
        ordering = ["branch_id", "kind__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "kind"],
                name="requirement_once",
                violation_error_message=_("该支部已有此类型的要求。"),
            )
        ]

    def __str__(self):
        return f"{self.branch} {self.kind} {self.get_frequency_display()}"


class Meeting(BaseModel):
    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="meetings")
    kind = models.ForeignKey(MeetingKind, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("召开日期"))
    topics = models.CharField(_("主题"), max_length=200)
    notice = models.TextField(_("会议通知"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)

    unit_field = "branch__unit"

    class Meta:
        verbose_name = _("组织生活会议")
        verbose_name_plural = _("组织生活会议")
        ordering = ["-held_on", "-pk"]
        # The grid and the on-time share: a year's meetings per branch and kind.
        indexes = [models.Index(fields=["branch", "kind", "held_on"], name="meeting_branch_kind_day")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.kind} {self.topics}"


class Attendance(BaseModel):
    """A member's sign-in: present, or absent with the reason."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    unit_field = "meeting__branch__unit"

    class Meta:
        verbose_name = _("会议签到")
        verbose_name_plural = _("会议签到")
        ordering = ["meeting_id", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="attendance_once", violation_error_message=_("此人已签到。")
            )
        ]

    def __str__(self):
        return f"{self.person} {_('出席') if self.present else _('缺席')}"

    def clean(self):
        errors = {}
        if self.meeting_id and self.person_id and not self.meeting.branch.members.filter(pk=self.person_id).exists():
            errors["person"] = _("%(person)s 不是%(branch)s的党员，不能签到。") % {
                "person": self.person,
                "branch": self.meeting.branch,
            }
        if not self.present and not self.reason.strip():
            errors["reason"] = _("缺席须写明原因。")
        if errors:
            raise ValidationError(errors)


# Inspection rectification (巡视巡察整改) ---------------------------------------------------------------


class InspectionRound(BaseModel):
    name = models.CharField(_("巡视巡察轮次"), max_length=100, unique=True)
    inspector = models.CharField(_("巡视巡察组"), max_length=100)
    started_on = models.DateField(_("进驻日期"))
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    warn_days = models.PositiveSmallIntegerField(
        _("黄灯预警天数"), default=10, help_text=_("距整改期限不超过此天数时亮黄灯，逾期亮红灯。")
    )

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("巡视巡察轮次")
        verbose_name_plural = _("巡视巡察轮次")
        ordering = ["-started_on"]

    def __str__(self):
        return self.name


class Rectification(BaseModel):
    round = models.ForeignKey(
        InspectionRound, verbose_name=_("巡视巡察轮次"), on_delete=models.PROTECT, related_name="items"
    )
    number = models.CharField(_("问题编号"), max_length=20)
    problem = models.TextField(_("反馈问题"))
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    division = models.CharField(_("责任处室"), max_length=60)
    person = models.ForeignKey(
        Person, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    measures = models.TextField(_("整改措施"))
    deadline = models.DateField(_("整改期限"))
    state = models.CharField(
        _("整改状态"), max_length=12, choices=RectificationState.choices, default=RectificationState.OPEN
    )
    progress = models.TextField(_("进展情况"), blank=True)
    evidence = models.TextField(_("整改佐证材料"), blank=True, help_text=_("销号须附佐证材料。"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核销号人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_on = models.DateField(_("销号日期"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    mechanism = models.TextField(_("长效机制"), blank=True, help_text=_("为防止问题反弹建立的制度和机制。"))

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["round_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"], name="rectification_once", violation_error_message=_("本轮已有此编号。")
            )
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="rectification_state_due")]  # the red list

    def __str__(self):
        return f"{self.round} {self.number}"

    @property
    def due(self):
        return self.extended_to or self.deadline

    def light(self, today=None):
        """Green; yellow with `warn_days` or fewer left; red once overdue. None once closed."""
        if self.state == RectificationState.CLOSED:
            return None
        left = (self.due - (today or timezone.localdate())).days
        if left < 0:
            return Light.RED
        return Light.YELLOW if left <= self.round.warn_days else Light.GREEN

    @property
    def light_label(self):
        found = self.light()
        return str(found.label if found else _("已销号"))

    light_label.fget.short_description = _("预警")

    def clean(self):
        errors = {}
        if self.state in (RectificationState.SUBMITTED, RectificationState.CLOSED) and not self.evidence.strip():
            errors["evidence"] = _("提交销号须附整改佐证材料。")
        if self.state == RectificationState.CLOSED:
            if self.reviewer_id is None:
                errors["reviewer"] = _("销号须经审核人签字确认。")
            if self.signed_off_on is None:
                errors["signed_off_on"] = _("销号须填写审核销号日期。")
        if self.state == RectificationState.EXTENDED:
            if not self.extension_reason.strip():
                errors["extension_reason"] = _("延期须写明理由。")
            if self.extended_to is None:
                errors["extended_to"] = _("延期须填写新的整改期限。")
        if self.extended_to and self.deadline and self.extended_to <= self.deadline:
            errors["extended_to"] = _("延期后的期限须晚于原整改期限。")
        if errors:
            raise ValidationError(errors)


# Law quiz (法宣在线) --------------------------------------------------------------------------------


def percent_field(label, **kwargs):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0, _("不能小于 0。")), MaxValueValidator(100, _("不能大于 100。"))],
        **kwargs,
    )


class QuizCampaign(BaseModel):
    """One round of the online law quiz, with the plan's targets and the score counted excellent."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    excellent_score = percent_field(_("优秀分数线"), default=90, help_text=_("成绩不低于此分为优秀。"))
    study_target = percent_field(_("参学率目标（%）"), default=100)
    exam_target = percent_field(_("参考率目标（%）"), default=100)
    excellent_target = percent_field(_("优秀率目标（%）"), default=90)
    rank = models.PositiveSmallIntegerField(_("本局在市直单位中的排名"), null=True, blank=True)
    ranked_units = models.PositiveSmallIntegerField(_("参加排名的单位数"), null=True, blank=True)
    rank_score = models.DecimalField(_("本局排名得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank_target = models.PositiveSmallIntegerField(
        _("排名目标（前 N 名）"), default=10, help_text=_("工作要点的目标，例如争取市直单位前十名。")
    )
    own_unit = models.ForeignKey(
        Unit,
        verbose_name=_("本局在排名中的单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("导入平台的单位排名表时，按此单位取本局的名次。"),
    )

    unit_field = None
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("学法考试")
        verbose_name_plural = _("学法考试")
        ordering = ["-year", "-pk"]

    def __str__(self):
        return f"{self.year} {self.title}"

    def clean(self):
        if self.rank and self.ranked_units and self.rank > self.ranked_units:
            raise ValidationError({"rank": _("排名不能大于参加排名的单位数。")})

    @property
    def rank_met(self):
        """Whether the bureau's rank reaches the target (None before a rank is known)."""
        return None if self.rank is None else self.rank <= self.rank_target


class QuizResult(BaseModel):
    campaign = models.ForeignKey(
        QuizCampaign, verbose_name=_("学法考试"), on_delete=models.CASCADE, related_name="results"
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    studied = models.BooleanField(_("参学"), default=False)
    examined = models.BooleanField(_("参考"), default=False)
    score = percent_field(_("成绩"), null=True, blank=True)

    unit_field = "person__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("学法考试成绩")
        verbose_name_plural = _("学法考试成绩")
        ordering = ["campaign_id", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="quizresult_once", violation_error_message=_("此人已有成绩。")
            )
        ]

    def __str__(self):
        return f"{self.campaign} {self.person}"

    def clean(self):
        if self.score is not None and not self.examined:
            raise ValidationError({"score": _("未参考的人员不能有成绩。")})


# Monthly case study (每月一案) ----------------------------------------------------------------------


class CaseStudy(BaseModel):
    """The month's case, chosen by 纪检, studied by every branch."""

    month = models.DateField(_("月份"), unique=True, help_text=_("填该月 1 日。"))
    title = models.CharField(_("案例"), max_length=200)
    summary = models.TextField(_("案情与警示"))
    source = models.CharField(_("案例来源"), max_length=100, blank=True, help_text=_("如：中央纪委国家监委网站通报。"))

    area = "discipline"
    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("每月一案")
        verbose_name_plural = _("每月一案")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.title}"

    def clean(self):
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)


class CaseSession(BaseModel):
    """A branch's study of the month's case, and its members present."""

    case = models.ForeignKey(CaseStudy, verbose_name=_("每月一案"), on_delete=models.CASCADE, related_name="sessions")
    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("学习日期"))
    attendees = models.ManyToManyField(Person, verbose_name=_("参学党员"), blank=True, related_name="+")
    note = models.TextField(_("学习讨论情况"), blank=True)

    area = "discipline"
    unit_field = "branch__unit"

    class Meta:
        verbose_name = _("案例学习")
        verbose_name_plural = _("案例学习")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "branch"],
                name="casesession_once",
                violation_error_message=_("该支部已登记本月案例学习。"),
            )
        ]

    def __str__(self):
        return f"{self.case} {self.branch}"


# Policy library (制度汇编) ---------------------------------------------------------------------------


class Policy(BaseModel):
    number = models.CharField(_("文号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=100)
    issued_on = models.DateField(_("印发日期"))
    category = models.CharField(_("类别"), max_length=30, help_text=_("如：党建、纪检、财务、资产、综合。"))
    state = models.CharField(_("状态"), max_length=10, choices=PolicyState.choices, default=PolicyState.CURRENT)
    revised_by = models.ForeignKey(
        "self", verbose_name=_("修订后的文件"), null=True, blank=True, on_delete=models.PROTECT, related_name="revises"
    )
    text = models.TextField(_("全文"), blank=True)

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("制度文件")
        verbose_name_plural = _("制度文件")
        ordering = ["category", "-issued_on", "number"]

    def __str__(self):
        return f"{self.title}（{self.number}）"

    def clean(self):
        errors = {}
        if self.revised_by_id is not None and self.revised_by_id == self.pk:
            errors["revised_by"] = _("文件不能被其自身修订。")
        if self.state == PolicyState.REVISED and self.revised_by_id is None:
            errors["revised_by"] = _("已修订的文件须指明修订后的文件。")
        if self.state != PolicyState.REVISED and self.revised_by_id is not None:
            errors["state"] = _("指明了修订后的文件，状态应为“已修订”。")
        if errors:
            raise ValidationError(errors)


# Study and training ------------------------------------------------------------------------------


class Training(BaseModel):
    kind = models.CharField(_("类型"), max_length=15, choices=TrainingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    start = models.DateField(_("日期"))
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"), _("至少 0.5 学时。"))]
    )
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)
    attendees = models.ManyToManyField(Person, verbose_name=_("参训人员"), blank=True, related_name="party_trainings")

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("学习培训")
        verbose_name_plural = _("学习培训")
        ordering = ["-start", "-pk"]

    def __str__(self):
        return f"{self.start:%Y-%m-%d} {self.title}"


# Attachments (minutes, notices, rectification evidence as files) ----------------------------------


def attachment_path(instance, filename):
    """A random name: the uploader's file name is kept only as a label, never as a path."""
    return f"party/{uuid.uuid4().hex}.{instance.kind}"


class Attachment(models.Model):
    """A file of a meeting or a rectification item, served only by party:attachment_download after
    the record is checked through `for_user`. Confidential records (clues, archives) take none:
    their grants would have to cover the download as well."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会议"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("整改事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=4)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting__isnull=False, rectification__isnull=True)
                | models.Q(meeting__isnull=True, rectification__isnull=False),
                name="attachment_one_record",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def record(self):
        return self.meeting or self.rectification


@receiver(post_delete, sender=Attachment)
def _remove_file(sender, instance, **kwargs):
    # Once the deletion (often a cascade from its meeting or item) is committed, not before:
    # a rolled-back delete must still find its file.
    name, storage = instance.file.name, instance.file.storage
    transaction.on_commit(lambda: storage.delete(name))
