import contextvars

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from bureau import audit, scoping
from bureau.choices import (
    AuditAction,
    Frequency,
    JobState,
    Rank,
    RequestState,
    ReviewAction,
    SubmissionState,
    UnitKind,
)
from bureau.validators import mask_id_number, validate_id_number, validate_uscc

UNTRACKED = {"version", "updated", "created"}


class Conflict(Exception):
    """Someone saved the record since it was read: the caller must reload, never overwrite."""

    def __init__(self, obj):
        self.obj = obj
        super().__init__(f"{type(obj).__name__} {obj.pk} was changed by someone else")


_bulk_updating = contextvars.ContextVar("bulk_updating", default=False)


class BaseQuerySet(models.QuerySet):
    """Scoping (`for_user`) and an audit trail for bulk writes as well as single saves."""

    def for_user(self, user, action="view"):
        return scoping.for_user(self, user, action)

    def _audit_columns(self, names):
        opts = self.model._meta
        columns = {"pk"}
        for name in names:
            columns.add(opts.get_field(name).attname)
        unit_field = getattr(self.model, "unit_field", None)
        if unit_field and unit_field != "pk":
            columns.add(unit_field if "__" in unit_field else opts.get_field(unit_field).attname)
        return sorted(columns)

    def update(self, **kwargs):
        if _bulk_updating.get():
            # Django's bulk_update calls update() for each batch; bulk_update audits the rows itself.
            kwargs.setdefault("version", F("version") + 1)
            return super().update(**kwargs)
        columns = self._audit_columns(kwargs)
        with transaction.atomic(using=self.db):
            before = {row["pk"]: row for row in self.values(*columns)}
            kwargs.setdefault("version", F("version") + 1)
            count = super().update(**kwargs)
            after = self.model._base_manager.filter(pk__in=before).values(*columns)
            audit_rows(self.model, AuditAction.UPDATE, before, {row["pk"]: row for row in after})
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            from bureau.models import AuditEntry

            AuditEntry.objects.bulk_create(
                [audit.entry(AuditAction.CREATE, obj, changes=audit.diff({}, _tracked(obj))) for obj in created],
                batch_size=2000,
            )
            for obj in created:
                obj._loaded = audit.snapshot(obj)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        columns = self._audit_columns(fields)
        with transaction.atomic(using=self.db):
            before = {
                row["pk"]: row for row in self.model._base_manager.filter(pk__in=[o.pk for o in objs]).values(*columns)
            }
            token = _bulk_updating.set(True)
            try:
                count = super().bulk_update(objs, fields, *args, **kwargs)
            finally:
                _bulk_updating.reset(token)
            for obj in objs:
                obj.version += 1  # as the rows now are: a later save() must not meet a false conflict
            after = {o.pk: {c: audit.plain(getattr(o, c)) for c in columns if c != "pk"} | {"pk": o.pk} for o in objs}
            audit_rows(self.model, AuditAction.UPDATE, before, after)
        return count


def _tracked(obj):
    return {k: v for k, v in audit.snapshot(obj).items() if k not in UNTRACKED}


def audit_rows(model, action, before, after):
    from bureau.models import AuditEntry

    unit_field = getattr(model, "unit_field", None)
    unit_column = None
    if unit_field and unit_field != "pk":
        unit_column = unit_field if "__" in unit_field else model._meta.get_field(unit_field).attname
    entries = []
    for pk, old in before.items():
        new = after.get(pk, {})
        changes = audit.diff(
            {k: audit.plain(v) for k, v in old.items() if k not in UNTRACKED | {"pk"}},
            {k: audit.plain(v) for k, v in new.items() if k not in UNTRACKED | {"pk"}},
        )
        if changes:
            unit_id = pk if unit_field == "pk" else (new or old).get(unit_column)
            entries.append(audit.entry(action, model=model, object_id=str(pk), unit_id=unit_id, changes=changes))
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


class BaseModel(models.Model):
    """Every registry record: scoped by its unit, versioned against lost updates, audited.

    Subclasses declare `unit_field` (the path to the owning unit) and `liaison_actions` (what a
    liaison of that unit may do); everything else comes from here.
    """

    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = BaseQuerySet.as_manager()

    unit_field = "unit"
    liaison_actions = ("view",)
    audit_masked = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using") or self._state.db or "default"):
            before = None
            if not adding:
                before = getattr(self, "_loaded", None)
                if before is None:
                    before = self._db_snapshot()
                claimed = (
                    models.QuerySet(type(self))
                    .filter(pk=self.pk, version=self.version)
                    .update(version=self.version + 1)
                )
                if not claimed:
                    raise Conflict(self)
                self.version += 1
            super().save(*args, **kwargs)
            after = audit.snapshot(self)
            changes = audit.diff(
                {k: audit.redact(self, k, audit.plain(v)) for k, v in (before or {}).items() if k not in UNTRACKED},
                {k: v for k, v in after.items() if k not in UNTRACKED},
            )
            if adding or changes:
                audit.record(AuditAction.CREATE if adding else AuditAction.UPDATE, self, changes=changes)
        self._loaded = after

    save.alters_data = True

    def get_absolute_url(self):
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])
        except NoReverseMatch:
            return ""

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded = (
            dict(zip(field_names, values, strict=True)) if len(values) == len(cls._meta.concrete_fields) else None
        )
        return obj

    def _db_snapshot(self):
        names = [f.attname for f in self._meta.concrete_fields]
        return models.QuerySet(type(self)).filter(pk=self.pk).values(*names).first() or {}


class Unit(BaseModel):
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 位，末位为校验码，例如 11420100MB0000000X 的格式。"),
    )
    kind = models.CharField(_("单位类别"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_public_institution = models.BooleanField(
        _("纳入公共机构节能统计"), default=True, help_text=_("是否作为公共机构报送能源资源消费统计。")
    )
    active = models.BooleanField(_("在用"), default=True)

    unit_field = "pk"
    liaison_actions = ("view",)
    staff_view = True

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        permissions = [("liaise_unit", _("作为本单位联络员填报数据"))]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        if self.uscc:
            self.uscc = self.uscc.strip().upper()


class UnitUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign keys (not guardian's generic table): scoping joins on an indexed integer."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)


class Person(BaseModel):
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="persons")
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices, help_text=_("按办公用房标准的职级填写。"))
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        help_text=_("18 位，末位校验码可为 X；页面上只显示脱敏号码。"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    liaison_actions = ("view", "add", "change")
    staff_view = True
    audit_masked = ("id_number",)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["unit_id", "name"]
        indexes = [models.Index(fields=["unit", "name"], name="person_unit_name")]  # a unit's staff list

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self):
        return mask_id_number(self.id_number)

    def clean(self):
        if self.id_number:
            self.id_number = self.id_number.strip().upper()


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit trail cannot be edited")

    def delete(self):
        raise PermissionError("the audit trail cannot be deleted")


class AuditEntry(models.Model):
    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # No single-column indexes on user and content type: the two below lead with them, and each
    # index is paid by every audited insert.
    # No constraints on user and content type either: every column is immutable (a trigger on
    # PostgreSQL), so deleting a user or a model must leave its entries as they were, not null them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=20, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("对象类型"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # No constraint: the entry must outlive the unit it names.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-time", "-id"]
        indexes = [
            # A record's history page.
            models.Index(fields=["content_type", "object_id", "-time"], name="audit_object_time"),
            # The audit list filtered by user.
            models.Index(fields=["user", "-time"], name="audit_user_time"),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit trail cannot be edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail cannot be deleted")


def area_scope(queryset, user, action, kind_field, unit_path):
    """Scoping of the shared data-request records: area staff see their area's kinds, admins and
    leaders everything their permissions allow, liaisons their own units' rows."""
    model = queryset.model
    if scoping.has_model_perm(user, model, action):
        groups = scoping.user_groups(user)
        if user.is_superuser or groups & {"admin", "leader"}:
            return queryset
        from bureau.requests import kinds_for_areas

        return queryset.filter(**{f"{kind_field}__in": kinds_for_areas(groups)})
    if action in model.liaison_actions:
        return queryset.filter(**{f"{unit_path}__in": scoping.user_unit_ids(user)})
    return queryset.none()


class DataRequest(BaseModel):
    """A request for data from a set of units for a year (annual, quarterly or monthly periods)."""

    kind = models.CharField(_("填报类型"), max_length=60)
    title = models.CharField(_("标题"), max_length=120)
    year = models.PositiveSmallIntegerField(_("年度"))
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL)
    deadline = models.DateField(_("截止日期"), help_text=_("年度填报的截止日期；月度、季度按每期结束后宽限天数计算。"))
    grace_days = models.PositiveSmallIntegerField(
        _("每期宽限天数"), default=15, help_text=_("月度、季度填报：每期结束后多少天内报送。")
    )
    note = models.TextField(_("填报说明"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=RequestState.choices, default=RequestState.DRAFT)
    units = models.ManyToManyField(Unit, verbose_name=_("填报单位"), related_name="data_requests")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    unit_field = None
    liaison_actions = ("view",)
    shared_by_areas = True

    class Meta:
        verbose_name = _("数据填报任务")
        verbose_name_plural = _("数据填报任务")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        if action == "view" and not scoping.has_model_perm(user, cls, action):
            ids = scoping.user_unit_ids(user)
            return queryset.filter(pk__in=Submission.objects.filter(unit__in=ids).values("request_id"))
        return area_scope(queryset, user, action, "kind", None)

    @property
    def kind_title(self):
        from bureau.requests import REGISTRY

        found = REGISTRY.get(self.kind)
        return found.title if found else self.kind

    kind_title.fget.short_description = _("填报类型")


class Submission(BaseModel):
    """One unit's data for one period of a request, and where it stands in review."""

    request = models.ForeignKey(
        DataRequest, verbose_name=_("填报任务"), on_delete=models.CASCADE, related_name="submissions"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("期间"), max_length=10, help_text=_("如 2022、2022-Q1、2022-03"))
    period_index = models.PositiveSmallIntegerField(_("期序"), default=0)
    deadline = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=12, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    rows = models.JSONField(_("填报数据"), default=list, blank=True, encoder=DjangoJSONEncoder)
    flags = models.JSONField(_("自动检查提示"), default=list, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    liaison_actions = ("view", "change")
    shared_by_areas = True

    class Meta:
        verbose_name = _("填报")
        verbose_name_plural = _("填报")
        ordering = ["request_id", "unit_id", "period_index"]
        constraints = [models.UniqueConstraint(fields=["request", "unit", "period"], name="submission_once")]
        indexes = [
            # A liaison's home: their units' open submissions by deadline.
            models.Index(fields=["unit", "state", "deadline"], name="submission_unit_state"),
            # A request's completeness grid and counts.
            models.Index(fields=["request", "state"], name="submission_request_state"),
        ]

    def __str__(self):
        return f"{self.period} #{self.pk}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        return area_scope(queryset, user, action, "request__kind", "unit")

    @property
    def locked(self):
        return self.state == SubmissionState.APPROVED

    @property
    def editable(self):
        return self.state in (SubmissionState.DRAFT, SubmissionState.RETURNED)


class Review(models.Model):
    """The conversation on a submission: each save, submit, return, approval and reopening."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("动作"), max_length=10, choices=ReviewAction.choices)
    comment = models.TextField(_("意见"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("用户"), max_length=150, blank=True)
    time = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["time", "id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.username}"


class Job(models.Model):
    """A long-running piece of work (a large export, the annual workbook) and its progress."""

    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("名称"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.PENDING)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    file = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Written by the run while it lives; the sweep (bureau.tasks.sweep_jobs) fails a job without one.
    heartbeat = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created"]
        permissions = [("view_annual_report", _("下载年度统计报表"))]
        indexes = [models.Index(fields=["kind", "-created"], name="job_kind_created")]  # past workbooks

    def __str__(self):
        return self.title

    @property
    def percent(self):
        if self.state == JobState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def report(self, done, total=None):
        """Progress from inside the task: one UPDATE, visible to the page polling it. A job that is
        over (the sweep failed it meanwhile) stays over."""
        values = {"done": done, "state": JobState.RUNNING, "heartbeat": timezone.now()}
        if total is not None:
            values["total"] = total
        Job.objects.filter(pk=self.pk, state__in=JobState.live()).update(**values)

    def claim(self, total=0):
        """Take the job for this run; False when it is over already: a message delivered again
        after the job finished, or after the sweep failed it, does nothing."""
        now = timezone.now()
        live = Job.objects.filter(pk=self.pk, state__in=JobState.live())
        return bool(live.update(state=JobState.RUNNING, done=0, total=total, heartbeat=now))

    def finish(self, **values):
        """Done, unless the sweep failed the job meanwhile; False then."""
        now = timezone.now()
        running = Job.objects.filter(pk=self.pk, state=JobState.RUNNING)
        return bool(running.update(state=JobState.DONE, finished=now, heartbeat=now, **values))

    def fail(self, error):
        Job.objects.filter(pk=self.pk, state__in=JobState.live()).update(
            state=JobState.FAILED, error=error, finished=timezone.now()
        )


class YearClose(models.Model):
    """One closing of a year: every registered metric, for every unit and the city, frozen as that
    year's snapshot version. Reopening keeps the row (and its figures); closing again adds a version."""

    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"))
    reason = models.TextField(_("关闭原因"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关闭人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), auto_now_add=True)
    reopen_reason = models.TextField(_("重新开放原因"), blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("重新开放人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(_("重新开放时间"), null=True, blank=True)
    # The units the city figure covered when closing: a scope of exactly these reads the city value.
    city_units = models.JSONField(_("全市单位"), default=list)

    class Meta:
        verbose_name = _("年度关账")
        verbose_name_plural = _("年度关账")
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="yearclose_version_once")]

    def __str__(self):
        return f"{self.year} 年 第 {self.version} 版"

    @property
    def closed(self):
        return self.reopened_at is None


class MetricSnapshot(models.Model):
    """A frozen figure: a metric for a closed year, for one unit or (unit empty) the city; month 0 is
    the whole year, 1-12 the months of a metric with a monthly series."""

    close = models.ForeignKey(YearClose, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(_("指标"), max_length=80)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    month = models.PositiveSmallIntegerField(_("月份"), default=0)
    value = models.FloatField(_("数值"), null=True)

    class Meta:
        verbose_name = _("年度指标快照")
        verbose_name_plural = _("年度指标快照")
        # A metric's figures of one version (the dashboard and drill-down read them together).
        indexes = [models.Index(fields=["close", "key"], name="snapshot_close_key")]

    def __str__(self):
        return f"{self.key} {self.close}"
