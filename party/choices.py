from django.db import models
from django.utils.translation import gettext_lazy as _


class ClueSource(models.TextChoices):
    LETTER = "letter", _("信访举报")
    INSPECTION = "inspection", _("巡视巡察移交")
    AUDIT = "audit", _("审计移交")
    SUPERVISION = "supervision", _("日常监督发现")
    OTHER = "other", _("其他")


class ClueState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("处置中")
    CONCLUDED = "concluded", _("已办结")


class Disposal(models.TextChoices):
    """How a clue is disposed of (DOMAIN.md "Party, integrity": wording to be confirmed)."""

    TALK = "talk", _("谈话函询")
    VERIFY = "verify", _("初步核实")
    HOLD = "hold", _("暂存待查")
    CLOSE = "close", _("予以了结")


class Form(models.TextChoices):
    """四种形态 (the four forms of supervision and discipline)."""

    FIRST = "1", _("第一种形态：批评教育、谈话提醒、约谈函询")
    SECOND = "2", _("第二种形态：轻处分、组织调整")
    THIRD = "3", _("第三种形态：重处分、重大职务调整")
    FOURTH = "4", _("第四种形态：严重违纪涉嫌违法立案审查")


class EntryKind(models.TextChoices):
    PERSONAL = "personal", _("个人有关事项报告")
    GIFT = "gift", _("礼品礼金上交")
    FAMILY = "family", _("配偶子女经商办企业")
    TALK = "talk", _("谈话提醒")
    FINDING = "finding", _("问题查处")


class Frequency(models.TextChoices):
    NONE = "none", _("不作要求")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    ANNUAL = "annual", _("每年")


# Periods per year of each frequency.
PERIODS = {
    Frequency.NONE: 0,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.ANNUAL: 1,
}


class StandardState(models.TextChoices):
    """支部标准化规范化建设."""

    NOT_STARTED = "not_started", _("未开展")
    BUILDING = "building", _("创建中")
    MET = "met", _("已达标")
    MODEL = "model", _("示范支部")


class RectificationState(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    SUBMITTED = "submitted", _("已提交销号")
    CLOSED = "closed", _("已销号")
    EXTENDED = "extended", _("已延期")


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class PolicyState(models.TextChoices):
    CURRENT = "current", _("现行有效")
    REPEALED = "repealed", _("已废止")
    REVISED = "revised", _("已修订")


class TrainingKind(models.TextChoices):
    CENTER_GROUP = "center_group", _("理论学习中心组学习")
    SECRETARIES = "secretaries", _("支部书记培训班")
    COMMITTEE = "committee", _("支委委员培训班")
    MEMBERS = "members", _("党员集中培训")
