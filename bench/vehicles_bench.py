"""公务用车 benchmark, against a database loaded with `seed_demo --scale city` (PostgreSQL):

    DATABASE_URL=postgres://... .venv/bin/python bench/vehicles_bench.py

Measures (and leaves the database as it found it):
1. importing a 100,000-trip platform CSV (target ≥ 10,000 rows/s), all-or-nothing: the same file
   with one bad last row saves nothing;
2. the roll-up task for one month of the city's trips;
3. p95 of the trips list API (cursor pages) for the whole city and for one liaison;
4. p95 of `vehicles.trip_km` for the whole city for a year (target ≤ 100 ms).
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bureau.metrics import REGISTRY as METRICS  # noqa: E402
from bureau.models import Unit  # noqa: E402
from vehicles import trips  # noqa: E402
from vehicles.models import Trip, Vehicle  # noqa: E402
from vehicles.tasks import rollup_month  # noqa: E402

HEADER = "行程编号,车牌号,驾驶员,开始时间,结束时间,起始里程,结束里程,行驶里程,出发地,目的地,事由,审批单号"


class Rollback(Exception):
    pass


def p95(samples):
    return statistics.quantiles(samples, n=20)[18] * 1000


def platform_csv(rows, bad_last=False):
    """`rows` trips spread over the city's vehicles in January 2023 (after the demo's years)."""
    vehicles = list(Vehicle.objects.filter(status="in_service").values_list("plate", flat=True))
    per_vehicle = -(-rows // len(vehicles))
    lines, n = [HEADER], 0
    for i, plate in enumerate(vehicles):
        odo = 1_000_000.0  # beyond any demo reading: the odometer must not go back
        start = datetime.datetime(2023, 1, 1, 6, 0)
        for _ in range(per_vehicle):
            if n == rows:
                break
            end = start + datetime.timedelta(minutes=50)
            lines.append(
                f"B{i:05d}{n:07d},{plate},张三,{start:%Y-%m-%d %H:%M},{end:%Y-%m-%d %H:%M},"
                f"{odo:.1f},{odo + 21.5:.1f},,市政府,江汉区,会议,SP{n}"
            )
            odo += 22
            start += datetime.timedelta(hours=7)
            n += 1
    if bad_last:
        cells = lines[-1].split(",")
        cells[1] = "鄂A99999"
        lines[-1] = ",".join(cells)
    return SimpleUploadedFile("trips.csv", "\n".join(lines).encode())


def timed_import(upload, user):
    """Wall and this process's CPU seconds; rolled back afterwards so the bench can run again."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            result = trips.import_trips(trips.read_upload(upload), user)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            raise Rollback
    except Rollback:
        return result, elapsed, cpu


def main():
    settings.ALLOWED_HOSTS = ["*"]
    trip_count = Trip.objects.count()
    if trip_count < 1_000_000:
        sys.exit("load the city demo first: manage.py seed_demo --scale city")
    User = get_user_model()
    staff = User.objects.get(username="vehicles")
    liaison = User.objects.get(username="liaison")
    print(f"trips stored: {trip_count:,}; vehicles: {Vehicle.objects.count():,}")

    rows = 100_000
    result, elapsed, cpu = timed_import(platform_csv(rows), staff)
    print(
        f"import {rows:,} trips (CSV, audited): {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s, "
        f"{result['created']:,} created; Python CPU {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
    )
    started = time.perf_counter()
    try:
        trips.import_trips(trips.read_upload(platform_csv(rows, bad_last=True)), staff)
    except trips.TripErrors as exc:
        print(
            f"same file, bad last row: refused in {time.perf_counter() - started:.1f} s: "
            f"{trips.format_error(exc.errors[0])}"
        )
    assert Trip.objects.count() == trip_count, "the refused file saved something"

    timings = []
    for month in (5, 6, 7):
        started = time.perf_counter()
        written = rollup_month(2022, month)
        timings.append(time.perf_counter() - started)
    print(f"roll-up of one month ({written:,} vehicle-months): {statistics.median(timings):.2f} s (median of 3)")

    api = APIClient()
    for label, user in (("whole city", staff), ("one liaison", liaison)):
        api.force_authenticate(user)
        samples, url = [], "/api/v1/vehicles/trips/"
        for i in range(60):
            started = time.perf_counter()
            response = api.get(url, {"page_size": 50} if "?" not in url else None)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            following = response.json()["next"]  # a cached page is a plain HttpResponse, without .data
            url = following if i % 6 and following else "/api/v1/vehicles/trips/"
        print(f"trips list API, {label}: p95 {p95(samples[5:]):.1f} ms (50 rows a page, first and next pages)")

    units = Unit.objects.all()
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        km = METRICS["vehicles.trip_km"].compute(2022, units)
        samples.append(time.perf_counter() - started)
    print(f"vehicles.trip_km, whole city, 2022 = {km:,.0f} km: p95 {p95(samples[5:]):.1f} ms")
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        METRICS["vehicles.anomalous_trips"].compute(2022, units)
        samples.append(time.perf_counter() - started)
    print(f"vehicles.anomalous_trips, whole city, 2022: p95 {p95(samples[5:]):.1f} ms")


if __name__ == "__main__":
    main()
