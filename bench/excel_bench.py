"""Excel in and out at 100,000 rows, beside bare openpyxl on the same data, against PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_excel .venv/bin/python bench/excel_bench.py [--rows N]

Creates a throwaway database (Django's test-database machinery: bench_excel_<name>, migrated,
dropped at the end), 300 units and an admin account, and a person-registry upload in the import template's
layout (header, notes row, N rows). Each measurement runs in its own subprocess, so its peak
resident memory (getrusage ru_maxrss) is its own:

  bare read   openpyxl read-only, iterating the upload's values
  import      bureau.imports.writing.import_registry(PersonViews, upload, admin): checks, one form per row,
              bulk uniqueness, one transaction with the audit entries
  bare write  openpyxl write-only, writing the rows the export writes (read from the database
              into memory first, untimed)
  export      bureau.excel.write_workbook through PersonViews.filtered as the admin (the path of
              the export page and of the export job)
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")


def setup():
    import django

    django.setup()


class Clock:
    """Wall time, and this process's CPU time (the machine may be shared; PostgreSQL's own work
    shows in the wall time only)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self):
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def admin():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="bench_admin")


# Phases (each in its own process) -----------------------------------------------------------------


def phase_bare_read(path):
    from openpyxl import load_workbook

    clock = Clock()
    workbook = load_workbook(path, read_only=True)
    rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 2  # header and notes
    workbook.close()
    return rows, clock.stop()


def phase_import(path):
    from django.core.files import File
    from django.utils import translation

    from bureau import audit
    from bureau.imports.writing import import_registry
    from bureau.views import PersonViews

    user = admin()
    with open(path, "rb") as handle, translation.override("zh-hans"), audit.acting_as(user):
        upload = File(handle, name="persons.xlsx")
        clock = Clock()
        created, errors = import_registry(PersonViews, upload, user)
        timing = clock.stop()
    if errors:
        raise SystemExit(f"import failed: {errors[:5]}")
    return len(created), timing


def _export_request():
    from django.http import HttpRequest, QueryDict

    request = HttpRequest()
    request.user, request.method, request.GET = admin(), "GET", QueryDict("")
    return request


def phase_bare_write(path):
    from openpyxl import Workbook

    from bureau.excel import export_rows
    from bureau.views import PersonViews

    _filter, queryset = PersonViews.filtered(_export_request())
    queryset = queryset.select_related("unit").order_by("pk")
    rows = list(export_rows(PersonViews, queryset, PersonViews.columns))  # the same values, untimed
    clock = Clock()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    sheet.append(["姓名", "单位", "职级", "身份证号"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return len(rows), clock.stop()


def phase_export(path):
    from bureau.excel import write_workbook
    from bureau.views import PersonViews

    clock = Clock()
    _filter, queryset = PersonViews.filtered(_export_request())
    with open(path, "wb") as handle:
        rows = write_workbook(PersonViews, queryset, handle)
    return rows, clock.stop()


PHASES = {"bare_read": phase_bare_read, "import": phase_import, "bare_write": phase_bare_write, "export": phase_export}


# The driver ---------------------------------------------------------------------------------------


def seed(rows, path):
    """300 units, an admin, and the upload: the import template's header and notes, then `rows`."""
    from django.contrib.auth import get_user_model
    from openpyxl import Workbook

    from bureau.choices import Rank, UnitKind
    from bureau.forms import PersonForm
    from bureau.imports.columns import columns_for_form
    from bureau.models import Unit
    from bureau.roles import assign_role
    from bureau.validators import id_check_char, uscc_check_char

    units = []
    for i in range(300):
        body = f"11420100{i + 1:09d}"
        units.append(Unit(name=f"测试单位{i:03d}", short_name=f"单位{i:03d}", uscc=body + uscc_check_char(body)))
        units[-1].kind = UnitKind.GOVERNMENT
    Unit.objects.bulk_create(units)
    user = get_user_model().objects.create_user("bench_admin")
    assign_role(user, "admin")
    columns = columns_for_form(PersonForm, form_kwargs={"user": admin()})
    labels = {c.name: c for c in columns}
    rng = random.Random(2022)
    ranks = [str(label) for label in Rank.labels]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("人员")
    order = ["name", "unit", "rank", "id_number"]
    sheet.append([labels[n].label for n in order])
    sheet.append([labels[n].note() for n in order])
    for i in range(rows):
        body = f"420102{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        sheet.append([f"人员{i}", f"单位{rng.randrange(300):03d}", rng.choice(ranks), body + id_check_char(body)])
    workbook.save(path)


def run_phase(name, path, env, profile=()):
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--file", str(path), *(["--profile"] if name in profile else [])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    if profile:
        print(out.stderr, file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--profile-phases", nargs="*", default=(), choices=PHASES)
    parser.add_argument("--file")
    parser.add_argument("--profile", action="store_true", help="print the phase's cProfile top functions")
    args = parser.parse_args()
    setup()
    if args.phase:
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            rows, (seconds, cpu) = profiler.runcall(PHASES[args.phase], args.file)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(45)
        else:
            rows, (seconds, cpu) = PHASES[args.phase](args.file)
        print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb()}))
        return

    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL server")
    old_name = connection.settings_dict["NAME"]
    # Its own name, so that it never meets the test suite's database.
    connection.settings_dict["TEST"]["NAME"] = f"bench_excel_{old_name}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + test_name
        # DEBUG off, as in production: with DEBUG on, Django keeps the SQL of every query
        # (connection.queries_log), which alone added ~80 MB to the ORM import's peak.
        env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT), DJANGO_DEBUG="False")
        with tempfile.TemporaryDirectory() as tmp:
            upload, bare_out, export_out = (Path(tmp) / n for n in ("upload.xlsx", "bare.xlsx", "export.xlsx"))
            seed(args.rows, upload)
            connection.close()
            results = {
                name: run_phase(name, out, env, args.profile_phases)
                for name, out in (
                    ("bare_read", upload),
                    ("import", upload),
                    ("bare_write", bare_out),
                    ("export", export_out),
                )
            }
            size = upload.stat().st_size
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    report(args.rows, size, results)


def report(rows, size, results):
    import django
    import openpyxl

    def line(label, r):
        return (
            f"| {label} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} "
            f"| {r['cpu']:.1f} | {r['rows'] / r['cpu']:,.0f} | {r['peak_mb']:.0f} |"
        )

    def ratio(bare, ours, key):
        return results[bare][key] / results[ours][key]

    print(
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, openpyxl {openpyxl.__version__}, "
        f"PostgreSQL, {os.cpu_count()} CPUs; upload {size / 1024 / 1024:.1f} MB, {rows:,} rows"
    )
    print()
    print("| step | rows | wall s | rows/s (wall) | CPU s | rows/s (CPU) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(line("bare openpyxl read-only", results["bare_read"]))
    print(line("registry import (checks, forms, save, audit)", results["import"]))
    print(line("bare openpyxl write-only", results["bare_write"]))
    print(line("list export (scoped query, write-only)", results["export"]))
    print()
    for bare, ours, what, target in (("bare_read", "import", "import", 50), ("bare_write", "export", "export", 80)):
        print(
            f"{what} speed = {ratio(bare, ours, 'seconds'):.0%} of bare openpyxl by wall time, "
            f"{ratio(bare, ours, 'cpu'):.0%} by CPU time (target >= {target}%)"
        )


if __name__ == "__main__":
    main()
