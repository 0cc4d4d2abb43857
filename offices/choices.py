from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingStatus(models.TextChoices):
    IN_USE = "in_use", _("在用")
    IDLE = "idle", _("闲置")
    LEASING = "leasing", _("出租出借（审批中）")
    REPAIR = "repair", _("维修中")
    DISPOSED = "disposed", _("已处置")


class Structure(models.TextChoices):
    FRAME = "frame", _("钢筋混凝土")
    BRICK = "brick", _("砖混")
    STEEL = "steel", _("钢结构")
    OTHER = "other", _("其他")


class TitleState(models.TextChoices):
    """《党政机关办公用房管理办法》Art. 7: title registered in the name of the 机关事务管理部门."""

    REGISTERED = "registered", _("已统一登记")
    PENDING = "pending", _("待登记")
    FILED = "filed", _("历史遗留备案")


class RoomCategory(models.TextChoices):
    """《党政机关办公用房建设标准》: 基本办公用房 (the first three) and 附属用房."""

    OFFICE = "office", _("办公室用房")
    SERVICE = "service", _("服务用房")
    EQUIPMENT = "equipment", _("设备用房")
    ANCILLARY = "ancillary", _("附属用房")


class RoomKind(models.TextChoices):
    OFFICE = "office", _("办公室")
    MEETING = "meeting", _("会议室")
    RECEPTION = "reception", _("接待室")
    ARCHIVE = "archive", _("档案室")
    PRINTING = "printing", _("文印室")
    DUTY = "duty", _("值班室")
    STORAGE = "storage", _("储藏室")
    POWER = "power", _("配电室")
    PUMP = "pump", _("水泵房")
    BOILER = "boiler", _("锅炉房")
    HVAC = "hvac", _("空调机房")
    TELECOM = "telecom", _("通信机房")
    LIFT = "lift", _("电梯机房")
    CANTEEN = "canteen", _("食堂")
    GARAGE = "garage", _("停车库")
    GUARD = "guard", _("警卫用房")
    SHELTER = "shelter", _("人防设施")


# Which sub-kinds belong to which class (DOMAIN.md "Office space").
KINDS_BY_CATEGORY = {
    RoomCategory.OFFICE: {RoomKind.OFFICE},
    RoomCategory.SERVICE: {
        RoomKind.MEETING,
        RoomKind.RECEPTION,
        RoomKind.ARCHIVE,
        RoomKind.PRINTING,
        RoomKind.DUTY,
        RoomKind.STORAGE,
    },
    RoomCategory.EQUIPMENT: {
        RoomKind.POWER,
        RoomKind.PUMP,
        RoomKind.BOILER,
        RoomKind.HVAC,
        RoomKind.TELECOM,
        RoomKind.LIFT,
    },
    RoomCategory.ANCILLARY: {RoomKind.CANTEEN, RoomKind.GARAGE, RoomKind.GUARD, RoomKind.SHELTER},
}


class AllocationKind(models.TextChoices):
    ALLOCATE = "allocate", _("配置")
    RECLAIM = "reclaim", _("收回")


class ReclaimReason(models.TextChoices):
    VACATED = "vacated", _("腾退")
    OVER_STANDARD = "over_standard", _("超标准")
    MERGER = "merger", _("机构合并或撤销")
    OTHER = "other", _("其他")


class RepairKind(models.TextChoices):
    MAJOR = "major", _("大修")
    MEDIUM = "medium", _("中修")
    ROUTINE = "routine", _("日常维修")


class RepairState(models.TextChoices):
    APPLIED = "applied", _("已申报")
    REVIEWING = "reviewing", _("审核中")
    APPROVED = "approved", _("已批复")
    REJECTED = "rejected", _("未通过")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTED = "accepted", _("已验收")


# The review flow: applied → under review → approved / rejected → in progress → accepted.
# A rejected project may be re-applied after revision.
REPAIR_TRANSITIONS = {
    RepairState.APPLIED: {RepairState.REVIEWING, RepairState.APPROVED, RepairState.REJECTED},
    RepairState.REVIEWING: {RepairState.APPROVED, RepairState.REJECTED},
    RepairState.APPROVED: {RepairState.IN_PROGRESS},
    RepairState.REJECTED: {RepairState.APPLIED},
    RepairState.IN_PROGRESS: {RepairState.ACCEPTED},
    RepairState.ACCEPTED: set(),
}
# States in which the bureau has set an approved amount, so the cut (核减) is known.
REVIEWED_STATES = (RepairState.APPROVED, RepairState.IN_PROGRESS, RepairState.ACCEPTED)
