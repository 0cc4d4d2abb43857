"""Bonus and deduction items suggested from the data (加减分建议), each with the record behind it.

Staff accept or reject each suggestion; a suggestion is kept once (by its source record), so
computing again adds only what is new and never revives one already rejected.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from bureau.models import Submission
from party.choices import RectificationState
from party.models import Rectification
from performance import progress
from performance.choices import DIVISIONS, AdjustmentKind, Source
from performance.models import Adjustment, Evaluation, Indicator, ProgressReport


@dataclass
class Suggestion:
    kind: str
    points: Decimal
    reason: str
    evidence_url: str
    source: str
    source_key: str


def subject_items(assessment):
    items = progress.projects(assessment.plan).filter(retired=False)
    if assessment.division:
        return items.filter(division=assessment.division)
    return items.filter(owner=assessment.person)


def suggest(assessment, today):
    plan = assessment.plan
    day = progress.year_day(plan.year, today)
    items = subject_items(assessment)
    found = []
    for item in progress.overdue(items, day).order_by("order"):
        found.append(
            Suggestion(
                AdjustmentKind.DEDUCTION,
                plan.deadline_points,
                _("项目“%(item)s”逾期未完成（时限 %(deadline)s，进度 %(percent)s%%）")
                % {"item": item, "deadline": item.deadline, "percent": item.progress or 0},
                item.get_absolute_url(),
                Source.DEADLINE,
                f"deadline:{item.pk}",
            )
        )
    for report in ProgressReport.objects.filter(item__in=items, late=True).select_related("item").order_by("pk"):
        found.append(
            Suggestion(
                AdjustmentKind.DEDUCTION,
                plan.late_report_points,
                _("项目“%(item)s”%(period)s 进度报告迟报（应报 %(due)s）")
                % {"item": report.item.code, "period": report.period, "due": report.due},
                report.get_absolute_url(),
                Source.LATE_REPORT,
                f"late_report:{report.pk}",
            )
        )
    if assessment.division:
        found += late_submissions(assessment, day)
    found += overdue_rectifications(assessment, day)
    if assessment.person_id:
        found += evaluations(assessment)
    judge = progress.Judge(today)
    for indicator in Indicator.objects.filter(item__in=items).select_related("item__plan").order_by("pk"):
        if judge.state(indicator) == "green":
            found.append(
                Suggestion(
                    AdjustmentKind.BONUS,
                    plan.indicator_points,
                    _("指标“%(label)s”已达标") % {"label": indicator.label},
                    indicator.get_absolute_url(),
                    Source.INDICATOR,
                    f"indicator:{indicator.pk}",
                )
            )
    return found


def late_submissions(assessment, day):
    """Units' data for the division's area sent after the deadline, or not yet sent past it."""
    from bureau.requests import kinds_for_areas

    kinds = list(kinds_for_areas({assessment.division}))
    late = (
        Submission.objects.filter(request__kind__in=kinds, deadline__year=assessment.plan.year)
        .filter(Q(submitted_at__isnull=True, deadline__lt=day) | Q(submitted_at__date__gt=F("deadline")))
        .select_related("request", "unit")
        .order_by("pk")
    )
    return [
        Suggestion(
            AdjustmentKind.DEDUCTION,
            assessment.plan.late_submission_points,
            _("%(unit)s“%(title)s”（%(period)s）逾期报送（截止 %(deadline)s）")
            % {"unit": s.unit, "title": s.request.title, "period": s.period, "deadline": s.deadline},
            s.get_absolute_url(),
            Source.LATE_SUBMISSION,
            f"late_submission:{s.pk}",
        )
        for s in late
    ]


def overdue_rectifications(assessment, day):
    """The party area's rectification items past their deadline and not closed, of the division
    (written as its role key or its name, 办公用房处) or of the person assessed."""
    if assessment.division:
        whose = Q(division__in=[assessment.division, str(dict(DIVISIONS).get(assessment.division, ""))])
    else:
        whose = Q(person=assessment.person)
    overdue = (
        Rectification.objects.filter(whose, deadline__lt=day).exclude(state=RectificationState.CLOSED).order_by("pk")
    )
    return [
        Suggestion(
            AdjustmentKind.DEDUCTION,
            assessment.plan.rectification_points,
            _("整改事项“%(item)s”逾期未销号（时限 %(deadline)s）") % {"item": r, "deadline": r.deadline},
            r.get_absolute_url(),
            Source.RECTIFICATION,
            f"rectification:{r.pk}",
        )
        for r in overdue
    ]


def evaluation_averages(person, year):
    """A cadre's daily evaluations of the year: how many, each dimension's average and the
    average of the four (each evaluation weighs the same)."""
    found = Evaluation.objects.filter(person=person, date__year=year).aggregate(
        count=Count("pk"),
        quantity=Avg("quantity"),
        quality=Avg("quality"),
        ability=Avg("ability"),
        conduct=Avg("conduct"),
    )
    if found["count"]:
        dimensions = [Decimal(str(found[k])) for k in ("quantity", "quality", "ability", "conduct")]
        found["score"] = (sum(dimensions) / 4).quantize(Decimal("0.01"))
    return found


def evaluations(assessment):
    """A bonus when the year's evaluations average at or above the plan's high line, a deduction
    below its low line; the evidence is the list of those evaluations."""
    plan = assessment.plan
    found = evaluation_averages(assessment.person_id, plan.year)
    if not found["count"]:
        return []
    score = found["score"]
    if score >= plan.evaluation_high:
        kind, line, words = AdjustmentKind.BONUS, plan.evaluation_high, _("达到优良线")
    elif score < plan.evaluation_low:
        kind, line, words = AdjustmentKind.DEDUCTION, plan.evaluation_low, _("低于警示线")
    else:
        return []
    url = f"{reverse('performance:evaluation_list')}?person={assessment.person_id}&year={plan.year}"
    return [
        Suggestion(
            kind,
            plan.evaluation_points,
            _("全年日常评价 %(count)d 次，平均 %(score)s 分，%(words)s %(line)s 分")
            % {"count": found["count"], "score": score, "words": words, "line": f"{line.normalize():f}"},
            url,
            Source.EVALUATION,
            f"evaluation:{kind}",
        )
    ]


def record(assessment, today=None):
    """Keep the new suggestions as proposed adjustments; returns how many were added."""
    today = today or datetime.date.today()
    known = set(assessment.adjustments.exclude(source_key="").values_list("source_key", flat=True))
    new = [
        Adjustment(
            assessment=assessment,
            kind=s.kind,
            points=s.points,
            reason=s.reason,
            evidence_url=s.evidence_url,
            source=s.source,
            source_key=s.source_key,
        )
        for s in suggest(assessment, today)
        if s.source_key not in known and s.points > 0
    ]
    Adjustment.objects.bulk_create(new)
    return len(new)
