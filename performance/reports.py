"""The plan's annual tables: each project's progress, and each indicator against its target.
The plan is the bureau's own: its rows do not divide by unit."""

import datetime

from django.utils import timezone

from bureau.reports import report
from performance import progress
from performance.choices import DIVISIONS, State
from performance.models import Indicator, Plan

STATE_LABELS = {"green": "绿", "yellow": "黄", "red": "红", None: "—"}


@report("performance.projects", "年度工作计划项目执行情况表", order=900)
def projects(out, year, units):
    plan = Plan.objects.filter(year=year).first()
    out.title(f"{year} 年度工作计划项目执行情况表")
    out.header(["编号", "项目", "责任处室", "责任人", "完成时限", "完成进度（%）", "最近报告期", "状态", "撤销原因"])
    if plan is None:
        out.note("本年度未导入工作计划。")
        return
    today = timezone.localdate()
    due = progress.due_periods(plan, progress.year_day(year, today))
    divisions = dict(DIVISIONS)
    counts = dict.fromkeys(STATE_LABELS, 0)
    rows = progress.with_progress(progress.projects(plan)).select_related("owner").order_by("order")
    for item in rows:
        state = progress.project_state(item, year, today, due)
        counts[state] += 1
        out.row(
            [
                item.code,
                item.title,
                str(divisions.get(item.division, "")),
                item.owner.name if item.owner else "",
                item.deadline,
                item.progress or 0,
                item.last_period or "",
                "已撤销" if item.retired else STATE_LABELS[state],
                item.retired_reason,
            ]
        )
    out.total(["合计", f"绿 {counts['green']}、黄 {counts['yellow']}、红 {counts['red']}"])


@report("performance.indicators", "绩效指标完成情况表", order=910)
def indicators(out, year, units):
    out.title(f"{year} 年度绩效指标完成情况表")
    out.header(["项目编号", "指标", "比较", "目标值", "计量单位", "数据来源", "实际值", "状态"])
    judge = progress.Judge(min(timezone.localdate(), datetime.date(year, 12, 31) + datetime.timedelta(days=1)))
    found = (
        Indicator.objects.filter(item__plan__year=year, item__retired=False)
        .select_related("item__plan")
        .order_by("item__order", "pk")
    )
    for indicator in found:
        value = judge.value(indicator)
        state = judge.state(indicator, value)
        out.row(
            [
                indicator.item.code,
                indicator.label,
                str(indicator.get_comparison_display()),
                indicator.target,
                indicator.unit_of_measure,
                indicator.metric or "手工填报",
                value,
                str(State(state).label) if state else "未判定",
            ]
        )
