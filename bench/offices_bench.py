"""Times the office-space pages and report sheets for the whole city, with their query counts.

    DATABASE_URL=postgres://... python manage.py seed_demo --scale city
    DATABASE_URL=postgres://... python bench/offices_bench.py [--runs 5]

Target: each under 1 s (issue 4). Reports the best and the median of the runs after a warm-up.
"""

import argparse
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bureau.models import Unit  # noqa: E402
from bureau.reports import REGISTRY as SHEETS  # noqa: E402
from bureau.reports import build_workbook  # noqa: E402
from offices.models import Occupancy, Room  # noqa: E402


def measure(label, func, runs):
    func()  # warm-up: connection, content types, permissions
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
        queries = len(ctx)
    best, median = min(times) * 1000, statistics.median(times) * 1000
    print(f"{label:<36} best {best:6.0f} ms  median {median:6.0f} ms  {queries:3d} queries")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--user", default="offices", help="an account of the office-space division")
    args = parser.parse_args()
    print(
        f"{connection.vendor}: {Unit.objects.count()} units, {Room.objects.count()} rooms, "
        f"{Occupancy.objects.count()} occupants"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    url = reverse("offices:over_standard")

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    measure("over-standard page, whole city", page, args.runs)
    units = Unit.objects.all()
    with tempfile.TemporaryDirectory() as tmp:
        for sheet in sorted((s for s in SHEETS.values() if s.area == "offices"), key=lambda s: s.order):
            measure(
                f"sheet {sheet.key}",
                lambda sheet=sheet: build_workbook(Path(tmp) / "w.xlsx", 2022, units, sheets=[sheet]),
                args.runs,
            )


if __name__ == "__main__":
    main()
