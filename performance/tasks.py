"""Celery tasks of the plan: the indicators' value history, and the progress-report reminders."""

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone

from bureau.tasks import reminder_due
from performance import progress
from performance.choices import Occasion
from performance.models import Indicator, IndicatorValue, Plan, ProgressReport

BODY = "您好：\n\n以下项目的进度报告尚未报送：\n"


def _day(today):
    return timezone.localdate() if today is None else datetime.date.fromisoformat(today)


def record_values(plans, occasion, day):
    judge = progress.Judge(day)
    kept = 0
    for indicator in Indicator.objects.filter(item__plan__in=plans, item__retired=False).select_related("item__plan"):
        value = judge.value(indicator)
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            date=day,
            occasion=occasion,
            defaults={"value": value, "state": judge.state(indicator, value) or ""},
        )
        kept += 1
    return kept


@shared_task
def weekly_indicator_values(today=None):
    """Every indicator of the running year's plan (and last year's, still closing), as it stands."""
    day = _day(today)
    return record_values(Plan.objects.filter(year__in=(day.year, day.year - 1)), Occasion.WEEKLY, day)


@shared_task
def close_periods(today=None):
    """On the day a reporting period's reports fall due, keep every indicator as it stood."""
    day = _day(today)
    closing = [
        p.pk for p in Plan.objects.filter(year__in=(day.year, day.year - 1)) if day in {d for *_x, d in p.periods()}
    ]
    return record_values(Plan.objects.filter(pk__in=closing), Occasion.PERIOD, day) if closing else 0


@shared_task
def remind_reports(today=None):
    """E-mail each project's owner, and its division's staff, about a due report not yet filed:
    on the bureau's reminder days before it falls due and after."""
    day = _day(today)
    pending = {}
    for plan in Plan.objects.filter(year__in=(day.year, day.year - 1)):
        periods = plan.periods()
        # The next report to fall due, and the last one overdue: older gaps are the dispatch's matter.
        upcoming = [p for p in periods if p[2] >= day][:1]
        overdue = [p for p in periods if p[2] < day][-1:]
        for label, _end, due in upcoming + overdue:
            if not reminder_due(due, day):
                continue
            filed = ProgressReport.objects.filter(item__plan=plan, period=label).values("item")
            unfinished = progress.with_progress(progress.live_projects(plan).exclude(pk__in=filed)).filter(
                Q(progress__lt=100) | Q(progress__isnull=True)
            )
            pending[label, due] = list(unfinished.select_related("owner__user"))
    if not pending:
        return 0
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    by_division = {}
    for user in users.filter(groups__name__in={i.division for items in pending.values() for i in items if i.division}):
        for group in user.groups.values_list("name", flat=True):
            by_division.setdefault(group, set()).add(user.email)
    letters = {}
    for (label, due), items in pending.items():
        for item in items:
            to = set(by_division.get(item.division, ()))
            owner = item.owner.user if item.owner and item.owner.user else None
            if owner and owner.is_active and owner.email:
                to.add(owner.email)
            for address in to:
                line = (
                    f"- {item}（{label}，应于 {due:%Y-%m-%d} 前报送）：{settings.PORTAL_URL}{item.get_absolute_url()}"
                )
                letters.setdefault(address, []).append(line)
    messages = [
        (
            f"【进度报告提醒】{len(lines)} 个项目待报送进度",
            "您好：\n\n以下项目的进度报告尚未报送：\n" + "\n".join(lines),
            None,
            [a],
        )
        for a, lines in sorted(letters.items())
    ]
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
