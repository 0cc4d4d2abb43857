"""Times the party pages, figures and report sheets for the whole city, with their query counts.

    createdb bureau_party_bench
    DATABASE_URL=postgres://.../bureau_party_bench python manage.py migrate
    DATABASE_URL=postgres://.../bureau_party_bench python bench/party_bench.py --seed [--runs 5]

`--seed` loads the core's and the party area's city-scale demo data (300 units, 20,000 staff) into
the empty database first, and times that; without it the database must already hold them (e.g.
`seed_demo --scale city`). The confidential lists are timed for an officer holding 200 of 2,000
clues, to show what the per-record grants cost.
"""

import argparse
import datetime
import io
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bureau import metrics  # noqa: E402
from bureau.models import Unit  # noqa: E402
from bureau.reports import REGISTRY as SHEETS  # noqa: E402
from bureau.reports import build_workbook  # noqa: E402
from party.models import Clue, Meeting, QuizCampaign, QuizResult, grant  # noqa: E402


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
    print(f"{label:<40} best {best:7.0f} ms  median {median:7.0f} ms  {queries:3d} queries")


def seed():
    from bureau import demo as core
    from bureau.management.commands.seed_demo import Context
    from party import demo

    ctx = Context("city", 2022, 2022, io.StringIO())
    for module in (core, demo):
        started = time.perf_counter()
        with transaction.atomic():
            module.seed(ctx)
        print(f"seed {module.__name__:<12} {time.perf_counter() - started:6.1f} s")
    officer = get_user_model().objects.get(username="discipline")
    units = list(Unit.objects.order_by("pk"))
    clues = Clue.objects.bulk_create(
        Clue(
            number=f"BENCH-{i:05d}",
            received_on=datetime.date(2022, 1 + i % 12, 1 + i % 28),
            source="letter",
            unit=units[i % len(units)],
            subject="某某",
            summary="基准测试",
        )
        for i in range(2000)
    )
    for clue in clues[::10]:
        grant(clue, officer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", action="store_true")
    args = parser.parse_args()
    if args.seed:
        seed()
    campaign = QuizCampaign.objects.order_by("-pk").first()
    print(
        f"{connection.vendor}: {Unit.objects.count()} units, {Meeting.objects.count()} meetings, "
        f"{QuizResult.objects.count()} quiz results, {Clue.objects.count()} clues"
    )
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("party", "discipline"))}

    def page(user, url, query=None):
        client = Client(HTTP_HOST="localhost")
        client.force_login(users[user])

        def get():
            response = client.get(url, query or {})
            assert response.status_code == 200, (url, response.status_code)

        return get

    measure("clue list, officer (200 of 2,000)", page("discipline", reverse("party:clue_list")), args.runs)
    measure("clue API list, officer", page("discipline", "/api/v1/party/clues/"), args.runs)
    measure("meeting grid, whole city", page("party", reverse("party:meeting_grid"), {"year": 2022}), args.runs)
    measure("quiz campaign page, whole city", page("party", campaign.get_absolute_url()), args.runs)
    measure("meeting list", page("party", reverse("party:meeting_list")), args.runs)
    units = Unit.objects.all()
    for found in metrics.all_metrics():
        if found.area in ("party", "discipline"):
            measure(f"metric {found.key}", lambda found=found: found.compute(2022, units), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        for sheet in sorted((s for s in SHEETS.values() if s.area == "party"), key=lambda s: s.order):
            measure(
                f"sheet {sheet.key}",
                lambda sheet=sheet: build_workbook(Path(tmp) / "w.xlsx", 2022, units, sheets=[sheet]),
                args.runs,
            )


if __name__ == "__main__":
    main()
