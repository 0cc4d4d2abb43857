#!/usr/bin/env python
"""Leader's cockpit benchmark (issue 12): p50/p95 of the leader's home page (every tile, city scope),
a drill-down page (the units of one metric) and the trips list, gunicorn with production settings,
8 clients; and the first home page after a write to a table it reads.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_cockpit .venv/bin/python bench/cockpit_bench.py

Measures the database DATABASE_URL names, which must hold the city demo (`seed_demo --scale city`);
it adds a user `bench_leader` (role leader) if missing and changes nothing else but one room's area,
which it sets back. Pages that do not exist (before the cockpit) are reported as such.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def environment():
    """Production settings (DEBUG off) on loopback, Redis as the shared cache."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bureau.settings",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY_BENCH", "bench-" + secrets.token_urlsafe(40)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="False",
        LOG_LEVEL="ERROR",
        REDIS_URL=env.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"),
        DATABASE_CONN_MAX_AGE="600",
    )
    return env


def start_gunicorn(port, workers, env):
    command = [sys.executable, "-m", "gunicorn", "bureau.wsgi:application", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", "--worker-class=sync", "--log-level=warning", "--timeout=120"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
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


def get(port, path, cookie):
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def load(port, path, cookie, clients, requests, seconds):
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
            status, _body = get(port, path, cookie)
            elapsed = (time.perf_counter() - start) * 1000
            (latencies if status == 200 else errors).append(elapsed if status == 200 else status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - began


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
    """Gunicorn's workers and the PostgreSQL backends serving this database: the CPU a request
    costs the server, which does not depend on what else the machine runs (unlike latency)."""
    from django.db import connection

    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids += [row[0] for row in cursor.fetchall()]
    return pids


def leader_cookie():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bureau.roles import assign_role

    user, created = get_user_model().objects.get_or_create(username="bench_leader")
    if created:
        assign_role(user, "leader")
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def queries_of(path, cookie_value):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies.load(cookie_value)
    for _ in range(3):  # steady state: the cockpit learns which tables its figures read
        client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured)


def after_write(port, path, cookie, times):
    """The first request after a write to a table the page reads (one room's area, set back)."""
    from django.db import transaction

    from offices.models import Room

    room = Room.objects.order_by("pk").first()
    took = []
    for i in range(times):
        with transaction.atomic():
            Room.objects.filter(pk=room.pk).update(usable_area=room.usable_area + (i % 2))
        start = time.perf_counter()
        status, _body = get(port, path, cookie)
        took.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        get(port, path, cookie)
    Room.objects.filter(pk=room.pk).update(usable_area=room.usable_area)
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--seconds", type=float, default=60, help="time bound per page")
    parser.add_argument("--year", type=int, default=None)
    args = parser.parse_args()

    env = environment()
    os.environ.update(env)
    sys.path[:0] = [str(ROOT)]
    import django
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    django.setup()
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    year = args.year or timezone.localdate().year - 1
    cookie = leader_cookie()
    pages = [("leader home page (every tile, city scope)", f"/?year={year}")]
    try:
        drill = reverse("cockpit_metric", args=["energy.tce"])
        pages.append(("drill-down: units of energy.tce", f"{drill}?year={year}"))
    except NoReverseMatch:
        pages.append(("drill-down: units of energy.tce", None))
    pages.append(("trips list, leader (3.25 M trips)", "/vehicles/trip/"))

    # The manifest static storage of production settings needs the collected files.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    port = 18000 + os.getpid() % 1000
    proc = start_gunicorn(port, args.workers, env)
    rows = []
    try:
        for label, path in pages:
            if path is None:
                rows.append(f"| {label} | (no such page) | | | | | | |")
                continue
            status, queries = queries_of(path, cookie)
            assert status == 200, (path, status)
            first = time.perf_counter()
            get(port, path, cookie)
            first = (time.perf_counter() - first) * 1000
            load(port, path, cookie, args.clients, 4 * args.clients, 60)  # warm every worker
            pids = server_pids(proc.pid)
            cpu = cpu_seconds(pids)
            latencies, errors, wall = load(port, path, cookie, args.clients, args.requests, args.seconds)
            cpu = (cpu_seconds(pids) - cpu) * 1000 / max(1, len(latencies))
            cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0] * 99
            rows.append(
                f"| {label} | {len(latencies)} | {len(errors)} | {len(latencies) / wall:.1f} | "
                f"{cuts[49]:.0f} | **{cuts[94]:.0f}** | {cpu:.1f} | {queries} (first {first:.0f} ms) |"
            )
            print(rows[-1], flush=True)
        took = after_write(port, pages[0][1], cookie, 5)
        rows.append(
            f"| home page, first request after a write (5 times) | 5 | 0 | | {statistics.median(took):.0f} "
            f"| max **{max(took):.0f}** | | |"
        )
    finally:
        proc.terminate()
        proc.wait()
    print(f"\nload average {os.getloadavg()[0]:.1f}, {args.clients} clients, {args.workers} workers, year {year}\n")
    print("| page | requests | errors | req/s | p50 ms | p95 ms | server CPU ms/req | queries (in process) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
