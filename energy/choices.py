from django.db import models
from django.utils.translation import gettext_lazy as _


class Item(models.TextChoices):
    """The items of 《公共机构能源资源消费统计调查制度》 (国管节能〔2022〕301号), in its order."""

    ELECTRICITY = "electricity", _("电")
    WATER = "water", _("水")
    COAL = "coal", _("煤炭")
    NATURAL_GAS = "natural_gas", _("天然气")
    LPG = "lpg", _("液化石油气")
    TOWN_GAS = "town_gas", _("人工煤气")
    GASOLINE = "gasoline", _("汽油")
    DIESEL = "diesel", _("柴油")
    KEROSENE = "kerosene", _("煤油")
    HEAT = "heat", _("热力")
    OTHER = "other", _("其他能源")
    SOLAR = "solar", _("光伏发电")


# Each item's official unit of measure, the other units the statistics system accepts, and how
# many "factor basis" units one official unit holds (exact physical conversions, not [confirm] data:
# coal coefficients are per kg and per MJ in GB/T 2589, so t -> kg and GJ -> MJ are x1000).
MEASURES = {
    Item.ELECTRICITY: ("kWh", ()),
    Item.WATER: ("t", ()),
    Item.COAL: ("t", ()),
    Item.NATURAL_GAS: ("m³", ()),
    Item.LPG: ("kg", ()),
    Item.TOWN_GAS: ("m³", ()),
    Item.GASOLINE: ("kg", ("L",)),
    Item.DIESEL: ("kg", ("L",)),
    Item.KEROSENE: ("kg", ("L",)),
    Item.HEAT: ("GJ", ()),
    Item.OTHER: ("tce", ()),
    Item.SOLAR: ("kWh", ()),
}
LITRE = "L"

# Items that enter 综合能耗 (tce): everything consumed as energy. Water is a resource, and solar
# generation is reported for itself (the grid electricity actually bought is already counted).
ENERGY_ITEMS = frozenset(MEASURES) - {Item.WATER, Item.SOLAR}
# Items whose quantity needs a density to reach the kg the coefficients are stated per.
LIQUID_FUELS = frozenset(item for item, (_unit, alts) in MEASURES.items() if LITRE in alts)


def official_unit(item):
    return MEASURES[item][0]


def accepted_units(item):
    unit, alternatives = MEASURES[item]
    return (unit, *alternatives)


class FlagCheck(models.TextChoices):
    MISSING_MONTH = "missing_month", _("月度数据缺失")
    REPEATED = "repeated", _("数据重复")
    YOY = "yoy", _("同比变化超限")
    PEER = "peer", _("强度偏离同类单位")


class AuditState(models.TextChoices):
    PLANNED = "planned", _("计划")
    AUDITING = "auditing", _("审计中")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已完成")


class CreationState(models.TextChoices):
    PLANNED = "planned", _("计划创建")
    APPLIED = "applied", _("已申报")
    CREATED = "created", _("已达标")
    FAILED = "failed", _("未达标")


class RetrofitKind(models.TextChoices):
    LOW_CARBON = "low_carbon", _("低碳化改造")
    EMC = "emc", _("合同能源管理")
    RETROFIT = "retrofit", _("节能改造")


class EmcMode(models.TextChoices):
    """合同能源管理的模式 (GB/T 24915 合同能源管理技术通则)."""

    SHARING = "sharing", _("节能效益分享型")
    GUARANTEE = "guarantee", _("节能量保证型")
    TRUSTEESHIP = "trusteeship", _("能源费用托管型")
    FINANCE = "finance", _("融资租赁型")


class ProjectState(models.TextChoices):
    PLANNED = "planned", _("计划")
    BUILDING = "building", _("实施中")
    RUNNING = "running", _("已投运")
    ACCEPTED = "accepted", _("已验收")


class InspectionTopic(models.TextChoices):
    WASTE = "waste", _("生活垃圾分类")
    FOOD = "food", _("反食品浪费")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("合格")
    RECTIFY = "rectify", _("限期整改")
    FAIL = "fail", _("不合格")


class TargetKey(models.TextChoices):
    """十四五 targets (国管节能〔2021〕195号) and the 节约型机关 share; the values are rows of Target."""

    KGCE_PER_M2 = "kgce_per_m2", _("单位建筑面积能耗")
    KGCE_PER_PERSON = "kgce_per_person", _("人均综合能耗")
    WATER_PER_PERSON = "water_per_person", _("人均用水量")
    CO2_PER_M2 = "co2_per_m2", _("单位建筑面积碳排放")
    CONSERVATION_SHARE = "conservation_share", _("节约型机关创建比例")
