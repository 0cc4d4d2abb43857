"""Staff performance (绩效管理): the annual plan as a tree of projects, indicators bound to live
metrics, progress dispatch, assessment with bonus and deduction points, cadre evaluations.

Performance staff (绩效办), leaders and admins reach every record; a division's staff reach the
projects of their division (and report on them); a cadre reaches their own projects, assessment
and evaluations. `scope` is that rule, for every model of the area.
"""

import calendar
import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau import scoping
from bureau.models import BaseModel, Person
from bureau.roles import AREAS
from performance.choices import (
    DIVISIONS,
    MANAGERS,
    AdjustmentKind,
    AdjustmentState,
    Comparison,
    Grade,
    Level,
    Occasion,
    ReportFrequency,
    Source,
    State,
)


def scope(queryset, user, action, division=None, person=None):
    """Managers: every row; a division's staff: rows of their division (`division` path); a
    cadre: rows about themself (`person` path to a Person)."""
    if not scoping.has_model_perm(user, queryset.model, action):
        return queryset.none()
    groups = scoping.user_groups(user)
    if user.is_superuser or groups & MANAGERS:
        return queryset
    reach = Q()
    divisions = sorted(groups & set(AREAS))
    if division and divisions:
        reach |= Q(**{f"{division}__in": divisions})
    if person:
        reach |= Q(**{f"{person}__user": user})
    return queryset.filter(reach) if reach else queryset.none()


def points_field(label, default, help_text=""):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=Decimal(default), help_text=help_text)


def every_division(*actions):
    return dict.fromkeys(AREAS, actions)


class Plan(BaseModel):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    preamble = models.TextField(_("导语"), blank=True, help_text=_("第一部分之前的全部文字，原样保留。"))
    report_frequency = models.CharField(
        _("进度报告频次"), max_length=10, choices=ReportFrequency.choices, default=ReportFrequency.MONTHLY
    )
    report_grace_days = models.PositiveSmallIntegerField(
        _("报告宽限天数"), default=5, help_text=_("每期结束后多少天内报送进度，逾期即为迟报。")
    )
    base_score = points_field(_("考核基础分"), "100")
    excellent_quota = models.DecimalField(
        _("优秀比例上限（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("同一年度、同类考核对象（处室或个人）中评为优秀的比例上限。"),
    )
    deadline_points = points_field(_("项目逾期扣分"), "2")
    late_report_points = points_field(_("进度迟报扣分"), "0.5")
    late_submission_points = points_field(_("单位数据迟报扣分"), "0.5")
    rectification_points = points_field(_("整改逾期扣分"), "1")
    indicator_points = points_field(_("指标达标加分"), "1")
    evaluation_high = points_field(_("日常评价优良线"), "90", _("个人全年日常评价平均分达到此分，建议加分。"))
    evaluation_low = points_field(_("日常评价警示线"), "60", _("个人全年日常评价平均分低于此分，建议减分。"))
    evaluation_points = points_field(_("日常评价加减分"), "2")

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("年度工作计划")
        verbose_name_plural = _("年度工作计划")
        ordering = ["-year"]

    def __str__(self):
        return self.title or f"{self.year}年工作计划"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        # Everyone who works on the plan reads it; only managers change it.
        if action == "view" and scoping.has_model_perm(user, cls, "view"):
            return queryset
        return scope(queryset, user, action)

    def text(self):
        """The plan's text as imported (and edited since): preamble, then every node in order."""
        return self.preamble + "".join(self.items.order_by("order").values_list("text", flat=True))

    def periods(self):
        """(label, last day, report due date) of each reporting period of the year."""
        from bureau.workflow import periods

        grace = datetime.timedelta(days=self.report_grace_days)
        return [(label, end, end + grace) for label, _i, end in periods(self.year, self.report_frequency)]


LEVEL_PARENT = {Level.PART: None, Level.ITEM: Level.PART, Level.SUBITEM: Level.ITEM}


class Item(BaseModel):
    """A node of the plan; each item and sub-item is a project (工作项目化、项目责任化、责任时限化)."""

    plan = models.ForeignKey(Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    number = models.CharField(_("序号"), max_length=10, help_text=_("如 二、2、四（即“四是”）。"))
    code = models.CharField(_("编号"), max_length=40, editable=False, blank=True)
    text = models.TextField(_("原文"), help_text=_("计划中的原文，含行尾；按顺序连接即为计划全文。"))
    order = models.PositiveIntegerField(_("顺序"), default=0)
    division = models.CharField(_("责任处室"), max_length=20, choices=DIVISIONS, blank=True)
    owner = models.ForeignKey(
        Person, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    milestones = models.TextField(_("节点安排"), blank=True, help_text=_("可选，每行一个：日期 事项。"))
    retired = models.BooleanField(_("已撤销"), default=False)
    retired_reason = models.TextField(_("撤销原因"), blank=True)

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("计划项目")
        verbose_name_plural = _("计划项目")
        ordering = ["plan", "order"]
        indexes = [models.Index(fields=["plan", "order"], name="item_plan_order")]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "division", "owner")

    @property
    def title(self):
        """The first sentence, without the number: what the project is called."""
        body = re.sub(r"^\s*(?:[一二三四五六七八九十]+[、是]|\d+[.．])", "", self.text).strip()
        return re.split(r"[。；]", body, maxsplit=1)[0][:60]

    title.fget.short_description = _("项目")

    def make_code(self):
        if self.level == Level.PART:
            return self.number
        if self.level == Level.ITEM:
            return f"{self.parent.code}.{self.number}" if self.parent else self.number
        return f"{self.parent.code}（{self.number}）" if self.parent else self.number

    def clean(self):
        errors = {}
        wanted = LEVEL_PARENT.get(self.level)
        if wanted is None and self.parent_id:
            errors["parent"] = _("部分没有上级。")
        elif wanted is not None:
            if not self.parent_id:
                errors["parent"] = _("请选择上级（%(level)s）。") % {"level": Level(wanted).label}
            elif self.parent.level != wanted:
                errors["parent"] = _("上级须为%(level)s。") % {"level": Level(wanted).label}
            elif self.plan_id and self.parent.plan_id != self.plan_id:
                errors["parent"] = _("上级须属于同一计划。")
        if self.retired and not self.retired_reason.strip():
            errors["retired_reason"] = _("撤销项目须写明原因。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        code, self.code = self.code, self.make_code()
        super().save(*args, **kwargs)
        if code and code != self.code:
            for child in self.children.all():
                child.save()  # a renumbered node renumbers what is under it


class Indicator(BaseModel):
    """A quantitative target of the plan, judged against a registered metric or a value entered by
    hand with its evidence."""

    item = models.ForeignKey(Item, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField(_("指标"), max_length=200)
    comparison = models.CharField(_("比较"), max_length=10, choices=Comparison.choices, default=Comparison.GE)
    target = models.DecimalField(
        _("目标值"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("计划中写作“Ｘ”的，由处室补填；同比下降填百分数。"),
    )
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    metric = models.CharField(
        _("关联数据指标"),
        max_length=80,
        blank=True,
        help_text=_("已登记的数据指标键，如 vehicles.nev_share；留空则手工填报。"),
    )
    base = models.DecimalField(
        _("基期值"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("同比下降的比较基数；留空则取关联指标上一年度的值。"),
    )
    manual_value = models.DecimalField(_("手工填报值"), max_digits=16, decimal_places=4, null=True, blank=True)
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("手工填报值的依据：文件名称、文号或台账位置。"))
    source_text = models.CharField(_("计划原文"), max_length=60, blank=True)

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["item__plan", "item__order", "pk"]

    def __str__(self):
        return self.label

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "item__division", "item__owner")

    def clean(self):
        from bureau.metrics import REGISTRY

        errors = {}
        self.metric = self.metric.strip()
        if self.metric and self.metric not in REGISTRY:
            errors["metric"] = _("未登记的数据指标“%(key)s”。") % {"key": self.metric}
        if self.manual_value is not None and self.metric:
            errors["manual_value"] = _("已关联数据指标的，数值自动计算，不再手工填报。")
        if self.manual_value is not None and not self.evidence.strip():
            errors["evidence"] = _("手工填报的数值须附佐证材料。")
        if self.comparison == Comparison.DECREASE and self.base is None and not self.metric:
            errors["base"] = _("同比下降须填写基期值，或关联数据指标（取上一年度值）。")
        if errors:
            raise ValidationError(errors)


class IndicatorValue(BaseModel):
    """An indicator's value as it stood on a day: kept weekly and at each period's close."""

    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("日期"))
    occasion = models.CharField(_("记录时点"), max_length=10, choices=Occasion.choices, default=Occasion.WEEKLY)
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, blank=True)

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("指标值记录")
        verbose_name_plural = _("指标值记录")
        ordering = ["indicator", "-date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "date", "occasion"], name="indicator_value_once")]

    def __str__(self):
        return f"{self.indicator} {self.date}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "indicator__item__division", "indicator__item__owner")


PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


def period_end(period):
    found = PERIOD.match(period)
    if not found:
        return None
    year, month, quarter = int(found.group(1)), found.group(2), found.group(3)
    month = int(month) if month else 3 * int(quarter) if quarter else 12
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class ProgressReport(BaseModel):
    """A project's progress in one period (调度)."""

    item = models.ForeignKey(Item, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(_("期间"), max_length=7, help_text=_("如 2022-03（月度）、2022-Q1（季度）。"))
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(
        _("完成进度（%）"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    problems = models.TextField(_("存在问题"), blank=True)
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("文件名称、文号或台账位置，每条一行。"))
    due = models.DateField(_("应报日期"), editable=False, null=True)
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now, editable=False)
    late = models.BooleanField(_("迟报"), default=False, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view", "add", "change") | {"member": ("view", "add", "change")}

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["item__plan", "item__order", "period"]
        constraints = [models.UniqueConstraint(fields=["item", "period"], name="report_once_a_period")]

    def __str__(self):
        return f"{self.item.code} {self.period}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "item__division", "item__owner")

    def clean(self):
        end = period_end(self.period or "")
        if end is None:
            raise ValidationError({"period": _("期间格式应为 2022-03、2022-Q1 或 2022。")})
        if self.item_id and end.year != self.item.plan.year:
            raise ValidationError({"period": _("期间须在计划年度 %(year)s 内。") % {"year": self.item.plan.year}})

    def save(self, *args, **kwargs):
        end = period_end(self.period)
        if end is not None:
            self.due = end + datetime.timedelta(days=self.item.plan.report_grace_days)
            self.late = timezone.localtime(self.submitted_at).date() > self.due
        super().save(*args, **kwargs)


class Assessment(BaseModel):
    """One division's or one person's annual assessment (考核): base score, adjustments, grade."""

    plan = models.ForeignKey(Plan, verbose_name=_("年度计划"), on_delete=models.PROTECT, related_name="assessments")
    division = models.CharField(_("处室"), max_length=20, choices=DIVISIONS, blank=True)
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    base_score = models.DecimalField(
        _("基础分"), max_digits=6, decimal_places=2, blank=True, help_text=_("留空则取年度计划规定的基础分。")
    )
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    note = models.TextField(_("备注"), blank=True)

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["plan", "division", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "division"], condition=~Q(division=""), name="assessment_division_once"
            ),
            models.UniqueConstraint(
                fields=["plan", "person"], condition=Q(person__isnull=False), name="assessment_person_once"
            ),
        ]

    def __str__(self):
        subject = self.person.name if self.person_id else self.get_division_display()
        return f"{self.plan.year}年 {subject}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "division", "person")

    def save(self, *args, **kwargs):
        if self.base_score is None:
            self.base_score = self.plan.base_score
        super().save(*args, **kwargs)

    @property
    def total(self):
        score = self.base_score
        for a in self.adjustments.filter(state=AdjustmentState.ACCEPTED):
            score += a.points if a.kind == AdjustmentKind.BONUS else -a.points
        return score

    total.fget.short_description = _("总分")

    def peers(self):
        """The same year's assessments of the same kind of subject (divisions, or persons)."""
        found = Assessment.objects.filter(plan_id=self.plan_id)
        return found.exclude(division="") if self.division else found.filter(person__isnull=False)

    def clean(self):
        if bool(self.division) == bool(self.person_id):
            raise ValidationError(_("考核对象为一个处室或一名人员，二者选一。"))
        if self.grade == Grade.EXCELLENT and self.plan_id:
            peers = self.peers()
            total = peers.exclude(pk=self.pk).count() + 1
            excellent = peers.exclude(pk=self.pk).filter(grade=Grade.EXCELLENT).count() + 1
            allowed = int(total * self.plan.excellent_quota / 100)
            if excellent > allowed:
                raise ValidationError(
                    {
                        "grade": _("优秀比例超过上限：%(quota)s%% × %(total)d 个考核对象，最多 %(allowed)d 个优秀。")
                        % {"quota": self.plan.excellent_quota.normalize(), "total": total, "allowed": allowed}
                    }
                )


class Adjustment(BaseModel):
    """A bonus or deduction item (加减分): suggested from the data or entered by hand, counted
    only once approved."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.TextField(_("事由"))
    evidence = models.TextField(_("佐证材料"), blank=True)
    evidence_url = models.CharField(_("佐证链接"), max_length=300, blank=True, editable=False)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL, editable=False)
    source_key = models.CharField(_("来源记录"), max_length=80, blank=True, editable=False)
    state = models.CharField(
        _("审核状态"), max_length=10, choices=AdjustmentState.choices, default=AdjustmentState.PROPOSED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "source_key"], condition=~Q(source_key=""), name="adjustment_suggested_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points.normalize()}：{self.reason[:30]}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return scope(queryset, user, action, "assessment__division", "assessment__person")

    def clean(self):
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("加减分须写明事由。")})


class Supervision(BaseModel):
    """Who evaluates whom (干部日常评价的评价人): a cadre's supervisor, kept by 绩效办. A cadre may
    have more than one (a division head and a deputy in charge); a change of post ends a row by
    deleting it, the history keeps it, and evaluations already written keep their evaluator."""

    person = models.ForeignKey(Person, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="supervisions")
    supervisor = models.ForeignKey(
        Person,
        verbose_name=_("评价人（上级）"),
        on_delete=models.CASCADE,
        related_name="supervising",
        help_text=_("须有登录账号，方可录入日常评价。"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如：分管领导、处室负责人。"))

    unit_field = None
    liaison_actions = ()
    role_actions = every_division("view") | {"member": ("view",)}

    class Meta:
        verbose_name = _("评价关系")
        verbose_name_plural = _("评价关系")
        ordering = ["supervisor", "person"]
        constraints = [models.UniqueConstraint(fields=["person", "supervisor"], name="supervision_once")]

    def __str__(self):
        return f"{self.supervisor} → {self.person}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        # 绩效办 keeps them; a cadre and their supervisor read the rows naming them.
        if not scoping.has_model_perm(user, cls, action):
            return queryset.none()
        if user.is_superuser or scoping.user_groups(user) & MANAGERS:
            return queryset
        if action == "view":
            return queryset.filter(Q(person__user=user) | Q(supervisor__user=user))
        return queryset.none()

    def clean(self):
        if self.person_id and self.person_id == self.supervisor_id:
            raise ValidationError({"supervisor": _("评价人不能是干部本人。")})


def supervised(user):
    """The persons `user` evaluates: those whose supervisor is the user's own person record."""
    return (
        Person.objects.filter(supervisions__supervisor__user=user) if user.is_authenticated else Person.objects.none()
    )


def evaluable(user, persons):
    """The persons `user` may write evaluations of, out of `persons` (already scoped for reading):
    everyone there for 绩效办, otherwise the cadres they supervise."""
    if user.is_superuser or scoping.user_groups(user) & MANAGERS:
        return persons
    return supervised(user)


SCORE = [MinValueValidator(0), MaxValueValidator(100)]


class Evaluation(BaseModel):
    """A supervisor's daily evaluation of a cadre (干部日常评价), feeding the annual assessment."""

    person = models.ForeignKey(Person, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="evaluations")
    date = models.DateField(_("评价日期"), default=datetime.date.today)
    quantity = models.PositiveSmallIntegerField(_("工作数量"), validators=SCORE, help_text=_("0-100 分"))
    quality = models.PositiveSmallIntegerField(_("工作质量"), validators=SCORE, help_text=_("0-100 分"))
    ability = models.PositiveSmallIntegerField(_("履职能力"), validators=SCORE, help_text=_("0-100 分"))
    conduct = models.PositiveSmallIntegerField(_("工作作风"), validators=SCORE, help_text=_("0-100 分"))
    note = models.TextField(_("评语"), blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    unit_field = None
    liaison_actions = ()
    # Any cadre or division member may be named a supervisor; `scope_queryset` narrows the rows.
    role_actions = every_division("view", "add", "change") | {"member": ("view", "add", "change")}

    class Meta:
        verbose_name = _("干部日常评价")
        verbose_name_plural = _("干部日常评价")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["person", "date"], name="evaluation_person_date")]

    def __str__(self):
        return f"{self.person} {self.date}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """Managers: every evaluation; a supervisor: those of the cadres they supervise, to read
        and write; a cadre: their own, to read only — never their division's colleagues'."""
        if not scoping.has_model_perm(user, cls, action):
            return queryset.none()
        if user.is_superuser or scoping.user_groups(user) & MANAGERS:
            return queryset
        reach = Q(person__in=supervised(user))
        if action == "view":
            reach |= Q(person__user=user)
        return queryset.filter(reach)

    @property
    def score(self):
        return (self.quantity + self.quality + self.ability + self.conduct) / 4

    score.fget.short_description = _("平均分")
