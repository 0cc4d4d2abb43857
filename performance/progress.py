"""Where the plan stands: each indicator's value and colour, each project's progress and colour.

An indicator bound to a metric is computed live by that metric's one function
(bureau.metrics.value) for the whole city; `Judge` remembers each (metric, year) it computed, so
a page of indicators bound to the same few metrics costs a few computations, not one a row.
"""

import datetime
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import metrics, numbers
from bureau.models import Unit
from performance.choices import Comparison, Level

PROJECT_LEVELS = (Level.ITEM, Level.SUBITEM)


def as_decimal(value):
    return None if value is None else Decimal(str(value))


class Judge:
    def __init__(self, today=None):
        self.today = today or timezone.localdate()
        self.computed = {}

    def metric_value(self, key, year):
        if (key, year) not in self.computed:
            found = metrics.REGISTRY.get(key)
            self.computed[key, year] = as_decimal(found.compute(year, Unit.objects.all())) if found else None
        return self.computed[key, year]

    def value(self, indicator):
        if not indicator.metric:
            return indicator.manual_value
        value = self.metric_value(indicator.metric, indicator.item.plan.year)
        # A share kept as 0-1 by its area reads as a percentage where the plan writes one.
        found = metrics.REGISTRY.get(indicator.metric)
        if value is not None and found and found.unit_of_measure == "0-1" and indicator.unit_of_measure == "%":
            value *= 100
        return value

    def target(self, indicator):
        if indicator.target is None:
            return None
        base = indicator.base
        if indicator.comparison == Comparison.DECREASE and base is None and indicator.metric:
            base = self.metric_value(indicator.metric, indicator.item.plan.year - 1)
        return metrics.Target(
            indicator.comparison,
            float(indicator.target),
            f"{indicator.item.plan.year}年工作计划 {indicator.item.code}",
            None if base is None else float(base),
        )

    def reading(self, indicator, value):
        """The value as the plan states its target: a decrease reads as the change against the base
        year ("下降 3.1%"), not as the year's own figure beside a percentage."""
        target = self.target(indicator)
        if value is not None and indicator.comparison == Comparison.DECREASE and target and target.base:
            change = 100 * (target.base - float(value)) / target.base
            return f"{_('下降') if change >= 0 else _('上升')} {numbers.figure(abs(change), '%')}"
        text = numbers.figure(value, indicator.unit_of_measure)
        return f"{text} {numbers.measure(indicator.unit_of_measure)}".strip() if value is not None else text

    def state(self, indicator, value=None):
        value = self.value(indicator) if value is None else value
        return metrics.judge(
            self.target(indicator), None if value is None else float(value), indicator.item.plan.year, self.today
        )


def year_day(year, today):
    """The day a year's figures stand at: today while it runs, its last day once it is over."""
    return min(today, datetime.date(year, 12, 31))


def with_progress(items):
    """Projects with their best reported percent and their last reported period."""
    return items.annotate(progress=Max("reports__percent"), last_period=Max("reports__period"))


def project_state(item, year, today, due_periods):
    """green: done or on schedule; yellow: behind the straight line from 1 January to its
    deadline; red: past its deadline unfinished, or a due report is missing."""
    if item.retired:
        return None
    progress = item.progress or 0
    if progress >= 100:
        return "green"
    day = year_day(year, today)
    deadline = item.deadline or datetime.date(year, 12, 31)
    if deadline < day:
        return "red"
    if due_periods and (item.last_period or "") < due_periods[-1]:
        return "red"
    start = datetime.date(year, 1, 1)
    span = max((deadline - start).days, 1)
    expected = 100 * (day - start).days / span
    return "green" if progress >= expected else "yellow"


def due_periods(plan, today):
    """The periods whose report is due by `today`."""
    return [label for label, _end, due in plan.periods() if due < today]


def projects(plan):
    return plan.items.filter(level__in=PROJECT_LEVELS)


def live_projects(plan):
    return projects(plan).filter(retired=False)


def overdue(items, today):
    """Unfinished projects whose deadline has passed."""
    return with_progress(items.filter(retired=False, deadline__lt=today)).filter(
        Q(progress__lt=100) | Q(progress__isnull=True)
    )
