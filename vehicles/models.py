"""公务用车: vehicles, quotas, platform trips and their roll-ups, support requests, rentals,
marking inspections and running costs."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau.models import BaseModel, Unit
from vehicles.choices import (
    NEW_ENERGY,
    Category,
    CostKind,
    DayKind,
    EnergyType,
    InspectionOutcome,
    Marking,
    Status,
    SupportStatus,
)
from vehicles.validators import normalise_plate, validate_plate

MONEY = {"max_digits": 12, "decimal_places": 2}


class VehicleStandard(BaseModel):
    """配备标准: a price and engine limit of a category (DOMAIN.md; 《党政机关公务用车管理办法》)."""

    category = models.CharField(_("车辆类别"), max_length=20, choices=Category.choices)
    name = models.CharField(_("标准名称"), max_length=50, help_text=_("例如“一般”“确需”“特殊需要”“大型客车”。"))
    max_price = models.DecimalField(
        _("价格上限（元）"), **MONEY, validators=[MinValueValidator(0)], help_text=_("购置价（不含车辆购置税）。")
    )
    max_displacement = models.DecimalField(
        _("排量上限（升）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("留空表示不限排量（如新能源车、大型客车）。"),
    )
    is_default = models.BooleanField(
        _("类别默认标准"), default=False, help_text=_("车辆未指定标准时按此标准判断是否超标；每个类别一条。")
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("配备标准")
        verbose_name_plural = _("配备标准")
        ordering = ["category", "max_price"]
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=models.Q(is_default=True), name="vehicles_one_default_standard"
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()}·{self.name}"


class Rules(BaseModel):
    """Thresholds the division sets ([confirm] values of DOMAIN.md are data, never literals).
    The row with the latest `effective_from` not after today applies."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    replacement_years = models.PositiveSmallIntegerField(
        _("更新年限（年）"), help_text=_("使用满此年限可申请更新（常见口径 8 年，待核实）。")
    )
    replacement_km = models.PositiveIntegerField(
        _("更新里程（公里）"), help_text=_("行驶满此里程可申请更新（常见口径 25 万公里，待核实）。")
    )
    night_start = models.PositiveSmallIntegerField(
        _("夜间开始（时）"), validators=[MaxValueValidator(23)], help_text=_("0–23 时，含此时。")
    )
    night_end = models.PositiveSmallIntegerField(
        _("夜间结束（时）"), validators=[MaxValueValidator(23)], help_text=_("0–23 时，不含此时。")
    )
    long_trip_km = models.DecimalField(
        _("超长行程（公里）"), max_digits=8, decimal_places=1, help_text=_("单次行程超过此里程视为异常。")
    )
    idle_days = models.PositiveSmallIntegerField(_("闲置天数"), help_text=_("连续此天数无行程视为闲置车辆。"))
    nev_purchase_share = models.PositiveSmallIntegerField(
        _("新购车辆新能源占比目标（%）"),
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=_("当年新购、更新车辆中新能源车不低于此比例（国管资〔2024〕197号为 30%）。"),
    )

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("用车规则参数")
        verbose_name_plural = _("用车规则参数")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.effective_from:%Y-%m-%d} 起"

    def clean(self):
        if self.night_start is not None and self.night_start == self.night_end:
            raise ValidationError({"night_end": _("夜间结束时刻不能等于开始时刻。")})
        if self.long_trip_km is not None and self.long_trip_km <= 0:
            raise ValidationError({"long_trip_km": _("须大于 0 公里。")})

    @classmethod
    def current(cls, on=None):
        on = on or timezone.localdate()
        found = cls.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
        return found or cls.objects.order_by("effective_from").first()

    def is_night(self, hour):
        if self.night_start < self.night_end:
            return self.night_start <= hour < self.night_end
        return hour >= self.night_start or hour < self.night_end


class CalendarDay(BaseModel):
    """The holiday calendar: statutory holidays, and weekend days that are working days (调休)."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=30, blank=True, help_text=_("例如“春节”。"))

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"

    @classmethod
    def off_days(cls, start, end):
        """The non-working days between two dates (inclusive): weekends unless swapped, and holidays."""
        special = dict(cls.objects.filter(date__range=(start, end)).values_list("date", "kind"))
        days, day = set(), start
        while day <= end:
            kind = special.get(day)
            if kind == DayKind.HOLIDAY or (day.weekday() >= 5 and kind != DayKind.WORKDAY):
                days.add(day)
            day += datetime.timedelta(days=1)
        return days


class Vehicle(BaseModel):
    plate = models.CharField(
        _("车牌号"),
        max_length=8,
        unique=True,
        validators=[validate_plate],
        help_text=_("如 鄂A12345；新能源车 8 位，如 鄂AD12345。小写自动转为大写。"),
    )
    unit = models.ForeignKey(Unit, verbose_name=_("使用单位"), on_delete=models.PROTECT, related_name="vehicles")
    category = models.CharField(_("车辆类别"), max_length=20, choices=Category.choices)
    standard = models.ForeignKey(
        VehicleStandard,
        verbose_name=_("配备标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("按哪一档标准配备；留空按类别默认标准判断是否超标。"),
    )
    energy_type = models.CharField(_("能源类型"), max_length=10, choices=EnergyType.choices)
    brand = models.CharField(_("品牌型号"), max_length=60, help_text=_("例如“比亚迪 汉 EV”。"))
    displacement = models.DecimalField(
        _("排量（升）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("纯电动、燃料电池车留空。"),
    )
    purchase_price = models.DecimalField(
        _("购置价（元）"), **MONEY, validators=[MinValueValidator(0)], help_text=_("不含车辆购置税。")
    )
    purchase_date = models.DateField(_("购置日期"))
    odometer_km = models.PositiveIntegerField(_("累计里程（公里）"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.IN_SERVICE)
    status_since = models.DateField(_("状态日期"), help_text=_("进入当前状态的日期，如处置日期。"))
    device_id = models.CharField(
        _("平台终端号"), max_length=40, blank=True, help_text=_("接入“全市一张网”平台的车载终端编号；未接入留空。")
    )
    marking = models.CharField(_("标识喷涂"), max_length=10, choices=Marking.choices, default=Marking.MARKED)
    quota_approval = models.CharField(
        _("超编审批文号"),
        max_length=60,
        blank=True,
        help_text=_("单位该类别在用车辆已达编制数时，新增车辆须填写审批文号。"),
    )

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        ordering = ["plate"]
        indexes = [
            # The fleet of a unit by category: quota use, reports.
            models.Index(fields=["unit", "category", "status"], name="vehicle_unit_category"),
        ]

    def __str__(self):
        return self.plate

    @property
    def is_new_energy(self):
        return self.energy_type in NEW_ENERGY

    is_new_energy.fget.short_description = _("新能源")

    def clean(self):
        self.plate = normalise_plate(self.plate)
        errors = {}
        if self.standard_id and self.category and self.standard.category != self.category:
            errors["standard"] = _("所选标准属于“%(c)s”，与车辆类别不符。") % {
                "c": self.standard.get_category_display()
            }
        if self.energy_type in (EnergyType.BEV, EnergyType.FCEV) and self.displacement:
            errors["displacement"] = _("纯电动、燃料电池车没有排量，请留空。")
        if self.energy_type and self.energy_type not in (EnergyType.BEV, EnergyType.FCEV) and not self.displacement:
            errors["displacement"] = _("燃油及混合动力车须填写排量。")
        if self.purchase_date and self.status_since and self.status_since < self.purchase_date:
            errors["status_since"] = _("状态日期不能早于购置日期。")
        if errors:
            raise ValidationError(errors)

    def limit(self, defaults=None):
        """The standard this vehicle is judged against."""
        if self.standard_id:
            return self.standard
        if defaults is not None:
            return defaults.get(self.category)
        return VehicleStandard.objects.filter(category=self.category, is_default=True).first()

    def excesses(self, limit):
        """What exceeds the standard, as Chinese phrases (empty: within limits)."""
        found = []
        if limit is None:
            return found
        if self.purchase_price is not None and self.purchase_price > limit.max_price:
            found.append(_("购置价超出标准上限 %(p)s 元") % {"p": limit.max_price})
        if limit.max_displacement is not None and (self.displacement or 0) > limit.max_displacement:
            found.append(_("排量超出标准上限 %(d)s 升") % {"d": limit.max_displacement})
        return found


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Quota(BaseModel):
    """编制: the approved number of vehicles of a unit in a category from a date. Each approval or
    adjustment is a row, so the rows of a unit and category are its quota history; the latest
    row in effect is the quota."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="vehicle_quotas")
    category = models.CharField(_("车辆类别"), max_length=20, choices=Category.choices)
    approved = models.PositiveIntegerField(_("编制数（辆）"))
    approval_ref = models.CharField(_("核定文号"), max_length=60, help_text=_("编制核定或调整的批复文号。"))
    effective_from = models.DateField(_("生效日期"))

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("车辆编制")
        verbose_name_plural = _("车辆编制")
        ordering = ["unit_id", "category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "category", "effective_from"], name="vehicles_quota_unit_category")
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.approved} 辆（{self.effective_from:%Y-%m-%d} 起）"

    @classmethod
    def in_effect(cls, units, on=None):
        """{(unit id, category): approved} of the quotas in effect on a day."""
        on = on or timezone.localdate()
        rows = cls.objects.filter(unit__in=units, effective_from__lte=on).order_by("effective_from")
        return {(u, c): n for u, c, n in rows.values_list("unit_id", "category", "approved")}


class VehicleOwned(BaseModel):
    """A record about one vehicle: its unit is the vehicle's, copied on save so that scoping and
    roll-ups filter on a direct, indexed column."""

    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded", None) or {}
        if self.vehicle_id and (not self.unit_id or loaded.get("vehicle_id", self.vehicle_id) != self.vehicle_id):
            self.unit_id = Vehicle.objects.filter(pk=self.vehicle_id).values_list("unit_id", flat=True).first()
        super().save(*args, **kwargs)


class Trip(VehicleOwned):
    """A trip from the city platform (全市一张网), keyed by the platform's trip id."""

    # No single-column indexes: (vehicle, start) and (unit, start) below serve these lookups, and
    # every index less is faster imports of millions of rows.
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    # Unique by a constraint (below), not unique=True: on PostgreSQL that adds a second index for
    # LIKE 'x%' that no query uses (search is icontains) and every imported trip pays for.
    platform_id = models.CharField(_("平台行程编号"), max_length=40)
    driver = models.CharField(_("驾驶员"), max_length=30, blank=True)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    start_odometer = models.DecimalField(_("起始里程"), max_digits=9, decimal_places=1, null=True, blank=True)
    end_odometer = models.DecimalField(_("结束里程"), max_digits=9, decimal_places=1, null=True, blank=True)
    distance_km = models.DecimalField(_("行驶里程（公里）"), max_digits=8, decimal_places=1)
    origin = models.CharField(_("出发地"), max_length=100, blank=True)
    destination = models.CharField(_("目的地"), max_length=100, blank=True)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    approval_no = models.CharField(_("用车审批单号"), max_length=40, blank=True)
    off_day = models.BooleanField(_("节假日出车"), default=False, editable=False)
    night = models.BooleanField(_("夜间出车"), default=False, editable=False)
    long_distance = models.BooleanField(_("超长行程"), default=False, editable=False)
    explained = models.BooleanField(_("已说明"), default=False, editable=False)
    explanation = models.CharField(_("异常说明"), max_length=300, blank=True, editable=False)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("行程")
        verbose_name_plural = _("行程")
        ordering = ["-start", "-id"]
        indexes = [
            # The city-wide trips list (cursor on start).
            models.Index(fields=["-start", "-id"], name="trip_start"),
            # A unit liaison's trips list.
            models.Index(fields=["unit", "-start"], name="trip_unit_start"),
            # A vehicle's trips: overlap and odometer checks, roll-ups, idle vehicles.
            models.Index(fields=["vehicle", "start"], name="trip_vehicle_start"),
        ]
        constraints = [models.UniqueConstraint(fields=["platform_id"], name="trip_platform_id")]

    def __str__(self):
        return self.platform_id

    @property
    def anomalous(self):
        return self.off_day or self.night or self.long_distance

    @property
    def hours(self):
        return round(Decimal((self.end - self.start).total_seconds()) / 3600, 2)

    hours.fget.short_description = _("时长（小时）")

    def anomaly_labels(self):
        names = (("off_day", _("节假日")), ("night", _("夜间")), ("long_distance", _("超长")))
        return "、".join(str(label) for name, label in names if getattr(self, name)) or "—"

    anomaly_labels.short_description = _("异常")


class MonthlyUsage(models.Model):
    """A vehicle's month (from the trips that start in it), rebuilt by `vehicles.tasks.rollup_month`."""

    month = models.DateField(_("月份"))
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    trips = models.PositiveIntegerField(_("行程数"))
    km = models.DecimalField(_("里程（公里）"), max_digits=12, decimal_places=1)
    hours = models.DecimalField(_("时长（小时）"), max_digits=10, decimal_places=2)
    anomalous = models.PositiveIntegerField(_("异常行程数"))

    class Meta:
        verbose_name = _("车辆月度用车")
        verbose_name_plural = _("车辆月度用车")
        constraints = [models.UniqueConstraint(fields=["vehicle", "month"], name="usage_vehicle_month")]
        indexes = [models.Index(fields=["unit", "month"], name="usage_unit_month")]  # a unit's year

    def __str__(self):
        return f"{self.month:%Y-%m}"


class UnitMonthlyUsage(models.Model):
    """A unit's month: the sum of its vehicles' months, what the metrics read."""

    month = models.DateField(_("月份"))
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    vehicles = models.PositiveIntegerField(_("出车车辆数"))
    trips = models.PositiveIntegerField(_("行程数"))
    km = models.DecimalField(_("里程（公里）"), max_digits=14, decimal_places=1)
    hours = models.DecimalField(_("时长（小时）"), max_digits=12, decimal_places=2)
    anomalous = models.PositiveIntegerField(_("异常行程数"))

    class Meta:
        verbose_name = _("单位月度用车")
        verbose_name_plural = _("单位月度用车")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="usage_unit_month_unique")]
        indexes = [models.Index(fields=["month"], name="unit_usage_month")]  # the city's year

    def __str__(self):
        return f"{self.month:%Y-%m}"


class SupportRequest(BaseModel):
    """执法执勤用车保障: a unit asks the platform for a vehicle; staff dispatch one or say why not."""

    unit = models.ForeignKey(Unit, verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("执法执勤任务"), max_length=200)
    start = models.DateTimeField(_("用车开始"))
    end = models.DateTimeField(_("用车结束"))
    place = models.CharField(_("用车地点"), max_length=100, blank=True)
    passengers = models.PositiveSmallIntegerField(_("乘车人数"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=SupportStatus.choices, default=SupportStatus.REQUESTED)
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("派出车辆"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("未能保障原因"), max_length=200, blank=True)

    liaison_actions = ("view", "add")

    class Meta:
        verbose_name = _("执法执勤用车保障")
        verbose_name_plural = _("执法执勤用车保障")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["unit", "start"], name="support_unit_start")]  # support rate

    def __str__(self):
        return f"{self.start:%Y-%m-%d} {self.task[:30]}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间须晚于开始时间。")
        if self.status == SupportStatus.DISPATCHED and not self.vehicle_id:
            errors["vehicle"] = _("已派车须选择派出车辆。")
        if self.status == SupportStatus.UNFULFILLED and not self.reason:
            errors["reason"] = _("未能保障须说明原因。")
        if errors:
            raise ValidationError(errors)


class RentalOrder(BaseModel):
    """社会化租赁试点: a unit rents a vehicle from a provider instead of owning one."""

    unit = models.ForeignKey(Unit, verbose_name=_("租用单位"), on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("租赁公司"), max_length=100)
    vehicle_desc = models.CharField(
        _("租赁车辆"), max_length=60, help_text=_("车牌号及车型，例如“鄂A12345 大众帕萨特”。")
    )
    start_date = models.DateField(_("起租日期"))
    end_date = models.DateField(_("还车日期"))
    cost = models.DecimalField(_("租金（元）"), **MONEY, validators=[MinValueValidator(0)])
    purpose = models.CharField(_("用途"), max_length=200, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("租赁订单")
        verbose_name_plural = _("租赁订单")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return f"{self.provider} {self.start_date:%Y-%m-%d}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("还车日期不能早于起租日期。")})


class InspectionRound(BaseModel):
    """公车标识喷涂检查 / 车容车貌整治: one round of checks."""

    name = models.CharField(_("检查名称"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    note = models.TextField(_("说明"), blank=True)

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("标识检查轮次")
        verbose_name_plural = _("标识检查轮次")
        ordering = ["-start_date"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})


class Inspection(VehicleOwned):
    """A vehicle's result in a round, and the rectification it calls for."""

    round = models.ForeignKey(InspectionRound, verbose_name=_("检查轮次"), on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(_("检查日期"))
    outcome = models.CharField(_("检查结果"), max_length=15, choices=InspectionOutcome.choices)
    exempt_reason = models.CharField(_("免检理由"), max_length=200, blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("标识检查结果")
        verbose_name_plural = _("标识检查结果")
        ordering = ["-checked_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["round", "vehicle"], name="inspection_round_vehicle")]
        indexes = [models.Index(fields=["unit", "round"], name="inspection_unit_round")]  # compliance rate

    def __str__(self):
        return f"{self.checked_on:%Y-%m-%d} {self.get_outcome_display()}"

    def clean(self):
        errors = {}
        failing = self.outcome not in (InspectionOutcome.COMPLIANT, InspectionOutcome.EXEMPT, "")
        if self.outcome == InspectionOutcome.EXEMPT and not self.exempt_reason:
            errors["exempt_reason"] = _("免检须说明理由（如安全保卫、侦查办案用车）。")
        if failing and not self.rectify_by:
            errors["rectify_by"] = _("不合格须规定整改期限。")
        if self.rectified_on and not failing:
            errors["rectified_on"] = _("合格或免检的车辆无需整改。")
        if self.checked_on and self.rectify_by and self.rectify_by < self.checked_on:
            errors["rectify_by"] = _("整改期限不能早于检查日期。")
        if errors:
            raise ValidationError(errors)

    @property
    def overdue(self):
        return bool(self.rectify_by and not self.rectified_on and self.rectify_by < timezone.localdate())


class RunningCost(VehicleOwned):
    """运行费用: fuel or charging, maintenance, insurance, tolls of one vehicle."""

    date = models.DateField(_("发生日期"))
    kind = models.CharField(_("费用类别"), max_length=12, choices=CostKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Set on the adjustment rows an approved annual return writes (replaced when approved again).
    annual_return = models.PositiveSmallIntegerField(_("年度统计调整"), null=True, blank=True, editable=False)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("运行费用")
        verbose_name_plural = _("运行费用")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="cost_unit_date")]  # a unit's year

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.amount}"

    def clean(self):
        if self.amount is not None and self.amount < 0 and self.annual_return is None:
            raise ValidationError({"amount": _("金额不能为负数。")})
