#!/usr/bin/env python
"""API list benchmark (issue 2): req/s and p50/p95/p99 of the 50-row person list for a liaison and
for area staff, beside a bare DRF endpoint measured in the same run.

    .venv/bin/python bench/api_bench.py [--persons 150000] [--units 300] [--clients 8] [--workers 5]

Creates its own PostgreSQL database (bench_api; BENCH_PG names the server), seeds it, runs gunicorn
on a free loopback port with the project's WSGI app (bench/api_bench_settings.py only adds the bare
endpoint's URL), drives it with its own thread-per-client load generator over http.client, prints a
Markdown table and the queries behind each list, then stops gunicorn and drops the database.

Besides wall-clock figures it reports the CPU time each request costs the server (gunicorn workers
plus their PostgreSQL backends, read from /proc), which does not depend on what else the machine is
running, unlike req/s and latencies.
"""

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bench_api"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌玉兰晶莉辉鹏飞宇浩然欣怡子涵"


def environment(port=None):
    """The environment of the portal under test: production settings (DEBUG off) on loopback."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{SERVER}/{DB_NAME}",
        DJANGO_SETTINGS_MODULE="api_bench_settings",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY_BENCH", secrets.token_urlsafe(50)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="False",
        LOG_LEVEL="ERROR",
        # As in production: the workers share one cache (roles, liaison units, list pages).
        REDIS_URL=env.get("BENCH_REDIS", "redis://127.0.0.1:6379/13"),
        # Keep each worker's connection for the whole run, so the CPU of its PostgreSQL backend can
        # be read per endpoint (the project's default, 60 s, would reconnect mid-run).
        DATABASE_CONN_MAX_AGE="600",
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    return env


def database_exists():
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is not None


def recreate_database(drop_only=False):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def seed(n_units, n_persons, rng):
    """300 units and 150,000 people spread evenly over them; a liaison of one unit and an offices
    staff member, each with an API token. Returns (liaison token, staff token, the liaison's unit)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, models
    from rest_framework.authtoken.models import Token

    from bureau.choices import Rank, UnitKind
    from bureau.models import Person, Unit
    from bureau.roles import assign_role
    from bureau.validators import uscc_check_char

    kinds = [k for k, _label in UnitKind.choices]
    units = []
    for i in range(1, n_units + 1):
        body = f"11420100{i:09d}"
        units.append(
            Unit(
                name=f"测试单位{i:03d}",
                short_name=f"单位{i:03d}",
                uscc=body + uscc_check_char(body),
                kind=rng.choice(kinds),
            )
        )
    # Fixture data, nobody's action: a plain queryset skips the per-row audit entries (and halves
    # the seeding time); what is measured is reading.
    units = models.QuerySet(Unit).bulk_create(units)
    ranks = [Rank.BUREAU_HEAD] * 2 + [Rank.BUREAU_DEPUTY] * 5 + [Rank.BELOW_BUREAU] * 40
    batch = []
    for i in range(n_persons):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        batch.append(Person(unit=units[i % n_units], name=name, rank=rng.choice(ranks)))
        if len(batch) == 5000:
            models.QuerySet(Person).bulk_create(batch)
            batch = []
    models.QuerySet(Person).bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE bureau_person")  # what autovacuum does soon after a bulk load

    user_model = get_user_model()
    liaison = user_model.objects.create_user("bench_liaison")
    unit = units[n_units // 2]
    assign_role(liaison, "liaison", unit)
    staff = user_model.objects.create_user("bench_staff")
    assign_role(staff, "offices")
    return Token.objects.create(user=liaison).key, Token.objects.create(user=staff).key, unit


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port, workers):
    command = [sys.executable, "-m", "gunicorn", "bureau.wsgi:application", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", "--worker-class=sync", "--log-level=warning", "--timeout=60"]
    proc = subprocess.Popen(command, cwd=ROOT, env=environment())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def get(port, path, token=None):
    # Gunicorn's sync workers close the connection after each response: one connection a request.
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}"} if token else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def cpu_seconds(pids):
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(master):
    """Gunicorn's workers and the PostgreSQL backends serving the benchmark database."""
    from django.db import connection

    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME])
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


def load(port, path, token, clients, requests, seconds):
    """`clients` threads, each sending one request after another, until `requests` are done or
    `seconds` have passed. Returns (completed, errors, wall seconds, latencies in ms)."""
    remaining = [requests]
    lock = threading.Lock()
    latencies, errors = [], []
    stop_at = time.perf_counter() + seconds

    def client():
        while True:
            with lock:
                if remaining[0] <= 0 or time.perf_counter() > stop_at:
                    return
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                status, _body = get(port, path, token)
            except OSError as exc:
                errors.append(repr(exc))
                continue
            elapsed = (time.perf_counter() - start) * 1000
            if status == 200:
                latencies.append(elapsed)
            else:
                errors.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors, time.perf_counter() - began, latencies


def percentiles(latencies):
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def profile(cases):
    """The queries behind one request of each case, with their time, and the plans of the lists'
    COUNT(*) (the paginator's) and page queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    lines = []
    for label, path, token in cases:
        headers = {"Authorization": f"Token {token}"} if token else {}
        client.get(path, headers=headers)  # warm caches (content types, permissions are per request)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            total = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (label, response.status_code)
        lines.append(f"### {label}: {len(captured)} queries, {total:.1f} ms in process")
        for q in captured.captured_queries:
            lines.append(f"- {float(q['time']) * 1000:.1f} ms  `{q['sql'][:220]}`")
            if q["sql"].startswith("SELECT COUNT(*)") or "LIMIT 50" in q["sql"]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + q["sql"])
                    plan = [row[0] for row in cursor.fetchall()]
                lines.extend(f"      {row}" for row in plan)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--persons", type=int, default=150_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers")
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--seconds", type=float, default=30, help="time bound per endpoint and round")
    parser.add_argument("--rounds", type=int, default=5, help="endpoints take turns this many times")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by an earlier --keep run")
    args = parser.parse_args()

    os.environ.update({k: v for k, v in environment().items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django

    started = time.perf_counter()
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # no page or stamp of an earlier run
    reuse = args.reuse and database_exists()
    if not reuse:
        recreate_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    if reuse:
        from rest_framework.authtoken.models import Token

        liaison_token = Token.objects.select_related("user").get(user__username="bench_liaison")
        unit = liaison_token.user.unituserobjectpermission_set.get().content_object
        liaison_token, staff_token = liaison_token.key, Token.objects.get(user__username="bench_staff").key
    else:
        call_command("migrate", verbosity=0)
        liaison_token, staff_token, unit = seed(args.units, args.persons, random.Random(2022))
        print(f"seeded {args.units} units, {args.persons} people in {time.perf_counter() - started:.0f} s")

    path = "/api/v1/persons/?page_size=50"
    cases = [
        ("bare DRF endpoint", "/bench/bare/", None),
        ("plain DRF list of the unit (no scoping)", f"/bench/plain/{unit.pk}/?page_size=50", liaison_token),
        (f"liaison list, computed every time ({unit.name})", "/bench/uncached/?page_size=50", liaison_token),
        (f"liaison list ({unit.name}, {args.persons // args.units} people)", path, liaison_token),
        (f"staff list (all {args.persons} people)", path, staff_token),
    ]
    port = free_port()
    proc = start_gunicorn(port, args.workers)
    # Endpoints take turns, a slice of the requests each per round, so that a change in what else
    # the machine runs weighs on all of them alike.
    totals = {label: {"done": 0, "errors": 0, "wall": 0.0, "latencies": [], "workers": 0.0, "pg": 0.0, "client": 0.0}
              for label, _url, _token in cases}  # fmt: skip
    pages = {}
    try:
        for label, url, token in cases:
            status, body = get(port, url, token)
            pages[label] = json.loads(body)
            assert status == 200 and len(pages[label]["results"]) == 50, (label, status, body[:200])
            load(port, url, token, args.clients, 20 * args.clients, 10)  # warm every worker
        for _round in range(args.rounds):
            for label, url, token in cases:
                pids = server_pids(proc.pid)
                workers_before, pg_before = cpu_seconds(pids[0]), cpu_seconds(pids[1])
                client_before = time.process_time()
                per_round = args.requests // args.rounds
                done, errors, wall, latencies = load(port, url, token, args.clients, per_round, args.seconds)
                total = totals[label]
                total["workers"] += cpu_seconds(pids[0]) - workers_before
                total["pg"] += cpu_seconds(pids[1]) - pg_before
                total["client"] += time.process_time() - client_before
                total["done"] += done
                total["errors"] += len(errors)
                total["wall"] += wall
                total["latencies"] += latencies
        results = []
        for label, _url, token in cases:
            total = totals[label]
            done = total["done"]
            workers_cpu, pg_cpu = total["workers"] * 1000 / done, total["pg"] * 1000 / done
            server_cpu, client_cpu = workers_cpu + pg_cpu, total["client"] * 1000 / done
            p50, p95, p99 = percentiles(total["latencies"])
            count = pages[label]["count"] if token else "—"
            rate = done / total["wall"]
            results.append((label, count, done, total["errors"], rate, p50, p95, p99, server_cpu, client_cpu))
            print(
                f"{label}: {rate:.0f} req/s, p95 {p95:.1f} ms, server CPU {server_cpu:.1f} ms a request"
                f" (gunicorn {workers_cpu:.1f}, PostgreSQL {pg_cpu:.1f})",
                flush=True,
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    bare_rate, bare_cpu = results[0][4], results[0][8]
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{os.cpu_count()} cores, {args.workers} gunicorn sync workers, {args.clients} clients; load {load_avg}")
    print(
        "| endpoint | rows in scope | requests | errors | req/s | % of bare | p50 ms | p95 ms | p99 ms"
        " | server CPU ms/req | % of bare by CPU | client CPU ms/req |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, count, done, n_errors, rate, p50, p95, p99, server_cpu, client_cpu in results:
        figures = f"{rate:.0f} | {100 * rate / bare_rate:.0f}% | {p50:.1f} | {p95:.1f} | {p99:.1f}"
        cpu = f"{server_cpu:.2f} | {100 * bare_cpu / server_cpu:.0f}% | {client_cpu:.2f}"
        print(f"| {label} | {count} | {done} | {n_errors} | {figures} | {cpu} |")
    print()
    print("\n".join(profile(cases)))
    connections.close_all()
    if not (args.keep or args.reuse):
        recreate_database(drop_only=True)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
