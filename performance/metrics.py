"""The plan's own figures, and the plan's targets for every area's figures.

The work plan is the bureau's own: its figures do not divide by unit. They answer for the whole
city's scope only (staff, leaders); a scope narrowed to some units (a liaison's) gets no figure."""

from django.db.models import Count, Q
from django.utils import timezone

from bureau.metrics import metric, target_source
from performance import progress
from performance.models import Indicator, Plan, ProgressReport


def _whole(units):
    return units is None or not units.query.where


def _share(part, whole):
    return round(100 * part / whole, 2) if whole else None


@metric("performance.projects_on_track_share", "计划项目进度正常率", "%", higher_is_better=True, order=10)
def projects_on_track_share(year, units):
    """Projects (items and sub-items, not retired) that are green: done, or on schedule."""
    if not _whole(units):
        return None
    plan = Plan.objects.filter(year=year).first()
    if plan is None:
        return None
    today = timezone.localdate()
    due = progress.due_periods(plan, progress.year_day(year, today))
    states = [
        progress.project_state(item, year, today, due)
        for item in progress.with_progress(progress.live_projects(plan)).order_by()
    ]
    return _share(states.count("green"), len(states))


@metric("performance.indicators_met_share", "绩效指标达标率", "%", higher_is_better=True, order=20)
def indicators_met_share(year, units):
    """Indicators met among those that have a target and a value."""
    if not _whole(units):
        return None
    judge = progress.Judge()
    found = Indicator.objects.filter(item__plan__year=year, item__retired=False).select_related("item__plan")
    states = [judge.state(i) for i in found]
    judged = [s for s in states if s is not None]
    return _share(judged.count("green"), len(judged))


@metric("performance.reports_on_time_share", "进度报告按时报送率", "%", higher_is_better=True, order=30)
def reports_on_time_share(year, units):
    if not _whole(units):
        return None
    counts = ProgressReport.objects.filter(item__plan__year=year).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(late=False))
    )
    return _share(counts["on_time"], counts["total"])


@target_source(plan=True)
def plan_target(key, year):
    """The year's plan sets the target of a figure an indicator is bound to."""
    indicator = (
        Indicator.objects.filter(metric=key, item__plan__year=year, item__retired=False, target__isnull=False)
        .select_related("item__plan")
        .order_by("pk")
        .first()
    )
    return progress.Judge().target(indicator) if indicator else None
