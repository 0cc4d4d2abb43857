"""Demo performance data: a short work plan of our own writing (in the format of the bureau's annual
plan), imported through the same reader as a real one; every project assigned to a division, an
owner and a deadline; a year of monthly progress reports, some late; indicators bound to the other
areas' figures; cadres' daily evaluations; and the year's assessment round with its suggestions."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from bureau.models import Person, Unit
from performance import assess, plan, progress
from performance.choices import DIVISIONS, AdjustmentState, Grade, Source
from performance.models import Assessment, Evaluation, Indicator, ProgressReport, Supervision

PLAN_TEXT = """{year}年，市机关事务管理局围绕“保障、管理、服务”三项职能，坚持稳中求进，推动各项工作提质增效。
一、从严管理公共资产
1.规范办公用房使用。完成全部市直单位办公用房年度核查，超标准问题按期整改。依托专业运营机构盘活不低于三千平方米闲置房产。
2.提升公务用车管理水平。一是推进车辆更新，新能源车占比达Ｘ％以上；二是完善执法执勤用车调度，执法用车保障率Ｘ%。
3.深化公共机构节能。市级公共机构碳排放同比下降Ｘ%，推动Ｘ家单位完成节水改造。
二、优化后勤服务保障
1.做好会议和活动保障。重大活动保障零差错，服务对象满意率Ｘ%以上。
2.提高数据报送质量。各单位数据填报按时报送率不低于九十五%。三是建立报送情况通报制度。
三、加强自身建设
1.落实绩效管理。一是按月调度重点项目；二是开展年度考核，优秀比例控制在规定范围内。
2.推进清廉机关建设。坚持每月一案学习，开展廉政谈话Ｘ次。
"""

# Which division runs each project, by its code in the plan above.
DIVISION_OF = {
    "一.1": "offices",
    "一.2": "vehicles",
    "一.2（一）": "vehicles",
    "一.2（二）": "vehicles",
    "一.3": "energy",
    "二.1": "logistics",
    "二.2": "performance",
    "二.2（三）": "performance",
    "三.1": "performance",
    "三.1（一）": "performance",
    "三.1（二）": "performance",
    "三.2": "party",
}
# The targets staff fill in where the plan leaves Ｘ, by the plan's words.
FILLED = {"新能源车": "30", "执法用车保障率": "95", "碳排放": "2", "节水改造": "10", "满意率": "95", "廉政谈话": "12"}


def seed(ctx):
    rng = ctx.rng
    year = ctx.year
    saved = plan.store(plan.read(PLAN_TEXT.format(year=year).encode()), year, title=f"{year}年工作计划（演示）")
    bureau = Unit.objects.filter(name__contains="机关事务管理局").first() or Unit.objects.order_by("pk").first()
    staff = list(Person.objects.filter(unit=bureau).order_by("pk")[:12])
    User = get_user_model()
    member = User.objects.filter(username="member").first()
    if member and staff and not Person.objects.filter(user=member).exists():
        staff[0].user = member
        staff[0].save()
    supervisor = seed_supervisions(staff, User.objects.filter(username="offices").first())

    projects = list(progress.projects(saved).order_by("order"))
    for i, item in enumerate(projects):
        item.division = DIVISION_OF.get(item.code, "performance")
        item.owner = staff[i % len(staff)] if staff else None
        item.deadline = datetime.date(year, rng.choice((6, 9, 11, 12)), 28 if i % 3 else 30)
        item.save()
    fill_indicators(saved)
    seed_reports(ctx, saved, projects)
    seed_evaluations(ctx, staff, supervisor, User.objects.filter(username="performance").first())
    seed_assessments(ctx, saved, staff, User.objects.filter(username="performance").first())


def fill_indicators(saved):
    for indicator in Indicator.objects.filter(item__plan=saved, target__isnull=True):
        target = next((v for words, v in FILLED.items() if words in indicator.label), None)
        if target is not None:
            indicator.target = Decimal(target)
            indicator.save()
    # What no area measures is entered by hand, with its evidence.
    for indicator in Indicator.objects.filter(item__plan=saved, metric="", target__isnull=False):
        indicator.manual_value = indicator.target * Decimal("1.1") if indicator.comparison == "ge" else Decimal(0)
        if indicator.comparison == "decrease":
            indicator.base, indicator.manual_value = Decimal("1000"), Decimal("975")
        indicator.evidence = "年度工作台账"
        indicator.save()


def seed_reports(ctx, saved, projects):
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    for n, item in enumerate(projects):
        behind = n % 4 == 3  # one project in four falls behind and stops reporting in autumn
        percent = 0
        for label, end, due in saved.periods():
            if end > item.deadline + datetime.timedelta(days=31) or (behind and end.month > 8):
                break
            months = max(item.deadline.month, 1)
            percent = min(100, percent + rng.randint(60, 140) // months) if not behind else min(percent + 5, 60)
            if end.month == item.deadline.month and not behind:
                percent = 100
            day = (
                due - datetime.timedelta(days=rng.randint(0, 4)) if rng.random() > 0.1 else due + datetime.timedelta(3)
            )
            ProgressReport.objects.create(
                item=item,
                period=label,
                text=f"{label} 按计划推进，完成阶段任务。" if not behind else f"{label} 受资金到位影响，进度滞后。",
                percent=percent,
                problems="" if not behind else "资金尚未到位。",
                evidence="工作台账、会议纪要",
                submitted_at=datetime.datetime.combine(day, datetime.time(16), tz),
            )
            if percent >= 100:
                break


def seed_supervisions(staff, account):
    """The second of the staff (signed in as the offices division's account) supervises the
    others, the demo cadre among them; 绩效办 enters the evaluations of the one nobody
    supervises. Returns the supervisor's account, or None."""
    if len(staff) < 2:
        return None
    head = staff[1]
    if account and head.user_id is None and not Person.objects.filter(user=account).exists():
        head.user = account
        head.save()
    Supervision.objects.bulk_create(
        [Supervision(person=p, supervisor=head, note="处室负责人") for p in staff if p != head]
    )
    return head.user


def seed_evaluations(ctx, staff, supervisor, performance):
    rng = ctx.rng
    rows = [
        Evaluation(
            person=person,
            date=datetime.date(ctx.year, month, 25),
            quantity=rng.randint(75, 98),
            quality=rng.randint(75, 98),
            ability=rng.randint(75, 98),
            conduct=rng.randint(80, 99),
            note="按时完成交办任务。",
            evaluator=supervisor if supervisor and i != 1 else performance,
        )
        for i, person in enumerate(staff)
        for month in range(1, 13)
    ]
    Evaluation.objects.bulk_create(rows)


def seed_assessments(ctx, saved, staff, decider):
    round_day = datetime.date(ctx.year + 1, 1, 15)
    assessments = [Assessment.objects.create(plan=saved, division=key) for key, _label in DIVISIONS]
    assessments += [Assessment.objects.create(plan=saved, person=p) for p in staff[:5]]
    for a in assessments:
        assess.record(a, round_day)
        for adjustment in a.adjustments.all():
            # Staff reject the units' late data (the division chased it) and accept the rest.
            rejected = adjustment.source == Source.LATE_SUBMISSION
            adjustment.state = AdjustmentState.REJECTED if rejected else AdjustmentState.ACCEPTED
            adjustment.approved_by, adjustment.approved_at = decider, timezone.now()
            adjustment.save()
    ranked = sorted((a for a in assessments if a.division), key=lambda a: a.total, reverse=True)
    for i, a in enumerate(ranked):
        a.grade = Grade.EXCELLENT if i == 0 else Grade.COMPETENT
        a.save()
    for a in assessments:
        if a.person_id:
            a.grade = Grade.COMPETENT
            a.save()
