"""Times the week calendar of the busiest venue at city scale (target: p95 ≤ 150 ms, issue 14),
as the logistics division and as a unit's liaison, with its query count; also the logistics
metrics and report sheets for the whole city.

    DATABASE_URL=postgres://... python manage.py seed_demo --scale city
    DATABASE_URL=postgres://... python bench/logistics_bench.py [--runs 200]
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bureau.metrics import REGISTRY as METRICS  # noqa: E402
from bureau.models import Unit  # noqa: E402
from bureau.reports import REGISTRY as SHEETS  # noqa: E402
from bureau.reports import build_workbook  # noqa: E402
from logistics.models import Booking, Venue  # noqa: E402


def measure(label, func, runs):
    func()  # warm-up: connection, content types, permissions, the role cache
    times = []
    reset_queries()  # the log keeps 9,000 queries at most: a full one counts none
    with CaptureQueriesContext(connection) as ctx:
        func()
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    times.sort()
    p50, p95 = statistics.median(times) * 1000, times[int(0.95 * (len(times) - 1))] * 1000
    print(f"{label:<48} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {len(ctx):3d} queries  ({runs} runs)")
    return p95


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    busiest = Venue.objects.annotate(n=Count("bookings")).order_by("-n").first()
    week = (
        Booking.objects.filter(venue=busiest)
        .order_by("start")
        .values_list("start", flat=True)[len(busiest.bookings.all()) // 2]
    )
    day = week.date()
    print(
        f"{connection.vendor}: {Venue.objects.count()} venues, {Booking.objects.count()} bookings; "
        f"busiest {busiest} with {busiest.n} bookings; week of {day - datetime.timedelta(days=day.weekday())}"
    )
    url = reverse("logistics:venue_calendar", args=[busiest.pk])
    User = get_user_model()
    for username in ("logistics", "liaison"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))

        def page(view="week", client=client):
            response = client.get(url, {"date": day.isoformat(), "view": view})
            assert response.status_code == 200, response.status_code
            return response

        shown = page().content.decode().count('class="slot')
        measure(f"week calendar as {username} ({shown} bookings)", page, args.runs)
        measure(f"day calendar as {username}", lambda page=page: page("day"), args.runs)
    units = Unit.objects.all()
    year = Booking.objects.order_by("start").first().start.year
    for key in sorted(k for k in METRICS if k.startswith("logistics.")):
        measure(
            f"metric {key} (city, {year})", lambda key=key: METRICS[key].compute(year, units), max(5, args.runs // 20)
        )
    with tempfile.TemporaryDirectory() as tmp:
        for sheet in sorted((s for s in SHEETS.values() if s.area == "logistics"), key=lambda s: s.order):
            measure(
                f"sheet {sheet.key}",
                lambda sheet=sheet: build_workbook(Path(tmp) / "w.xlsx", year, units, sheets=[sheet]),
                5,
            )


if __name__ == "__main__":
    main()
