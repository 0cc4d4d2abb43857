"""Energy benchmark, against a database seeded with `seed_demo --scale city` (PostgreSQL):

    DATABASE_URL=postgres://... .venv/bin/python bench/energy_bench.py [--year 2022] [--runs 50]

Prints p50/p95 of energy.tce and energy.tce_per_m2 for the whole city for a year (target ≤ 100 ms),
and the time to build the energy sheets of the annual workbook for the city."""

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

from bureau.metrics import REGISTRY as METRICS  # noqa: E402
from bureau.models import Unit  # noqa: E402
from bureau.reports import REGISTRY as SHEETS  # noqa: E402
from bureau.reports import build_workbook  # noqa: E402
from energy.models import Consumption, MonthlyRollup  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_metric(key, year, runs):
    units = Unit.objects.all()
    for _ in range(3):  # warm the connection and the plan cache
        METRICS[key].compute(year, units)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        value = METRICS[key].compute(year, units)
        times.append((time.perf_counter() - started) * 1000)
    return value, statistics.median(times), percentile(times, 95)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(
        f"units {Unit.objects.count()}, consumption rows {Consumption.objects.count()}, "
        f"roll-up rows for {args.year}: {MonthlyRollup.objects.filter(year=args.year).count()}"
    )
    for key in ("energy.tce", "energy.tce_per_m2"):
        value, p50, p95 = time_metric(key, args.year, args.runs)
        print(f"{key:<22} value {value:>14} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  ({args.runs} runs)")
    sheets = [s for s in SHEETS.values() if s.area == "energy"]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_workbook(Path(tmp) / "energy.xlsx", args.year, Unit.objects.all(), sheets=sheets)
        elapsed = time.perf_counter() - started
    print(f"energy report sheets ({len(sheets)}) for the city: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
