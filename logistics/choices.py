from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingState(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("未批准")
    SERVED = "served", _("已保障")
    CANCELLED = "cancelled", _("已取消")


# The bookings that hold their slot: no two of one venue may overlap.
HOLDING = (BookingState.REQUESTED, BookingState.APPROVED)
# What a decision may move a booking to, from where.
BOOKING_MOVES = {
    "approve": ((BookingState.REQUESTED,), BookingState.APPROVED),
    "decline": ((BookingState.REQUESTED,), BookingState.DECLINED),
    "serve": ((BookingState.APPROVED,), BookingState.SERVED),
    "cancel": ((BookingState.REQUESTED, BookingState.APPROVED), BookingState.CANCELLED),
}


class EventState(models.TextChoices):
    PLANNED = "planned", _("待保障")
    SERVED = "served", _("已保障")
    UNSERVED = "unserved", _("未能保障")
    CANCELLED = "cancelled", _("已取消")


class Binding(models.TextChoices):
    NONE = "none", _("不装订")
    STAPLE = "staple", _("骑马钉")
    GLUE = "glue", _("胶装")
    HARDCOVER = "hardcover", _("精装")


class Service(models.TextChoices):
    VENUE = "venue", _("会议场所保障")
    EVENT = "event", _("重大活动用车")
    PROPERTY = "property", _("物业、绿化服务")
    CANTEEN = "canteen", _("机关食堂")
    PRINT = "print", _("文印服务")
    HOUSING = "housing", _("集中居住区服务")


class FollowUp(models.TextChoices):
    NONE = "none", _("无需跟进")
    OPEN = "open", _("跟进中")
    CLOSED = "closed", _("已办结")


class PatrolState(models.TextChoices):
    OPEN = "open", _("巡查中")
    COMPLETE = "complete", _("已完成")
    INCOMPLETE = "incomplete", _("未完成")
    EXPIRED = "expired", _("已过期")


class JournalKind(models.TextChoices):
    DAILY = "daily", _("每日巡查工作笔记")
    WEEKLY = "weekly", _("服务周志")


class FlatState(models.TextChoices):
    AVAILABLE = "available", _("可售")
    RESERVED = "reserved", _("已预订")
    SOLD = "sold", _("已售")


class MilestoneState(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    DELAYED = "delayed", _("滞后")
