"""Roll-ups of the platform trips: per vehicle and per unit and month. Metrics, reports and the
usage pages read these, never the millions of trips."""

import datetime
from collections import defaultdict
from decimal import Decimal

from celery import shared_task
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from vehicles.models import MonthlyUsage, Trip, UnitMonthlyUsage
from vehicles.trips import TZ


def month_bounds(year, month):
    start = datetime.datetime(year, month, 1, tzinfo=TZ)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)
    return start, end


@shared_task
def rollup_month(year, month):
    """Rebuild one month's roll-ups from the trips that start in it (idempotent)."""
    start, end = month_bounds(year, month)
    first_day = datetime.date(year, month, 1)
    anomalous = Q(off_day=True) | Q(night=True) | Q(long_distance=True)
    rows = (
        Trip.objects.filter(start__gte=start, start__lt=end)
        .order_by()
        .values("vehicle_id", "unit_id")
        .annotate(
            n=Count("id"),
            km=Sum("distance_km"),
            duration=Sum(ExpressionWrapper(F("end") - F("start"), output_field=DurationField())),
            odd=Count("id", filter=anomalous),
        )
    )
    vehicles, units = [], defaultdict(lambda: [0, 0, Decimal(0), Decimal(0), 0])
    for row in rows:
        hours = Decimal(row["duration"].total_seconds() / 3600).quantize(Decimal("0.01"))
        vehicles.append(
            MonthlyUsage(
                month=first_day,
                vehicle_id=row["vehicle_id"],
                unit_id=row["unit_id"],
                trips=row["n"],
                km=row["km"],
                hours=hours,
                anomalous=row["odd"],
            )
        )
        total = units[row["unit_id"]]
        total[0] += 1
        total[1] += row["n"]
        total[2] += row["km"]
        total[3] += hours
        total[4] += row["odd"]
    with transaction.atomic():
        MonthlyUsage.objects.filter(month=first_day).delete()
        UnitMonthlyUsage.objects.filter(month=first_day).delete()
        MonthlyUsage.objects.bulk_create(vehicles, batch_size=5000)
        UnitMonthlyUsage.objects.bulk_create(
            [
                UnitMonthlyUsage(month=first_day, unit_id=u, vehicles=v, trips=n, km=km, hours=h, anomalous=odd)
                for u, (v, n, km, h, odd) in units.items()
            ]
        )
    return len(vehicles)


@shared_task
def rollup_months(months):
    """After an import: the months its trips fall in, as [[year, month], ...]."""
    for year, month in months:
        rollup_month(year, month)


@shared_task
def nightly_rollup():
    """Late platform data lands in the current or the previous month."""
    today = timezone.localdate()
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    rollup_months([[previous.year, previous.month], [today.year, today.month]])


@shared_task
def reflag_trips(year):
    """Recompute the anomaly flags of a year's trips after the rules or the holiday calendar changed."""
    from vehicles.trips import Flagger

    flagger = Flagger(datetime.date(year - 1, 12, 31), datetime.date(year + 1, 1, 31))
    start, _ = month_bounds(year, 1)
    _, end = month_bounds(year, 12)
    flags = ("off_day", "night", "long_distance")
    queryset = Trip.objects.filter(start__gte=start, start__lt=end).only(
        "pk", "start", "end", "distance_km", "unit_id", *flags
    )
    batch = []
    for trip in queryset.iterator(chunk_size=5000):
        before = tuple(getattr(trip, f) for f in flags)
        flagger.apply(trip)
        if tuple(getattr(trip, f) for f in flags) != before:
            batch.append(trip)
    Trip.objects.bulk_update(batch, flags, batch_size=1000)
    rollup_months([[year, m] for m in range(1, 13)])
    return len(batch)
