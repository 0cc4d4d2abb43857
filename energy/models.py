"""公共机构节能: institutions' base data, monthly consumption and its computed figures, versioned
factor sets, targets, verification flags, audits, 节约型机关, retrofits and inspections."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.models import BaseModel, Unit
from energy.choices import (
    AuditState,
    CreationState,
    EmcMode,
    FlagCheck,
    InspectionResult,
    InspectionTopic,
    Item,
    ProjectState,
    RetrofitKind,
    TargetKey,
    accepted_units,
    official_unit,
)

MONTH = [MinValueValidator(1), MaxValueValidator(12)]
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def _quantity(label, **kwargs):
    return models.DecimalField(label, max_digits=16, decimal_places=3, validators=NOT_NEGATIVE, **kwargs)


def _money(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=2, validators=NOT_NEGATIVE, **kwargs)


def _area(label, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, validators=NOT_NEGATIVE, **kwargs)


class FactorSet(BaseModel):
    """A versioned set of standard-coal and CO₂ coefficients. A year's figures use the newest active
    set whose year is not later than it; figures already computed keep the set that made them."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(
        _("适用起始年度"), validators=YEAR, help_text=_("自该年度起适用，直到有更新的系数集。")
    )
    source = models.TextField(_("依据"), help_text=_("标准、文件及其文号，例如 GB/T 2589-2020 附录 A。"))
    active = models.BooleanField(_("启用"), default=True, help_text=_("停用的系数集不会被自动选用，但可用于重新计算。"))
    note = models.TextField(_("说明"), blank=True)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("折算系数集")
        verbose_name_plural = _("折算系数集")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.name

    @classmethod
    def for_year(cls, year):
        """The set new figures of `year` are computed with; before the first set, the earliest one."""
        active = cls.objects.filter(active=True)
        return active.filter(year__lte=year).order_by("-year", "-id").first() or active.order_by("year", "id").first()


class Factor(BaseModel):
    """One item's coefficients in a set, per the item's factor basis (kWh, kg, m³, MJ or kgce)."""

    factor_set = models.ForeignKey(
        FactorSet, verbose_name=_("系数集"), on_delete=models.CASCADE, related_name="factors"
    )
    item = models.CharField(_("品种"), max_length=20, choices=Item.choices)
    coal = models.DecimalField(
        _("折标准煤系数"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("kgce/计量基准单位（电 kWh、煤炭/油品/液化气 kg、气体 m³、热力 MJ、其他能源 kgce）。"),
    )
    co2 = models.DecimalField(
        _("二氧化碳排放系数"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text=_("kgCO₂/计量基准单位，与折标准煤系数的基准相同。留空表示暂无系数，该品种不计排放。"),
    )
    density = models.DecimalField(
        _("密度"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("kg/L，仅油品按升报送时使用。"),
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("折算系数")
        verbose_name_plural = _("折算系数")
        ordering = ["factor_set_id", "id"]
        constraints = [models.UniqueConstraint(fields=["factor_set", "item"], name="factor_once_per_set")]

    def __str__(self):
        return self.get_item_display()


class Target(BaseModel):
    """A plan target as data: e.g. 单位建筑面积能耗 −5% in 2025 against 2020 (国管节能〔2021〕195号)."""

    key = models.CharField(_("指标"), max_length=30, choices=TargetKey.choices)
    base_year = models.PositiveSmallIntegerField(_("基准年"), validators=YEAR)
    target_year = models.PositiveSmallIntegerField(_("目标年"), validators=YEAR)
    value = models.DecimalField(
        _("目标值"),
        max_digits=6,
        decimal_places=4,
        help_text=_("变化率填小数（−0.05 即下降 5%）；比例类指标填达到的比例（0.80 即 80%）。"),
    )
    source = models.CharField(_("依据"), max_length=200)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("节能目标")
        verbose_name_plural = _("节能目标")
        ordering = ["key", "-target_year"]
        constraints = [models.UniqueConstraint(fields=["key", "target_year"], name="target_once_per_year")]

    def __str__(self):
        return f"{self.get_key_display()} {self.target_year}"

    def clean(self):
        if self.value is None:
            return
        if self.key == TargetKey.CONSERVATION_SHARE:
            if not 0 <= self.value <= 1:
                raise ValidationError({"value": _("比例须在 0 至 1 之间（80% 填 0.80）。")})
        elif not -1 < self.value <= 0:
            # A change aimed at is a fall, and no fall reaches 100%; "5" or "0.05" meant −5%.
            raise ValidationError({"value": _("变化率须大于 -1 且不大于 0：下降 5% 填 -0.05。")})


class Profile(BaseModel):
    """An institution's base data for a year (统计调查制度 基本信息表)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="energy_profiles")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    floor_area = _area(_("建筑面积（m²）"), help_text=_("办公建筑面积，不含职工住宅。"))
    heated_area = _area(_("采暖面积（m²）"), default=0, blank=True, help_text=_("集中或自备采暖的面积；无采暖填 0。"))
    people = models.PositiveIntegerField(_("用能人数"), help_text=_("在本单位办公的全部人员，含编外和驻场人员。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    liaison_actions = ("view", "add", "change")

    class Meta:
        verbose_name = _("单位基本信息")
        verbose_name_plural = _("单位基本信息")
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="profile_once_per_year")]
        indexes = [models.Index(fields=["year", "unit"], name="profile_year_unit")]  # intensities of a year

    def __str__(self):
        return f"{self.year} 年基本信息"

    def clean(self):
        if self.heated_area and self.floor_area is not None and self.heated_area > self.floor_area:
            raise ValidationError({"heated_area": _("采暖面积不能大于建筑面积。")})


class Consumption(BaseModel):
    """One institution's consumption of one item in one month, with the figures computed from it and
    the factor set that computed them (so a past report reproduces exactly)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="energy_consumptions")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    month = models.PositiveSmallIntegerField(_("月份"), validators=MONTH)
    item = models.CharField(_("品种"), max_length=20, choices=Item.choices)
    quantity = _quantity(_("实物量"))
    measure = models.CharField(
        _("计量单位"), max_length=10, help_text=_("如 kWh、t、m³、kg、L；汽油、柴油、煤油可按 L 或 kg。")
    )
    cost = _money(_("金额（元）"), default=0)
    kgce = models.DecimalField(_("折标准煤（kgce）"), max_digits=18, decimal_places=3, default=0, editable=False)
    co2_kg = models.DecimalField(_("二氧化碳（kg）"), max_digits=18, decimal_places=3, default=0, editable=False)
    factor_set = models.ForeignKey(
        FactorSet, verbose_name=_("折算系数集"), null=True, on_delete=models.PROTECT, editable=False, related_name="+"
    )

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("能源资源消费")
        verbose_name_plural = _("能源资源消费")
        # The list's order and a unit's year (checks, roll-up rebuild) both follow the unique index.
        ordering = ["unit_id", "year", "month", "item"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "month", "item"], name="consumption_once")]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.get_item_display()}"

    @property
    def period(self):
        return f"{self.year}-{self.month:02d}"

    period.fget.short_description = _("期间")

    def clean(self):
        if self.item and self.measure and self.measure not in accepted_units(self.item):
            raise ValidationError(
                {
                    "measure": _("%(item)s的计量单位只能是 %(units)s。")
                    % {"item": self.get_item_display(), "units": "、".join(accepted_units(self.item))}
                }
            )

    def save(self, *args, **kwargs):
        from energy import figures

        before = getattr(self, "_loaded", None) or {}
        self.measure = self.measure or official_unit(self.item)
        figures.compute_row(self)
        super().save(*args, **kwargs)
        figures.rebuild_rollups(self.year, [self.unit_id])
        # A row moved to another unit or year leaves its old month to be summed again.
        if before and (before.get("year"), before.get("unit_id")) != (self.year, self.unit_id):
            figures.rebuild_rollups(before["year"], [before["unit_id"]])

    def delete(self, *args, **kwargs):
        from energy import figures

        result = super().delete(*args, **kwargs)
        figures.rebuild_rollups(self.year, [self.unit_id])
        return result


class MonthlyRollup(models.Model):
    """Per unit and month, the sums the metrics read: derived from Consumption on approval,
    edit and recompute, never edited by hand (at most 12 x 1,000 rows a city-year)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    kgce = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    co2_kg = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    water_t = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    electricity_kwh = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    factor_set = models.ForeignKey(FactorSet, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "month"], name="rollup_once")]
        # A city-year's metrics: every unit's months of one year.
        indexes = [models.Index(fields=["year", "unit"], name="rollup_year_unit")]

    def __str__(self):
        return f"{self.unit_id} {self.year}-{self.month:02d}"


class VerificationFlag(BaseModel):
    """A finding of the automatic checks, for the 核查会审 meeting; resolved with a note."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="energy_flags")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    kind = models.CharField(_("检查项"), max_length=20, choices=FlagCheck.choices)
    item = models.CharField(_("品种"), max_length=20, choices=Item.choices, blank=True)
    message = models.CharField(_("提示"), max_length=300)
    resolved = models.BooleanField(_("已处理"), default=False)
    note = models.TextField(_("处理说明"), blank=True, help_text=_("核查会审的结论：核实无误的原因，或已更正的内容。"))

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("核查提示")
        verbose_name_plural = _("核查提示")
        ordering = ["-year", "resolved", "unit_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind", "item"], name="flag_once")]
        indexes = [models.Index(fields=["year", "resolved"], name="flag_year_open")]  # the meeting's list

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"

    def clean(self):
        if self.resolved and not self.note.strip():
            raise ValidationError({"note": _("标记为已处理时须填写处理说明。")})


class EnergyAudit(BaseModel):
    """An energy audit of a key energy-using unit (重点用能单位能源审计) and its follow-up."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="energy_audits")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    auditor = models.CharField(_("审计机构"), max_length=100)
    audit_date = models.DateField(_("审计日期"), null=True, blank=True)
    findings = models.TextField(_("主要问题"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    follow_up = models.TextField(_("跟踪情况"), blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=AuditState.choices, default=AuditState.PLANNED)

    liaison_actions = ("view", "change")

    class Meta:
        verbose_name = _("能源审计")
        verbose_name_plural = _("能源审计")
        ordering = ["-year", "unit_id"]

    def __str__(self):
        return f"{self.year} 能源审计"


class ConservationOrgan(BaseModel):
    """节约型机关 creation: the criteria checklist of a unit for a year (国管节能〔2021〕195号)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="conservation_checks")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR)
    energy_posts = models.BooleanField(_("设立节能岗位并分解目标"), default=False)
    sub_metering = models.BooleanField(_("能耗分户分项计量"), default=False)
    ledgers = models.BooleanField(_("建立能源资源消费台账"), default=False)
    green_office = models.BooleanField(_("无纸化办公和绿色采购"), default=False)
    nev_first = models.BooleanField(_("公务用车优先新能源车"), default=False)
    waste_sorting = models.BooleanField(_("生活垃圾分类全覆盖"), default=False)
    no_single_use_plastics = models.BooleanField(_("不使用一次性塑料制品"), default=False)
    training = models.BooleanField(_("开展节约培训宣传"), default=False)
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("文件名称、文号或台账位置，每条一行。"))
    state = models.CharField(_("状态"), max_length=10, choices=CreationState.choices, default=CreationState.PLANNED)

    CRITERIA = (
        "energy_posts",
        "sub_metering",
        "ledgers",
        "green_office",
        "nev_first",
        "waste_sorting",
        "no_single_use_plastics",
        "training",
    )

    liaison_actions = ("view", "add", "change")

    class Meta:
        verbose_name = _("节约型机关创建")
        verbose_name_plural = _("节约型机关创建")
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="conservation_once_per_year")]

    def __str__(self):
        return f"{self.year} 节约型机关创建"

    @property
    def criteria_met(self):
        return sum(bool(getattr(self, name)) for name in self.CRITERIA)

    criteria_met.fget.short_description = _("达标项数")

    def clean(self):
        if self.state == CreationState.CREATED and self.criteria_met < len(self.CRITERIA):
            raise ValidationError({"state": _("八项创建标准未全部达到，不能标记为已达标。")})


class Retrofit(BaseModel):
    """A low-carbon retrofit or contract-energy-management (合同能源管理) project."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="retrofits")
    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=RetrofitKind.choices)
    emc_mode = models.CharField(
        _("合同能源管理模式"),
        max_length=12,
        choices=EmcMode.choices,
        blank=True,
        help_text=_("仅合同能源管理项目填写。"),
    )
    contractor = models.CharField(_("节能服务公司/实施单位"), max_length=100, blank=True)
    investment = _money(_("投资额（元）"), default=0)
    start_year = models.PositiveSmallIntegerField(_("开工年度"), validators=YEAR)
    expected_tce = _quantity(_("预计年节能量（tce）"), default=0)
    expected_co2_t = _quantity(_("预计年减碳量（tCO₂）"), default=0)
    measured_tce = _quantity(_("实测年节能量（tce）"), null=True, blank=True)
    measured_co2_t = _quantity(_("实测年减碳量（tCO₂）"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ProjectState.choices, default=ProjectState.PLANNED)

    liaison_actions = ("view", "add", "change")

    class Meta:
        verbose_name = _("节能低碳改造项目")
        verbose_name_plural = _("节能低碳改造项目")
        ordering = ["-start_year", "unit_id", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == RetrofitKind.EMC and not self.emc_mode:
            raise ValidationError({"emc_mode": _("合同能源管理项目须选择模式。")})
        if self.kind != RetrofitKind.EMC and self.emc_mode:
            raise ValidationError({"emc_mode": _("只有合同能源管理项目填写模式。")})


class Inspection(BaseModel):
    """A waste-sorting or anti-food-waste (《反食品浪费法》) inspection of a unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="energy_inspections")
    topic = models.CharField(_("检查内容"), max_length=10, choices=InspectionTopic.choices)
    date = models.DateField(_("检查日期"))
    inspector = models.CharField(_("检查人"), max_length=60)
    result = models.CharField(_("结果"), max_length=10, choices=InspectionResult.choices)
    findings = models.TextField(_("发现问题"), blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectified = models.BooleanField(_("已整改"), default=False)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("垃圾分类与反食品浪费检查")
        verbose_name_plural = _("垃圾分类与反食品浪费检查")
        ordering = ["-date", "unit_id"]

    def __str__(self):
        return f"{self.date} {self.get_topic_display()}"

    def clean(self):
        if self.result != InspectionResult.PASS and not self.findings.strip():
            raise ValidationError({"findings": _("结果不是“合格”时须写明发现的问题。")})
