from django.db.models import Count, Q
from django.utils import timezone

from bureau.metrics import Target, metric, target_source
from bureau.models import Unit
from party import organisation, quiz
from party.choices import RectificationState
from party.models import Branch, CaseSession, Clue, QuizCampaign, Rectification


def whole_city(units):
    return units.count() == Unit.objects.count()


@metric("party.clue_count", "问题线索受理数", "件", order=80)
def clue_count(year, units):
    """A count for the whole city only: a count per unit (a drill-down, a liaison's scope) would
    tell which unit a clue concerns."""
    if not whole_city(units):
        return None
    return Clue.objects.filter(received_on__year=year).count()


@metric(
    "party.meetings_on_time_share",
    "组织生活按期开展率",
    "%",
    description="已结束的各期中，按要求频次开展了组织生活的期数占比（各支部、各类型）。",
    higher_is_better=True,
    order=10,
)
def meetings_on_time_share(year, units):
    return organisation.on_time_share(Branch.objects.filter(unit__in=units), year, timezone.localdate())


def _items(year, units):
    return Rectification.objects.filter(round__started_on__year=year, unit__in=units)


@metric(
    "party.rectification_closed_share",
    "巡视巡察问题整改销号率",
    "%",
    description="当年进驻的巡视巡察轮次反馈问题中，已审核销号的占比。",
    higher_is_better=True,
    order=20,
)
def rectification_closed_share(year, units):
    found = _items(year, units).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(state=RectificationState.CLOSED))
    )
    return organisation.share(found["closed"], found["total"])


@metric(
    "party.rectification_overdue",
    "逾期未销号整改事项",
    "项",
    description="当年轮次中，今天已超过整改期限（含延期后期限）仍未销号的事项数（红灯）。",
    higher_is_better=False,
    order=30,
)
def rectification_overdue(year, units):
    today = timezone.localdate()
    return (
        _items(year, units)
        .exclude(state=RectificationState.CLOSED)
        .filter(Q(extended_to__lt=today) | Q(extended_to__isnull=True, deadline__lt=today))
        .count()
    )


def _quiz(year, units, key):
    campaign = QuizCampaign.objects.filter(year=year).order_by("-pk").first()
    return quiz.total_rates(campaign, units)[key] if campaign else None


@metric(
    "party.quiz_study_rate",
    "法宣在线参学率",
    "%",
    description="当年最近一次学法考试：参学人数 / 在册人数。",
    higher_is_better=True,
    order=40,
)
def quiz_study_rate(year, units):
    return _quiz(year, units, "study_rate")


@metric(
    "party.quiz_exam_rate",
    "法宣在线参考率",
    "%",
    description="当年最近一次学法考试：参考人数 / 在册人数。",
    higher_is_better=True,
    order=41,
)
def quiz_exam_rate(year, units):
    return _quiz(year, units, "exam_rate")


@metric(
    "party.quiz_excellent_rate",
    "法宣在线优秀率",
    "%",
    description="当年最近一次学法考试：成绩不低于优秀分数线的人数 / 参考人数。",
    higher_is_better=True,
    order=42,
)
def quiz_excellent_rate(year, units):
    return _quiz(year, units, "excellent_rate")


QUIZ_TARGETS = {
    "party.quiz_study_rate": "study_target",
    "party.quiz_exam_rate": "exam_target",
    "party.quiz_excellent_rate": "excellent_target",
}


@target_source
def quiz_target(key, year):
    """The quiz rates' targets are the campaign's (the plan's figures, kept on each campaign)."""
    if key not in QUIZ_TARGETS:
        return None
    campaign = QuizCampaign.objects.filter(year=year).order_by("-pk").first()
    if campaign is None:
        return None
    return Target("ge", float(getattr(campaign, QUIZ_TARGETS[key])), label=str(campaign))


@metric(
    "party.case_study_attendance",
    "每月一案参学率",
    "%",
    description="当年各支部案例学习中，参学党员人次 / 应参学党员人次（各场学习时支部党员数之和）。",
    higher_is_better=True,
    order=50,
)
def case_study_attendance(year, units):
    sessions = CaseSession.objects.filter(case__month__year=year, branch__unit__in=units)
    present = CaseSession.attendees.through.objects.filter(casesession__in=sessions).count()
    # Each session expects its branch's members (as the branch stands today).
    members = dict(
        Branch.members.through.objects.filter(branch__in=sessions.values("branch"))
        .order_by()
        .values("branch")
        .annotate(n=Count("pk"))
        .values_list("branch", "n")
    )
    expected = sum(members.get(branch, 0) for branch in sessions.values_list("branch", flat=True))
    return organisation.share(present, expected)
