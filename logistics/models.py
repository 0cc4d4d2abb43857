"""后勤服务保障: meeting venues and their bookings, major-event vehicle service, satisfaction
surveys, inspection ledgers, flat sales, the canteen and the print shop."""

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau import audit
from bureau.models import BaseModel, DataRequest, Unit
from bureau.scoping import default_scope, has_model_perm, user_unit_ids
from logistics.choices import (
    HOLDING,
    Binding,
    BookingState,
    EventState,
    FlatState,
    FollowUp,
    JournalKind,
    MilestoneState,
    PatrolState,
    Service,
)
from vehicles.choices import Category
from vehicles.choices import Status as VehicleStatus
from vehicles.models import Vehicle

AT_LEAST_ONE = MinValueValidator(1, _("至少为 1。"))


def sees_catalogue(user):
    """Venues are the bureau's catalogue: whoever may book (area staff, a unit's liaison, a
    venue's manager) sees all of them."""
    return bool(
        has_model_perm(user, Venue, "view")
        or user_unit_ids(user)
        or Venue.managers.through.objects.filter(user=user).exists()
    )


# Meeting venues (政务会议场所) --------------------------------------------------------------------


class Venue(BaseModel):
    name = models.CharField(_("场所名称"), max_length=100, unique=True)
    building = models.CharField(_("所在楼宇"), max_length=100)
    room = models.CharField(_("房间号"), max_length=20)
    capacity = models.PositiveIntegerField(_("容纳人数"), validators=[AT_LEAST_ONE])
    equipment = models.CharField(
        _("设备"), max_length=200, blank=True, help_text=_("例如：音响、投影、LED 屏、同声传译、视频会议终端。")
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("管理人员"),
        blank=True,
        related_name="managed_venues",
        help_text=_("负责本场所的工作人员；可审批本场所的预订。"),
    )
    active = models.BooleanField(_("可预订"), default=True)
    note = models.TextField(_("备注"), blank=True)

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("会议场所")
        verbose_name_plural = _("会议场所")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        if action == "view" and sees_catalogue(user):
            return queryset
        return default_scope(queryset, user, action)

    def managed_by(self, user):
        return self.managers.filter(pk=user.pk).exists()


class Booking(BaseModel):
    """A unit's booking of a venue over the half-open interval [start, end)."""

    venue = models.ForeignKey(Venue, verbose_name=_("会议场所"), on_delete=models.PROTECT, related_name="bookings")
    unit = models.ForeignKey(Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("会议（活动）名称"), max_length=200)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    attendees = models.PositiveIntegerField(_("参会人数"), validators=[AT_LEAST_ONE])
    contact = models.CharField(_("联系人及电话"), max_length=60, blank=True)
    tea = models.BooleanField(_("茶水服务"), default=False)
    sound = models.BooleanField(_("音响"), default=False)
    screen = models.BooleanField(_("投影或电子屏"), default=False)
    banner = models.CharField(_("会标（横幅）内容"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=BookingState.choices, default=BookingState.REQUESTED)
    reason = models.CharField(_("未批准或取消原因"), max_length=200, blank=True)
    cancelled_by_requester = models.BooleanField(_("由申请单位取消"), default=False, editable=False)
    series = models.UUIDField(_("周期预订"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    liaison_actions = ("view", "add")

    class Meta:
        verbose_name = _("场所预订")
        verbose_name_plural = _("场所预订")
        ordering = ["-start", "-id"]
        indexes = [
            # A venue's week: the calendar page and the overlap check.
            models.Index(fields=["venue", "start"], name="booking_venue_start"),
            # A unit's year: the support rate.
            models.Index(fields=["unit", "start"], name="booking_unit_start"),
        ]
        # On PostgreSQL an exclusion constraint (migration 0001) also refuses overlapping holding
        # bookings; it is not declared here because SQLite cannot build it.

    def __str__(self):
        # Its own fields only: an audited bulk insert (COPY) names each row while streaming it.
        return f"{timezone.localtime(self.start):%Y-%m-%d %H:%M} {self.title[:40]}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """A venue's managers also see (and decide on) the bookings of their venues."""
        scoped = default_scope(queryset, user, action)
        if action != "view" or has_model_perm(user, cls, action) or not user.managed_venues.exists():
            return scoped
        return queryset.filter(Q(pk__in=scoped.values("pk")) | Q(venue__managers=user)).distinct()

    def clashes(self):
        """The holding bookings of the same venue that overlap this one ([start, end) each)."""
        return (
            Booking.objects.filter(venue_id=self.venue_id, state__in=HOLDING, start__lt=self.end, end__gt=self.start)
            .exclude(pk=self.pk)
            .order_by("start")
        )

    def clash_error(self, found):
        return ValidationError(
            _("%(venue)s 在 %(start)s–%(end)s 已被“%(title)s”预订，时段冲突。")
            % {
                "venue": self.venue,
                "start": f"{timezone.localtime(found.start):%Y-%m-%d %H:%M}",
                "end": f"{timezone.localtime(found.end):%H:%M}",
                "title": found.title,
            }
        )

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间须晚于开始时间。")
        if self.venue_id and self.attendees and self.attendees > self.venue.capacity:
            errors["attendees"] = _("参会人数 %(n)s 超过场所容纳人数 %(cap)s。") % {
                "n": self.attendees,
                "cap": self.venue.capacity,
            }
        loaded = getattr(self, "_loaded", None) or {}
        moved = self._state.adding or audit.plain(loaded.get("start")) != audit.plain(self.start)
        if self.start and moved and self.start < timezone.now():
            errors["start"] = _("不能预订已经过去的时间。")
        if errors:
            raise ValidationError(errors)
        if self.venue_id and self.state in HOLDING:
            found = self.clashes().first()
            if found is not None:
                raise self.clash_error(found)

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.state in HOLDING:
                # Two requests for one slot at once: the second waits for the venue row, then sees
                # the first booking and is refused (on every database vendor).
                Venue.objects.select_for_update().filter(pk=self.venue_id).first()
                found = self.clashes().first()
                if found is not None:
                    raise self.clash_error(found)
            super().save(*args, **kwargs)

    save.alters_data = True

    @property
    def services(self):
        names = [str(f.verbose_name) for f in (self._meta.get_field(n) for n in ("tea", "sound", "screen"))]
        chosen = [n for n, on in zip(names, (self.tea, self.sound, self.screen), strict=True) if on]
        if self.banner:
            chosen.append(_("会标"))
        return "、".join(str(c) for c in chosen)

    services.fget.short_description = _("服务事项")


# Major-event vehicle service (重大活动车辆应急服务) ---------------------------------------------------


class Event(BaseModel):
    """A major event's call for vehicles and drivers, and whether it was served."""

    unit = models.ForeignKey(Unit, verbose_name=_("活动主办单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动名称"), max_length=200)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    start = models.DateTimeField(_("用车开始"))
    end = models.DateTimeField(_("用车结束"))
    category = models.CharField(
        _("所需车辆类别"), max_length=20, choices=Category.choices, blank=True, help_text=_("不限类别留空。")
    )
    vehicles_needed = models.PositiveSmallIntegerField(_("所需车辆数"), validators=[AT_LEAST_ONE])
    drivers_needed = models.PositiveSmallIntegerField(_("所需驾驶员数"), default=0)
    state = models.CharField(_("状态"), max_length=10, choices=EventState.choices, default=EventState.PLANNED)
    reason = models.CharField(_("未能保障原因"), max_length=200, blank=True)

    liaison_actions = ("view", "add")

    class Meta:
        verbose_name = _("重大活动用车")
        verbose_name_plural = _("重大活动用车")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["unit", "start"], name="event_unit_start")]  # the support rate

    def __str__(self):
        return f"{timezone.localtime(self.start):%Y-%m-%d} {self.title[:40]}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间须晚于开始时间。")
        if self.state == EventState.UNSERVED and not self.reason.strip():
            errors["reason"] = _("未能保障须说明原因。")
        if not errors and (found := self.clash()) is not None:
            errors["start"] = _("%(v)s 已派往时间重叠的活动“%(e)s”：请先调整该车的派车。") % {
                "v": found.vehicle,
                "e": found.event.title,
            }
        if errors:
            raise ValidationError(errors)

    def clash(self):
        """Moved (or taken back from cancelled), a saved event must not put one of its vehicles on
        two events at once: the first other assignment it would overlap."""
        if not (self.pk and self.start and self.end) or self.state == EventState.CANCELLED:
            return None
        return (
            EventAssignment.objects.filter(
                vehicle__in=EventAssignment.objects.filter(event_id=self.pk).values("vehicle"),
                event__start__lt=self.end,
                event__end__gt=self.start,
            )
            .exclude(event_id=self.pk)
            .exclude(event__state=EventState.CANCELLED)
            .select_related("vehicle", "event")
            .order_by("pk")
            .first()
        )

    def save(self, *args, **kwargs):
        if self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            # The same vehicle locks as an assignment takes: a move and an assignment wait for each other.
            vehicles = EventAssignment.objects.filter(event_id=self.pk).values("vehicle")
            list(Vehicle.objects.select_for_update().filter(pk__in=vehicles).order_by("pk").values_list("pk"))
            self.clean()
            return super().save(*args, **kwargs)

    save.alters_data = True


class EventAssignment(BaseModel):
    """A vehicle (and its driver) of the registry sent to an event."""

    event = models.ForeignKey(Event, verbose_name=_("重大活动"), on_delete=models.CASCADE, related_name="assignments")
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="+")
    driver = models.CharField(_("驾驶员"), max_length=50, blank=True)
    driver_phone = models.CharField(_("驾驶员电话"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    unit_field = "event__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("活动派车")
        verbose_name_plural = _("活动派车")
        ordering = ["event", "vehicle"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "vehicle"], name="assignment_once", violation_error_message=_("此车辆已派往该活动。")
            )
        ]
        indexes = [models.Index(fields=["vehicle", "event"], name="assignment_vehicle")]  # the overlap check

    def __str__(self):
        return f"{self.event} · {self.vehicle}"

    def clashes(self):
        event = self.event
        return (
            EventAssignment.objects.filter(
                vehicle_id=self.vehicle_id, event__start__lt=event.end, event__end__gt=event.start
            )
            .exclude(event__state=EventState.CANCELLED)
            .exclude(pk=self.pk)
            .select_related("event")
        )

    def clean(self):
        if not (self.vehicle_id and self.event_id):
            return
        if self.vehicle.status != VehicleStatus.IN_SERVICE:
            raise ValidationError(
                {
                    "vehicle": _("%(v)s 当前状态为“%(s)s”，不能派出。")
                    % {"v": self.vehicle, "s": self.vehicle.get_status_display()}
                }
            )
        found = self.clashes().first()
        if found is not None:
            raise ValidationError(
                {"vehicle": _("%(v)s 已派往时间重叠的活动“%(e)s”。") % {"v": self.vehicle, "e": found.event.title}}
            )

    def save(self, *args, **kwargs):
        with transaction.atomic():
            # One vehicle asked for by two events at once: the second waits, then sees the first.
            Vehicle.objects.select_for_update().filter(pk=self.vehicle_id).first()
            self.clean()
            super().save(*args, **kwargs)

    save.alters_data = True


# Print shop (文印中心) --------------------------------------------------------------------------------

NOT_NEGATIVE = MinValueValidator(Decimal("0"), _("不能为负数。"))


def money(label, **kwargs):
    kwargs.setdefault("validators", [NOT_NEGATIVE])
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


class PrintOrder(BaseModel):
    """One job of the print shop for a client unit; its amount is computed from the prices."""

    unit = models.ForeignKey(Unit, verbose_name=_("委托单位"), on_delete=models.PROTECT, related_name="+")
    document = models.CharField(_("文件（资料）名称"), max_length=200)
    ordered_on = models.DateField(_("委托日期"))
    pages = models.PositiveIntegerField(_("页数"), validators=[AT_LEAST_ONE])
    copies = models.PositiveIntegerField(_("份数"), validators=[AT_LEAST_ONE])
    binding = models.CharField(_("装订"), max_length=10, choices=Binding.choices, default=Binding.NONE)
    page_price = money(_("印刷单价（元/页）"))
    binding_price = money(_("装订单价（元/份）"), default=Decimal("0"))
    amount = money(_("金额（元）"), editable=False, default=Decimal("0"))
    cost = money(_("成本（元）"), default=Decimal("0"), help_text=_("纸张、耗材、人工等直接成本。"))
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    errors = models.PositiveSmallIntegerField(
        _("差错数"), default=0, help_text=_("交付后发现的差错（错字、漏页、装订错误等）。")
    )
    error_note = models.CharField(_("差错情况"), max_length=200, blank=True)
    corrected_on = models.DateField(_("差错纠正日期"), null=True, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("文印订单")
        verbose_name_plural = _("文印订单")
        ordering = ["-ordered_on", "-id"]
        indexes = [
            # The year's output value and profit: delivered orders by date.
            models.Index(fields=["delivered_on"], name="print_delivered"),
            models.Index(fields=["unit", "ordered_on"], name="print_unit_ordered"),  # a unit's orders
        ]

    def __str__(self):
        return f"{self.ordered_on:%Y-%m-%d} {self.document[:40]}"

    def compute_amount(self):
        if None in (self.pages, self.copies, self.page_price, self.binding_price):
            return None
        return (self.pages * self.copies * self.page_price + self.copies * self.binding_price).quantize(Decimal("0.01"))

    def clean(self):
        errors = {}
        if self.delivered_on and self.ordered_on and self.delivered_on < self.ordered_on:
            errors["delivered_on"] = _("交付日期不能早于委托日期。")
        if self.errors and not self.error_note.strip():
            errors["error_note"] = _("有差错须说明差错情况。")
        if self.corrected_on and not self.errors:
            errors["corrected_on"] = _("没有差错无需纠正。")
        # Set here as well as on save: an Excel import writes the rows its forms cleaned.
        self.amount = self.compute_amount()
        if self.amount is not None and self.amount >= Decimal("1e10"):
            errors["copies"] = _("金额过大，请核对页数、份数和单价。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.amount = self.compute_amount()
        super().save(*args, **kwargs)

    save.alters_data = True

    @property
    def profit(self):
        return self.amount - self.cost

    profit.fget.short_description = _("利润（元）")


# Satisfaction surveys (服务对象满意率) -----------------------------------------------------------------


class Survey(BaseModel):
    """A satisfaction survey of one service for a period, sent to the units served as a data
    request (kind "logistics.satisfaction"); approved answers land in SurveyAnswer."""

    service = models.CharField(_("服务项目"), max_length=10, choices=Service.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    period = models.CharField(_("期间"), max_length=20, help_text=_("例如：2022 年上半年"))
    title = models.CharField(_("问卷标题"), max_length=120)
    questions = models.TextField(
        _("评价项目"), help_text=_("每行一项，例如：服务态度、响应速度、环境卫生。各项按 1-5 分评价。")
    )
    target = models.DecimalField(
        _("满意率目标（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE, MaxValueValidator(100)],
        help_text=_("工作计划规定的服务对象满意率。"),
    )
    follow_up_below = models.PositiveSmallIntegerField(
        _("低分跟进线"),
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(5)],
        help_text=_("低于此分的评价自动转为跟进事项（4 表示“一般”及以下均跟进）。"),
    )
    request = models.OneToOneField(
        DataRequest,
        verbose_name=_("填报任务"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="survey",
    )

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-year", "service", "-id"]

    def __str__(self):
        return self.title

    def question_list(self):
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    def clean(self):
        if self.questions is not None and not self.question_list():
            raise ValidationError({"questions": _("至少填写一个评价项目。")})


class SurveyAnswer(BaseModel):
    """One unit's score of one item; a low score becomes a follow-up tracked to closure."""

    survey = models.ForeignKey(Survey, verbose_name=_("满意度调查"), on_delete=models.CASCADE, related_name="answers")
    unit = models.ForeignKey(Unit, verbose_name=_("评价单位"), on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("评价项目"), max_length=60)
    score = models.PositiveSmallIntegerField(
        _("评分"),
        validators=[MinValueValidator(1, _("评分须为 1-5 分。")), MaxValueValidator(5, _("评分须为 1-5 分。"))],
        help_text=_("5 非常满意，4 满意，3 一般，2 不满意，1 非常不满意。"),
    )
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    follow_up = models.CharField(_("跟进"), max_length=10, choices=FollowUp.choices, default=FollowUp.NONE)
    action_taken = models.TextField(_("整改措施"), blank=True, help_text=_("对低分评价做了什么；办结时必填。"))
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["survey", "unit", "item"]
        indexes = [
            models.Index(
                fields=["survey", "unit"], name="answer_survey_unit"
            ),  # a unit's answers, replaced on approval
            models.Index(fields=["follow_up"], name="answer_follow_up"),  # the open follow-ups
        ]

    def __str__(self):
        return f"{self.item} {self.score} 分"

    def open_follow_up(self):
        low = self.score and self.survey_id and self.score < self.survey.follow_up_below
        if self.follow_up == FollowUp.NONE and low:
            self.follow_up = FollowUp.OPEN

    def clean(self):
        self.open_follow_up()
        errors = {}
        if self.follow_up == FollowUp.CLOSED:
            if not self.action_taken.strip():
                errors["action_taken"] = _("办结须写明整改措施。")
            if not self.closed_on:
                errors["closed_on"] = _("办结须填写办结日期。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.open_follow_up()
        super().save(*args, **kwargs)

    save.alters_data = True


# Inspection ledgers (物业、绿化等后勤保障质量监控) -----------------------------------------------------


def new_token():
    return secrets.token_urlsafe(12)


class Route(BaseModel):
    """A patrol route of a site served by the bureau, and the ledgers the site must keep."""

    unit = models.ForeignKey(Unit, verbose_name=_("服务单位"), on_delete=models.PROTECT, related_name="+")
    site = models.CharField(_("场所（院落）"), max_length=100)
    name = models.CharField(_("路线名称"), max_length=100)
    patrols_per_month = models.PositiveSmallIntegerField(
        _("每月应巡查次数"), default=22, help_text=_("管理办法规定的巡查频次（台账落实率的分母之一）。")
    )
    daily_notes = models.BooleanField(_("须记每日巡查工作笔记"), default=True)
    weekly_journals = models.BooleanField(_("须交服务周志"), default=True)
    target = models.DecimalField(
        _("台账落实率目标（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE, MaxValueValidator(100)],
    )
    patrol_hours = models.PositiveSmallIntegerField(
        _("巡查时限（小时）"), default=4, validators=[AT_LEAST_ONE], help_text=_("开始巡查后多久过期。")
    )
    active = models.BooleanField(_("在用"), default=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("巡查路线")
        verbose_name_plural = _("巡查路线")
        ordering = ["site", "name"]

    def __str__(self):
        return f"{self.site} · {self.name}"


class Checkpoint(BaseModel):
    route = models.ForeignKey(Route, verbose_name=_("巡查路线"), on_delete=models.CASCADE, related_name="checkpoints")
    name = models.CharField(_("点位名称"), max_length=100)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    token = models.CharField(_("二维码标识"), max_length=32, unique=True, default=new_token, editable=False)

    unit_field = "route__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("巡查点位")
        verbose_name_plural = _("巡查点位")
        ordering = ["route", "order", "id"]

    def __str__(self):
        return f"{self.route.name} {self.order}. {self.name}"

    def checkin_path(self):
        from django.urls import reverse

        return reverse("logistics:checkin_scan", args=[self.token])


class Patrol(BaseModel):
    """One walk of a route: checked in at each checkpoint, then closed complete or incomplete, or
    expired when its time ran out."""

    route = models.ForeignKey(Route, verbose_name=_("巡查路线"), on_delete=models.PROTECT, related_name="patrols")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("巡查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started = models.DateTimeField(_("开始时间"), default=timezone.now)
    expires = models.DateTimeField(_("过期时间"), null=True, blank=True, help_text=_("留空按路线的巡查时限计算。"))
    state = models.CharField(_("状态"), max_length=10, choices=PatrolState.choices, default=PatrolState.OPEN)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    unit_field = "route__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-started", "-id"]
        indexes = [models.Index(fields=["route", "started"], name="patrol_route_started")]  # completeness

    def __str__(self):
        return f"{self.route.name} {timezone.localtime(self.started):%Y-%m-%d %H:%M}"

    def set_expiry(self):
        if self.expires is None and self.started and self.route_id:
            self.expires = self.started + datetime.timedelta(hours=self.route.patrol_hours)

    def clean(self):
        self.set_expiry()
        if self.started and self.expires and self.expires <= self.started:
            raise ValidationError({"expires": _("过期时间须晚于开始时间。")})

    def save(self, *args, **kwargs):
        self.set_expiry()
        super().save(*args, **kwargs)

    save.alters_data = True

    def missed(self):
        done = self.checkins.values("checkpoint_id")
        return self.route.checkpoints.exclude(pk__in=done)

    def close(self):
        """Complete when every checkpoint was checked in, incomplete (the missed ones listed) when
        not, expired when closed after its time; a claim, so two closings give one answer."""
        missed = list(self.missed())
        if timezone.now() > self.expires:
            state = PatrolState.EXPIRED
        else:
            state = PatrolState.INCOMPLETE if missed else PatrolState.COMPLETE
        note = _("漏检：%(p)s") % {"p": "、".join(c.name for c in missed)} if missed else self.note
        if not Patrol.objects.filter(pk=self.pk, state=PatrolState.OPEN).update(state=state, note=note[:200]):
            raise ValidationError(_("此巡查已结束。"))
        self.refresh_from_db()
        return missed


class Checkin(BaseModel):
    patrol = models.ForeignKey(Patrol, verbose_name=_("巡查记录"), on_delete=models.CASCADE, related_name="checkins")
    checkpoint = models.ForeignKey(Checkpoint, verbose_name=_("巡查点位"), on_delete=models.PROTECT, related_name="+")
    time = models.DateTimeField(_("签到时间"), default=timezone.now)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("情况"), max_length=200, blank=True, help_text=_("发现的问题，正常可不填。"))

    unit_field = "patrol__route__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("巡查签到")
        verbose_name_plural = _("巡查签到")
        ordering = ["patrol", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["patrol", "checkpoint"], name="checkin_once", violation_error_message=_("此点位已签到。")
            )
        ]

    def __str__(self):
        return f"{self.checkpoint.name} {timezone.localtime(self.time):%H:%M}"

    def clean(self):
        if not (self.patrol_id and self.checkpoint_id):
            return
        if self.checkpoint.route_id != self.patrol.route_id:
            raise ValidationError({"checkpoint": _("点位“%(c)s”不在本次巡查的路线上。") % {"c": self.checkpoint.name}})
        if self.patrol.state != PatrolState.OPEN:
            raise ValidationError(
                {"patrol": _("此巡查已结束（%(s)s），不能再签到。") % {"s": self.patrol.get_state_display()}}
            )
        if self.time and self.patrol.expires and self.time > self.patrol.expires:
            raise ValidationError(
                {
                    "time": _("巡查已于 %(t)s 过期，不能再签到。")
                    % {"t": f"{timezone.localtime(self.patrol.expires):%Y-%m-%d %H:%M}"}
                }
            )
        if self.time and self.patrol.started and self.time < self.patrol.started:
            raise ValidationError({"time": _("签到时间不能早于巡查开始时间。")})


class Journal(BaseModel):
    """A daily patrol note or a weekly service journal of a route's site, with the issues found
    and their rectification."""

    route = models.ForeignKey(Route, verbose_name=_("巡查路线"), on_delete=models.PROTECT, related_name="journals")
    kind = models.CharField(_("台账类别"), max_length=10, choices=JournalKind.choices)
    date = models.DateField(_("日期"), help_text=_("服务周志填该周的任一天。"))
    content = models.TextField(_("内容"))
    issues = models.TextField(_("发现的问题"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    unit_field = "route__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("巡查台账")
        verbose_name_plural = _("巡查台账")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["route", "kind", "date"], name="journal_route_kind_date")]  # completeness

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.issues.strip() and not self.rectify_by:
            errors["rectify_by"] = _("发现问题须规定整改期限。")
        if self.rectified_on and not self.issues.strip():
            errors["rectified_on"] = _("没有问题无需整改。")
        if self.date and self.rectify_by and self.rectify_by < self.date:
            errors["rectify_by"] = _("整改期限不能早于台账日期。")
        if errors:
            raise ValidationError(errors)


# Flat sales (房源配售) -----------------------------------------------------------------------------


class Applicant(BaseModel):
    """An eligible buyer of a compound's remaining flats; flats are chosen in ranking order."""

    compound = models.CharField(_("小区"), max_length=100)
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(Unit, verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="+")
    ranking = models.PositiveIntegerField(
        _("排序号"), validators=[AT_LEAST_ONE], help_text=_("按配售方案确定的选房顺序，1 最先。")
    )
    eligible = models.BooleanField(_("资格审核通过"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("配售申请人")
        verbose_name_plural = _("配售申请人")
        ordering = ["compound", "ranking"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "ranking"],
                name="applicant_ranking_once",
                violation_error_message=_("该小区已有此排序号。"),
            )
        ]

    def __str__(self):
        return f"{self.ranking}. {self.name}"


class SaleFlat(BaseModel):
    """A remaining flat of a compound: available → reserved (for one applicant) → sold, each step a
    claim on its state, so a flat is never reserved or sold twice."""

    compound = models.CharField(_("小区"), max_length=100)
    building = models.CharField(_("楼栋"), max_length=20)
    number = models.CharField(_("房号"), max_length=20)
    area = models.DecimalField(
        _("建筑面积（m²）"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), _("面积必须大于 0。"))],
    )
    price = money(_("售价（元）"))
    state = models.CharField(
        _("状态"), max_length=10, choices=FlatState.choices, default=FlatState.AVAILABLE, editable=False
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("购房人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="flats",
    )
    paid = money(_("已付房款（元）"), default=Decimal("0"))
    reserved_on = models.DateField(_("预订日期"), null=True, blank=True, editable=False)
    sold_on = models.DateField(_("售出日期"), null=True, blank=True, editable=False)

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("配售房源")
        verbose_name_plural = _("配售房源")
        ordering = ["compound", "building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "building", "number"],
                name="saleflat_once",
                violation_error_message=_("该房源已登记。"),
            ),
            # One flat per applicant, even when two reservations race.
            models.UniqueConstraint(
                fields=["applicant"], condition=Q(applicant__isnull=False), name="saleflat_one_per_applicant"
            ),
        ]

    def __str__(self):
        return f"{self.compound} {self.building}-{self.number}"

    def clean(self):
        if self.paid is not None and self.price is not None and self.paid > self.price:
            raise ValidationError({"paid": _("已付房款不能超过售价。")})


# Canteen (食堂) ------------------------------------------------------------------------------------


class CanteenMilestone(BaseModel):
    """A milestone of the canteen's construction project."""

    unit = models.ForeignKey(Unit, verbose_name=_("建设单位"), on_delete=models.PROTECT, related_name="+")
    project = models.CharField(_("项目"), max_length=100, default="市委机关第二食堂建设")
    name = models.CharField(_("节点"), max_length=100)
    planned = models.DateField(_("计划完成日期"))
    actual = models.DateField(_("实际完成日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=MilestoneState.choices, default=MilestoneState.PLANNED)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("食堂建设节点")
        verbose_name_plural = _("食堂建设节点")
        ordering = ["project", "planned"]

    def __str__(self):
        return f"{self.project} {self.name}"

    def clean(self):
        if self.state == MilestoneState.DONE and not self.actual:
            raise ValidationError({"actual": _("已完成须填写实际完成日期。")})
        if self.actual and self.state != MilestoneState.DONE:
            raise ValidationError({"state": _("已有实际完成日期，状态应为已完成。")})


class CanteenMonth(BaseModel):
    """A canteen's month of operation: meals served, costs, food waste (read by energy's
    anti-food-waste figures through the metric logistics.food_waste_kg)."""

    unit = models.ForeignKey(Unit, verbose_name=_("就餐单位"), on_delete=models.PROTECT, related_name="+")
    canteen = models.CharField(_("食堂"), max_length=100, default="市委机关第二食堂")
    month = models.DateField(_("月份"), help_text=_("填该月任一天，按当月 1 日保存。"))
    meals = models.PositiveIntegerField(_("供餐人次"))
    cost = money(_("运营成本（元）"))
    food_waste_kg = models.DecimalField(
        _("餐厨浪费（千克）"),
        max_digits=10,
        decimal_places=1,
        validators=[NOT_NEGATIVE],
        help_text=_("剩饭剩菜等可避免的浪费。"),
    )

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("食堂月度运营")
        verbose_name_plural = _("食堂月度运营")
        ordering = ["-month", "canteen"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "canteen", "month"],
                name="canteen_month_once",
                violation_error_message=_("该月已登记。"),
            )
        ]

    def __str__(self):
        return f"{self.canteen} {self.month:%Y-%m}"

    def clean(self):
        if self.month:
            self.month = self.month.replace(day=1)

    @property
    def waste_per_meal_g(self):
        return (self.food_waste_kg * 1000 / self.meals).quantize(Decimal("0.1")) if self.meals else None

    waste_per_meal_g.fget.short_description = _("人均浪费（克/人次）")
