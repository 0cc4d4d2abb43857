"""办公用房: the registry (一房一档: site → building → floor → room), the standards the over-standard
check reads, allocation and reclaim, repair projects, idle property use, turnover housing and the
reconciliation of the bureau's master ledger with the units' sub-ledgers."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.choices import Rank
from bureau.models import BaseModel, Person, Unit
from bureau.scoping import has_model_perm, user_unit_ids
from offices.choices import (
    KINDS_BY_CATEGORY,
    REPAIR_TRANSITIONS,
    REVIEWED_STATES,
    AllocationKind,
    BuildingStatus,
    ReclaimReason,
    RepairKind,
    RepairState,
    RoomCategory,
    RoomKind,
    Structure,
    TitleState,
)

POSITIVE_AREA = MinValueValidator(Decimal("0.01"), _("面积必须大于 0。"))
NOT_NEGATIVE = MinValueValidator(Decimal("0"), _("不能为负数。"))
# 大修 may add at most 15% floor area (《党政机关办公用房管理办法》, DOMAIN.md "Office space").
MAJOR_REPAIR_MAX_EXTENSION = Decimal("0.15")


def area_field(label, **kwargs):
    kwargs.setdefault("validators", [POSITIVE_AREA])
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


def money_field(label, **kwargs):
    kwargs.setdefault("validators", [NOT_NEGATIVE])
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)


# Standards and policy (data an administrator edits) ----------------------------------------------


class Standard(BaseModel):
    """A table of per-person office-room limits with the date it takes effect; the check uses the
    latest table in force on the day it looks at."""

    name = models.CharField(_("标准名称"), max_length=100)
    document = models.CharField(_("文号"), max_length=100, help_text=_("例如：发改投资〔2014〕2674号"))
    level = models.CharField(_("适用层级"), max_length=20, help_text=_("例如：市级"))
    effective_from = models.DateField(_("施行日期"), unique=True)

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("办公用房标准")
        verbose_name_plural = _("办公用房标准")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.name}（{self.effective_from:%Y-%m-%d}起）"

    @classmethod
    def in_force(cls, day=None):
        return cls.objects.filter(effective_from__lte=day or datetime.date.today()).order_by("-effective_from").first()


class RankLimit(BaseModel):
    standard = models.ForeignKey(Standard, verbose_name=_("标准"), on_delete=models.CASCADE, related_name="limits")
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices)
    limit_area = area_field(_("人均办公室使用面积上限（m²）"), help_text=_("使用面积，含领导干部卫生间（≤6 m²）。"))

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("职级面积标准")
        verbose_name_plural = _("职级面积标准")
        ordering = ["standard", "-limit_area"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "rank"],
                name="ranklimit_one_per_rank",
                violation_error_message=_("该标准已有此职级。"),
            )
        ]

    def __str__(self):
        return f"{self.get_rank_display()} {self.limit_area} m²"


class Policy(BaseModel):
    """The yearly figures the plan and the house rules set; a year without its own row uses the
    latest earlier one."""

    year = models.PositiveIntegerField(_("年度"), unique=True)
    idle_target_area = area_field(
        _("闲置房产盘活目标（m²）"), help_text=_("工作计划要求当年盘活的闲置房产面积，2022 年为不低于 5,000 m²。")
    )
    turnover_eligible_years = models.PositiveSmallIntegerField(
        _("周转住房申请年限（年）"),
        validators=[MinValueValidator(1, _("至少为 1 年。"))],
        help_text=_("新入职公务员在入职后多少年内可申请周转住房。"),
    )

    unit_field = None
    liaison_actions = ()
    admin_managed = True

    class Meta:
        verbose_name = _("办公用房年度参数")
        verbose_name_plural = _("办公用房年度参数")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year} 年度参数"

    @classmethod
    def for_year(cls, year):
        return cls.objects.filter(year__lte=year).order_by("-year").first()


# The registry --------------------------------------------------------------------------------------


class Site(BaseModel):
    name = models.CharField(_("院落（园区）名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200)
    land_area = area_field(_("占地面积（m²）"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("院落")
        verbose_name_plural = _("院落")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(BaseModel):
    code = models.CharField(_("房产编号"), max_length=30, unique=True, help_text=_("主账中楼宇的唯一编号。"))
    name = models.CharField(_("楼宇名称"), max_length=100)
    site = models.ForeignKey(
        Site, verbose_name=_("院落"), null=True, blank=True, on_delete=models.PROTECT, related_name="buildings"
    )
    address = models.CharField(_("地址"), max_length=200)
    year_built = models.PositiveSmallIntegerField(
        _("建成年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800, _("建成年份不合理。")), MaxValueValidator(2100, _("建成年份不合理。"))],
    )
    structure = models.CharField(_("结构"), max_length=10, choices=Structure.choices, default=Structure.FRAME)
    floor_area = area_field(_("建筑面积（m²）"))
    land_area = area_field(_("占地面积（m²）"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("主要使用单位"),
        on_delete=models.PROTECT,
        related_name="buildings",
        help_text=_("闲置楼宇填机关事务管理局。其他单位使用的房间在房间上登记。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=BuildingStatus.choices, default=BuildingStatus.IN_USE)
    title_state = models.CharField(_("权属登记"), max_length=12, choices=TitleState.choices, default=TitleState.PENDING)
    certificate_no = models.CharField(_("不动产权证号"), max_length=60, blank=True)
    registered_owner = models.CharField(
        _("登记权利人"), max_length=100, blank=True, help_text=_("按规定统一登记在机关事务管理部门名下。")
    )
    title_note = models.TextField(_("登记说明"), blank=True, help_text=_("历史遗留备案时写明原因。"))

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        ordering = ["code"]
        indexes = [models.Index(fields=["unit", "status"], name="building_unit_status")]  # a unit's buildings

    def __str__(self):
        return f"{self.code} {self.name}"

    @staticmethod
    def scope_queryset(queryset, user, action):
        """A liaison also sees the buildings where their unit uses rooms (read-only)."""
        from bureau.scoping import default_scope

        if action != "view" or has_model_perm(user, Building, "view"):
            return default_scope(queryset, user, action)
        ids = user_unit_ids(user)
        return queryset.filter(Q(unit__in=ids) | Q(pk__in=Room.objects.filter(unit__in=ids).values("building_id")))

    def clean(self):
        errors = {}
        if self.title_state == TitleState.REGISTERED:
            if not self.certificate_no.strip():
                errors["certificate_no"] = _("已统一登记的楼宇须填写不动产权证号。")
            if not self.registered_owner.strip():
                errors["registered_owner"] = _("已统一登记的楼宇须填写登记权利人。")
        if self.title_state == TitleState.FILED and not self.title_note.strip():
            errors["title_note"] = _("历史遗留备案须写明原因。")
        if errors:
            raise ValidationError(errors)


class Floor(BaseModel):
    building = models.ForeignKey(Building, verbose_name=_("楼宇"), on_delete=models.CASCADE, related_name="floors")
    level = models.SmallIntegerField(
        _("楼层"),
        validators=[MinValueValidator(-10, _("楼层不合理。")), MaxValueValidator(200, _("楼层不合理。"))],
        help_text=_("地上为正数，地下为负数，例如 -1 表示地下一层。"),
    )
    name = models.CharField(_("名称"), max_length=20, blank=True, help_text=_("例如：3F、B1"))

    unit_field = "building__unit"
    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        ordering = ["building", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "level"], name="floor_unique_level", violation_error_message=_("该楼宇已有此楼层。")
            )
        ]

    def __str__(self):
        return self.name or (f"{self.level}层" if self.level > 0 else f"地下{-self.level}层")


class Room(BaseModel):
    building = models.ForeignKey(Building, verbose_name=_("楼宇"), on_delete=models.PROTECT, related_name="rooms")
    floor = models.ForeignKey(Floor, verbose_name=_("楼层"), on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("房间号"), max_length=20)
    category = models.CharField(_("用房类别"), max_length=10, choices=RoomCategory.choices)
    kind = models.CharField(_("用途"), max_length=10, choices=RoomKind.choices, blank=True)
    usable_area = area_field(_("使用面积（m²）"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("使用单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rooms",
        help_text=_("收回后待配置的房间留空。"),
    )
    occupants = models.ManyToManyField(
        Person,
        verbose_name=_("使用人"),
        through="Occupancy",
        blank=True,
        related_name="offices",
        help_text=_("仅办公室用房登记使用人；一人只能占用一间办公室。"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="room_unique_number",
                violation_error_message=_("同一楼宇内房间号不能重复。"),
            )
        ]
        # A unit's rooms by class: the overview sheet, the metrics and the over-standard page.
        indexes = [models.Index(fields=["unit", "category"], name="room_unit_category")]

    def __str__(self):
        return self.number

    def clean(self):
        errors = {}
        if self.floor_id and self.building_id and self.floor.building_id != self.building_id:
            errors["floor"] = _("所选楼层不属于所选楼宇。")
        if self.kind and self.category and self.kind not in KINDS_BY_CATEGORY[self.category]:
            errors["kind"] = _("用途“%(kind)s”不属于“%(category)s”。") % {
                "kind": self.get_kind_display(),
                "category": self.get_category_display(),
            }
        if errors:
            raise ValidationError(errors)


class Occupancy(models.Model):
    """Who uses an office room. One person, one office: the person is unique here."""

    room = models.ForeignKey(Room, verbose_name=_("房间"), on_delete=models.CASCADE, related_name="occupancies")
    person = models.OneToOneField(Person, verbose_name=_("使用人"), on_delete=models.CASCADE, related_name="occupancy")

    class Meta:
        verbose_name = _("办公室使用人")
        verbose_name_plural = _("办公室使用人")

    def __str__(self):
        return f"{self.room_id}:{self.person_id}"


# Allocation and reclaim --------------------------------------------------------------------------


class Allocation(BaseModel):
    """A space allocated to a unit (配置) or taken back from it (收回); saving it moves its rooms."""

    kind = models.CharField(_("类型"), max_length=10, choices=AllocationKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="allocations")
    reason = models.CharField(
        _("收回原因"), max_length=15, choices=ReclaimReason.choices, blank=True, help_text=_("收回时必填。")
    )
    rooms = models.ManyToManyField(Room, verbose_name=_("房间"), blank=True, related_name="allocations")
    total_area = area_field(
        _("面积（m²）"),
        null=True,
        blank=True,
        help_text=_("按房间配置时留空，自动为所选房间使用面积之和；只按面积配置时必填。"),
    )
    document_no = models.CharField(_("批准文号"), max_length=100)
    approved_on = models.DateField(_("批准日期"))
    effective_on = models.DateField(_("执行日期"))
    note = models.TextField(_("备注"), blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("配置与收回")
        verbose_name_plural = _("配置与收回")
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_no}"

    def clean(self):
        errors = {}
        if self.kind == AllocationKind.RECLAIM and not self.reason:
            errors["reason"] = _("收回须选择收回原因。")
        if self.kind == AllocationKind.ALLOCATE and self.reason:
            errors["reason"] = _("配置不填收回原因。")
        if self.approved_on and self.effective_on and self.effective_on < self.approved_on:
            errors["effective_on"] = _("执行日期不能早于批准日期。")
        if errors:
            raise ValidationError(errors)

    def held_room_ids(self):
        """The rooms this record already moved (before an edit is saved)."""
        return set(self.rooms.values_list("pk", flat=True)) if self.pk else set()

    def check_rooms(self, rooms, held=frozenset()):
        """Rooms newly on the record must be free to allocate, or the unit's to reclaim. Rooms it
        already moved (`held`) are not checked again: they may have moved on since."""
        problems = []
        for room in rooms:
            if room.pk in held:
                continue
            if self.kind == AllocationKind.ALLOCATE and room.unit_id not in (None, self.unit_id):
                problems.append(_("房间 %(room)s 正由其他单位使用，须先收回再配置。") % {"room": room})
            if self.kind == AllocationKind.RECLAIM and room.unit_id not in (None, self.unit_id):
                problems.append(_("房间 %(room)s 不由本单位使用，不能从本单位收回。") % {"room": room})
        if not rooms and not self.total_area:
            problems.append(_("请选择房间，或填写面积。"))
        return problems

    def apply(self, room_ids):
        """Move the rooms newly on the record: to the unit on allocation; back to the pool (no
        using unit, no occupants) on reclaim. Audited per room by the bulk update. Correcting an
        old record never moves rooms it moved before."""
        rooms = Room.objects.filter(pk__in=room_ids)
        if self.kind == AllocationKind.ALLOCATE:
            rooms.exclude(unit_id=self.unit_id).update(unit_id=self.unit_id)
        else:
            Occupancy.objects.filter(room__in=rooms).delete()
            rooms.exclude(unit=None).update(unit=None)
        if self.total_area is None:
            total = Room.objects.filter(allocations=self).aggregate(total=models.Sum("usable_area"))["total"]
            if total:
                type(self).objects.filter(pk=self.pk).update(total_area=total)
                self.total_area = total
                self.version += 1


# Repairs ----------------------------------------------------------------------------------------------


class RepairProject(BaseModel):
    unit = models.ForeignKey(Unit, verbose_name=_("申报单位"), on_delete=models.PROTECT, related_name="repairs")
    building = models.ForeignKey(Building, verbose_name=_("楼宇"), on_delete=models.PROTECT, related_name="repairs")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000, _("年度不合理。"))])
    kind = models.CharField(_("类别"), max_length=10, choices=RepairKind.choices)
    title = models.CharField(_("项目名称"), max_length=200)
    scope = models.TextField(_("维修内容"), help_text=_("部位、做法和主要工程量。"))
    added_floor_area = models.DecimalField(
        _("增加建筑面积（m²）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[NOT_NEGATIVE],
        help_text=_("大修可增加不超过原建筑面积 15% 的面积；中修和日常维修填 0。"),
    )
    requested_amount = money_field(
        _("申报概算（元）"), validators=[MinValueValidator(Decimal("0.01"), _("须大于 0。"))]
    )
    approved_amount = money_field(_("审定金额（元）"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=RepairState.choices, default=RepairState.APPLIED)
    review_note = models.TextField(_("审核意见"), blank=True)

    liaison_actions = ("view", "add")

    class Meta:
        verbose_name = _("维修项目")
        verbose_name_plural = _("维修项目")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["year", "unit"], name="repair_year_unit")]  # yearly totals per unit

    def __str__(self):
        return self.title

    @property
    def cut_amount(self):
        if self.approved_amount is None:
            return None
        return self.requested_amount - self.approved_amount

    cut_amount.fget.short_description = _("核减额（元）")

    @property
    def cut_rate(self):
        """核减率 = (申报 − 审定) / 申报, DOMAIN.md "Repairs"."""
        if self.approved_amount is None or not self.requested_amount:
            return None
        return ((self.requested_amount - self.approved_amount) / self.requested_amount).quantize(Decimal("0.0001"))

    cut_rate.fget.short_description = _("核减率")

    def clean(self):
        errors = {}
        if None not in (self.approved_amount, self.requested_amount) and self.approved_amount > self.requested_amount:
            errors["approved_amount"] = _("审定金额不能高于申报概算。")
        if self.state in REVIEWED_STATES and self.approved_amount is None:
            errors["approved_amount"] = _("批复后须填写审定金额。")
        if (
            self.building_id
            and self.unit_id
            and self.building.unit_id != self.unit_id
            and not Room.objects.filter(building_id=self.building_id, unit_id=self.unit_id).exists()
        ):
            errors["building"] = _("申报单位不使用该楼宇，不能申报其维修。")
        if self.kind != RepairKind.MAJOR and self.added_floor_area:
            errors["added_floor_area"] = _("只有大修可以增加建筑面积。")
        if self.kind == RepairKind.MAJOR and self.building_id and self.added_floor_area:
            limit = self.building.floor_area * MAJOR_REPAIR_MAX_EXTENSION
            if self.added_floor_area > limit:
                errors["added_floor_area"] = _(
                    "大修增加面积 %(added)s m² 超过原建筑面积的 15%%（%(limit)s m²），不予受理。"
                ) % {"added": self.added_floor_area, "limit": limit.quantize(Decimal("0.01"))}
        before = (getattr(self, "_loaded", None) or {}).get("state") if self.pk else None
        if before and before != self.state and self.state not in REPAIR_TRANSITIONS[before]:
            errors["state"] = _("不能从“%(old)s”直接变为“%(new)s”。") % {
                "old": RepairState(before).label,
                "new": RepairState(self.state).label,
            }
        if not self.pk and self.state != RepairState.APPLIED:
            errors["state"] = _("新项目的状态须为“已申报”。")
        if errors:
            raise ValidationError(errors)


# Idle property -----------------------------------------------------------------------------------------


class Revitalisation(BaseModel):
    """Idle space handed to an operator (e.g. a state-owned enterprise) to run."""

    building = models.ForeignKey(
        Building, verbose_name=_("楼宇"), on_delete=models.PROTECT, related_name="revitalisations"
    )
    operator = models.CharField(_("运营单位"), max_length=100)
    contract_no = models.CharField(_("合同编号"), max_length=60)
    revitalised_area = area_field(_("盘活面积（m²）"))
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    annual_revenue = money_field(_("年收益（元）"), default=Decimal("0"))
    note = models.TextField(_("备注"), blank=True)

    unit_field = "building__unit"
    liaison_actions = ()

    class Meta:
        verbose_name = _("闲置房产盘活")
        verbose_name_plural = _("闲置房产盘活")
        ordering = ["-start"]

    def __str__(self):
        return self.contract_no

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("截止日期不能早于起始日期。")
        if self.building_id and self.revitalised_area and self.revitalised_area > self.building.floor_area:
            errors["revitalised_area"] = _("盘活面积不能超过楼宇建筑面积（%(area)s m²）。") % {
                "area": self.building.floor_area
            }
        if errors:
            raise ValidationError(errors)


# Turnover housing -----------------------------------------------------------------------------------


class Flat(BaseModel):
    code = models.CharField(_("房源编号"), max_length=30, unique=True)
    address = models.CharField(_("地址"), max_length=200)
    floor_area = area_field(_("建筑面积（m²）"))
    bedrooms = models.PositiveSmallIntegerField(_("居室数"), default=1)
    monthly_rent = money_field(_("月租金（元）"))

    unit_field = None
    liaison_actions = ()

    class Meta:
        verbose_name = _("周转住房")
        verbose_name_plural = _("周转住房")
        ordering = ["code"]

    def __str__(self):
        return self.code


class Lease(BaseModel):
    flat = models.ForeignKey(Flat, verbose_name=_("房源"), on_delete=models.PROTECT, related_name="leases")
    person = models.ForeignKey(Person, verbose_name=_("承租人"), on_delete=models.PROTECT, related_name="leases")
    unit = models.ForeignKey(
        Unit, verbose_name=_("承租人单位"), on_delete=models.PROTECT, related_name="leases", editable=False
    )
    joined_on = models.DateField(_("入职日期"), help_text=_("新入职公务员在规定年限内可申请。"))
    start = models.DateField(_("租期开始"))
    end = models.DateField(_("租期结束"))
    monthly_rent = money_field(_("月租金（元）"))
    moved_out_on = models.DateField(_("退房日期"), null=True, blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("周转住房租赁")
        verbose_name_plural = _("周转住房租赁")
        ordering = ["-start"]
        indexes = [models.Index(fields=["end"], name="lease_end")]  # expiring leases

    def __str__(self):
        return f"{self.flat_id}/{self.start:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.person_id:
            self.unit_id = self.person.unit_id
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("租期结束日期不能早于开始日期。")
        if self.moved_out_on and self.start and self.moved_out_on < self.start:
            errors["moved_out_on"] = _("退房日期不能早于租期开始。")
        if self.joined_on and self.start:
            policy = Policy.for_year(self.start.year)
            if policy is None:
                errors["start"] = _("尚未设置 %(year)s 年度的周转住房申请年限，请管理员先设置。") % {
                    "year": self.start.year
                }
            elif self.joined_on > self.start:
                errors["joined_on"] = _("入职日期不能晚于租期开始。")
            elif _years_between(self.joined_on, self.start) >= policy.turnover_eligible_years:
                errors["joined_on"] = _("入职已满 %(n)s 年，不符合周转住房申请条件。") % {
                    "n": policy.turnover_eligible_years
                }
        if self.flat_id and self.start and self.end and "end" not in errors:
            # Another lease of the same flat whose occupation overlaps this one.
            overlap = Lease.objects.filter(flat_id=self.flat_id, start__lte=self.end).exclude(pk=self.pk)
            overlap = overlap.filter(Q(moved_out_on__isnull=True, end__gte=self.start) | Q(moved_out_on__gt=self.start))
            if overlap.exists():
                errors["flat"] = _("该房源在此租期内已出租。")
        if errors:
            raise ValidationError(errors)


def _years_between(earlier, later):
    years = later.year - earlier.year
    return years - 1 if (later.month, later.day) < (earlier.month, earlier.day) else years


# Master ledger vs unit sub-ledger -----------------------------------------------------------------


class Reconciliation(BaseModel):
    """What a unit confirmed of its sub-ledger, and the differences from the master ledger that the
    office-space division settles (账账相符, 《党政机关办公用房管理办法》 Art. 6)."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reconciliations")
    period = models.CharField(_("统计期"), max_length=20, help_text=_("例如：2022"))
    differences = models.JSONField(_("差异"), default=list, blank=True)
    settled = models.BooleanField(_("已处理"), default=False)
    settle_note = models.TextField(_("处理说明"), blank=True)

    liaison_actions = ("view",)

    class Meta:
        verbose_name = _("台账核对")
        verbose_name_plural = _("台账核对")
        ordering = ["-period", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                name="reconciliation_unit_period",
                violation_error_message=_("该单位本期已有核对记录。"),
            )
        ]

    def __str__(self):
        return f"{self.period} {self.unit_id}"

    @property
    def consistent(self):
        return not self.differences

    consistent.fget.short_description = _("账账相符")

    @property
    def difference_count(self):
        return len(self.differences)

    difference_count.fget.short_description = _("差异数")

    def clean(self):
        if self.settled and self.differences and not self.settle_note.strip():
            raise ValidationError({"settle_note": _("处理差异须写明处理说明。")})
