from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PARTY = "party", _("党的机关")
    GOVERNMENT = "government", _("行政机关")
    CONGRESS = "congress", _("人大机关")
    CPPCC = "cppcc", _("政协机关")
    MASS = "mass", _("群团机关")
    INSTITUTION = "institution", _("事业单位")


class Rank(models.TextChoices):
    """Ranks of the municipal table of 发改投资〔2014〕2674号 (office-room limits per person)."""

    CITY_HEAD = "city_head", _("市级正职")
    CITY_DEPUTY = "city_deputy", _("市级副职")
    BUREAU_HEAD = "bureau_head", _("正局（处）级")
    BUREAU_DEPUTY = "bureau_deputy", _("副局（处）级")
    BELOW_BUREAU = "below_bureau", _("局（处）级以下")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    DENIED = "denied", _("拒绝访问")
    GRANT = "grant", _("授权")
    ACTION = "action", _("操作")


class Frequency(models.TextChoices):
    ANNUAL = "annual", _("年度")
    QUARTERLY = "quarterly", _("季度")
    MONTHLY = "monthly", _("月度")


class RequestState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("填报中")
    CLOSED = "closed", _("已结束")


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("待报送")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新报送")
    APPROVED = "approved", _("已通过")


class ReviewAction(models.TextChoices):
    SAVE = "save", _("保存")
    SUBMIT = "submit", _("报送")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("通过")
    REOPEN = "reopen", _("重新打开")


class JobState(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")

    @classmethod
    def live(cls):
        return (cls.PENDING, cls.RUNNING)
