from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The five categories of 《党政机关公务用车管理办法》 (2017), art. 3."""

    CONFIDENTIAL = "confidential", _("机要通信用车")
    EMERGENCY = "emergency", _("应急保障用车")
    ENFORCEMENT = "enforcement", _("执法执勤用车")
    SPECIAL = "special", _("特种专业技术用车")
    OTHER = "other", _("其他按照规定配备的公务用车")


class EnergyType(models.TextChoices):
    PETROL = "petrol", _("汽油")
    DIESEL = "diesel", _("柴油")
    HYBRID = "hybrid", _("油电混合动力")
    PHEV = "phev", _("插电式混合动力")
    BEV = "bev", _("纯电动")
    FCEV = "fcev", _("燃料电池")


# Plug-in hybrid, battery electric and fuel cell are 新能源汽车; a non-plug-in hybrid is not.
NEW_ENERGY = (EnergyType.PHEV, EnergyType.BEV, EnergyType.FCEV)


class Status(models.TextChoices):
    IN_SERVICE = "in_service", _("在用")
    REPAIR = "repair", _("维修")
    AWAITING_DISPOSAL = "awaiting_disposal", _("待处置")
    DISPOSED = "disposed", _("已处置")


# Vehicles that occupy a quota place and count in the fleet.
FLEET_STATUSES = (Status.IN_SERVICE, Status.REPAIR)


class Marking(models.TextChoices):
    MARKED = "marked", _("已喷涂")
    UNMARKED = "unmarked", _("未喷涂")
    EXEMPT = "exempt", _("免喷涂")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class SupportStatus(models.TextChoices):
    REQUESTED = "requested", _("待派车")
    DISPATCHED = "dispatched", _("已派车")
    UNFULFILLED = "unfulfilled", _("未能保障")
    CANCELLED = "cancelled", _("已取消")


class InspectionOutcome(models.TextChoices):
    COMPLIANT = "compliant", _("合格")
    MARK_MISSING = "mark_missing", _("标识缺失")
    DAMAGED = "damaged", _("标识破损")
    DIRTY = "dirty", _("车容不洁")
    EXEMPT = "exempt", _("免检")


class CostKind(models.TextChoices):
    FUEL = "fuel", _("燃油费")
    CHARGING = "charging", _("充电费")
    MAINTENANCE = "maintenance", _("维修保养费")
    INSURANCE = "insurance", _("保险费")
    TOLL = "toll", _("通行费")
    OTHER = "other", _("其他")
