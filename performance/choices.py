from django.db import models
from django.utils.translation import gettext_lazy as _

from bureau.roles import AREAS, ROLES

# A project belongs to a division: the bureau's divisions are the area roles (bureau.roles).
DIVISIONS = [(key, ROLES[key].label) for key in AREAS]
MANAGERS = {"admin", "leader", "performance"}


class ReportFrequency(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    QUARTERLY = "quarterly", _("季度")


class Level(models.TextChoices):
    PART = "part", _("部分")
    ITEM = "item", _("条目")
    SUBITEM = "subitem", _("子项")


class Comparison(models.TextChoices):
    GE = "ge", _("≥ 不低于")
    LE = "le", _("≤ 不高于")
    EQ = "eq", _("= 等于")
    DECREASE = "decrease", _("同比下降（%）")


class State(models.TextChoices):
    GREEN = "green", _("绿：已达标")
    YELLOW = "yellow", _("黄：未达标，年度未结束")
    RED = "red", _("红：年度结束未达标")


class Occasion(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    PERIOD = "period", _("期末")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("加分")
    DEDUCTION = "deduction", _("减分")


class AdjustmentState(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("不采纳")


class Source(models.TextChoices):
    MANUAL = "manual", _("手工录入")
    DEADLINE = "deadline", _("项目逾期未完成")
    LATE_REPORT = "late_report", _("进度报告迟报")
    LATE_SUBMISSION = "late_submission", _("单位数据迟报")
    RECTIFICATION = "rectification", _("整改事项逾期")
    INDICATOR = "indicator", _("指标达标")
    EVALUATION = "evaluation", _("日常评价")
