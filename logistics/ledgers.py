"""台账落实率: per route (site) and month, the ledgers kept as required against those required
(DOMAIN.md): the route's patrols completed (up to its monthly number), a daily patrol note for each
day, a service journal for each week (a week belongs to the month of its Monday). Three grouped
queries whatever the number of routes."""

import calendar
import datetime
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import ExtractMonth, TruncWeek
from django.utils import timezone

from logistics.choices import JournalKind, PatrolState
from logistics.models import Journal, Patrol


def months_due(year, today=None):
    """The months of `year` that have ended (all twelve for a past year)."""
    today = today or timezone.localdate()
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month))


def mondays(year, month):
    return sum(
        1 for day in range(1, calendar.monthrange(year, month)[1] + 1) if datetime.date(year, month, day).weekday() == 0
    )


def table(year, routes, today=None):
    """{(route id, month): (kept, required)} for the months due."""
    months = months_due(year, today)
    routes = list(routes)
    if not months or not routes:
        return {}
    ids = [r.pk for r in routes]
    patrols = defaultdict(int)
    for route_id, month, n in (
        Patrol.objects.filter(route_id__in=ids, started__year=year, state=PatrolState.COMPLETE)
        .annotate(month=ExtractMonth("started"))
        .values_list("route_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        patrols[(route_id, month)] = n
    notes = defaultdict(int)
    for route_id, month, n in (
        Journal.objects.filter(route_id__in=ids, date__year=year, kind=JournalKind.DAILY)
        .annotate(month=ExtractMonth("date"))
        .values_list("route_id", "month")
        .annotate(n=Count("date", distinct=True))
        .order_by()
    ):
        notes[(route_id, month)] = n
    weeks = defaultdict(set)
    for route_id, monday in (
        Journal.objects.filter(route_id__in=ids, date__year__in=(year, year + 1), kind=JournalKind.WEEKLY)
        .annotate(monday=TruncWeek("date"))
        .values_list("route_id", "monday")
        .distinct()
        .order_by()
    ):
        monday = monday.date() if isinstance(monday, datetime.datetime) else monday
        if monday.year == year:
            weeks[(route_id, monday.month)].add(monday)
    found = {}
    for route in routes:
        for month in months:
            kept = required = 0
            key = (route.pk, month)
            required += route.patrols_per_month
            kept += min(patrols[key], route.patrols_per_month)
            if route.daily_notes:
                days = calendar.monthrange(year, month)[1]
                required += days
                kept += min(notes[key], days)
            if route.weekly_journals:
                n = mondays(year, month)
                required += n
                kept += min(len(weeks[key]), n)
            found[key] = (kept, required)
    return found


def rate(found):
    kept = sum(k for k, _r in found.values())
    required = sum(r for _k, r in found.values())
    return kept, required
