#!/usr/bin/env python
"""Load test (issue 11): simulated users in the portal's real mix against gunicorn with production
settings, a Celery worker building an annual workbook in the background.

    .venv/bin/python bench/load_bench.py [--scale city] [--users 20] [--minutes 10] [--workers 4] [--reuse]

Creates the PostgreSQL database bench_load (BENCH_PG names the server) and loads `seed_demo --scale
SCALE` into it (`--reuse` keeps one loaded before), starts gunicorn on a free loopback port and a
worker, signs every simulated user in through the login form (the demo accounts), and runs for
`--minutes`:

- liaisons (40 %): their home page and submissions, their unit's people; each adds people to its
  unit through the API and renames the ones it added (with the version it read);
- area staff (40 %): registry list pages and API lists, the completeness of data requests;
- leaders (20 %): the dashboard (home) and the metrics API.

A leader starts an annual workbook at the start. The script is its own load generator (one thread a
user, think time 0.5-2 s, stdlib only: nothing to install). It prints p50/p95/max per page and API
call, errors, and checks that nothing was lost: the people the liaisons were told were created and
renamed are exactly those stored.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "bench_load"
PASSWORD = "Demo-2022!"
ID = re.compile(r"/\d+/")
STAFF_PAGES = [
    "/base/unit/",
    "/base/person/",
    "/base/datarequest/",
    "/offices/room/",
    "/offices/building/",
    "/offices/over-standard/",
    "/vehicles/",
    "/vehicles/vehicle/",
    "/vehicles/trip/",
    "/vehicles/idle/",
    "/energy/overview/",
    "/api/v1/units/?page_size=50",
    "/api/v1/persons/?page_size=50",
    "/api/v1/requests/",
    "/api/v1/submissions/?page_size=50",
]
STAFF_ACCOUNTS = ["offices", "vehicles", "energy", "logistics", "party", "performance"]
LIAISON_ACCOUNTS = ["liaison", "liaison2"]


def environment(port=0):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{SERVER}/{DB_NAME}",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="False",  # no TLS proxy in front of it here
        LOG_LEVEL="ERROR",
        REDIS_URL=env.get("BENCH_REDIS", "redis://127.0.0.1:6379/12"),
        MEDIA_ROOT=str(ROOT / "bench" / "media-load"),
        STATIC_ROOT=str(ROOT / "bench" / "static-load"),
    )
    return env


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), check=True)


class Session:
    """One signed-in browser: cookies, CSRF, timings."""

    def __init__(self, port, timings, errors):
        self.port, self.cookies, self.timings, self.errors = port, {}, timings, errors

    def request(self, method, path, name=None, body=None, json_body=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body), "application/json"
        elif body is not None:
            body, headers["Content-Type"] = urllib.parse.urlencode(body), "application/x-www-form-urlencoded"
        if method != "GET" and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                cookie, _, _ = value.partition(";")
                k, _, v = cookie.partition("=")
                self.cookies[k] = v
        label = name or f"{method} {ID.sub('/<id>/', path.split('?')[0])}"
        self.timings[label].append(elapsed)
        if response.status >= 400 and response.status != 409:
            self.errors[label].append(response.status)
        return response.status, content

    def login(self, username):
        _, page = self.request("GET", "/accounts/login/", name="login")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            name="login",
            body={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert status == 302, f"{username} could not sign in ({status})"


def liaison(session, run, stop, written):
    status, content = session.request("GET", "/api/v1/units/?page_size=5")
    unit = json.loads(content)["results"][0]["id"]
    mine = []
    while not stop.is_set():
        choice = random.random()
        if choice < 0.3:
            session.request("GET", "/")
        elif choice < 0.5:
            session.request("GET", "/api/v1/submissions/?page_size=20")
        elif choice < 0.65:
            session.request("GET", "/base/person/")
        elif choice < 0.85 or not mine:
            name = f"负载{run}-{secrets.token_hex(3)}"
            status, content = session.request(
                "POST", "/api/v1/persons/", json_body={"name": name, "unit": unit, "rank": "below_bureau"}
            )
            if status == 201:
                mine.append(json.loads(content))
                written["created"].add(name)
        else:
            person = random.choice(mine)
            renamed = person["name"] + "改"
            status, content = session.request(
                "PATCH", f"/api/v1/persons/{person['id']}/", json_body={"name": renamed, "version": person["version"]}
            )
            if status == 200:
                written["created"].discard(person["name"])
                written["created"].add(renamed)
                person.update(json.loads(content))
        time.sleep(random.uniform(0.5, 2))


def staff(session, pages, stop):
    while not stop.is_set():
        session.request("GET", random.choice(pages))
        time.sleep(random.uniform(0.5, 2))


def leader(session, stop):
    while not stop.is_set():
        session.request("GET", "/" if random.random() < 0.6 else "/api/v1/metrics/")
        time.sleep(random.uniform(0.5, 2))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=("small", "city"), default="city")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the database loaded by an earlier run")
    args = parser.parse_args()

    if not args.reuse:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        started = time.monotonic()
        manage("createdb")
        manage("migrate", "-v0")
        manage("seed_demo", "--scale", args.scale)
        print(f"seeded ({args.scale}) in {time.monotonic() - started:.0f} s")
    manage("collectstatic", "--noinput", "-v0")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = environment()
    bin_dir = Path(sys.executable).parent
    web = subprocess.Popen(
        [bin_dir / "gunicorn", "bureau.wsgi:application", f"--bind=127.0.0.1:{port}", f"--workers={args.workers}"],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [bin_dir / "celery", "-A", "bureau", "worker", "--concurrency=1", "--loglevel=WARNING"], cwd=ROOT, env=env
    )
    timings, errors = defaultdict(list), defaultdict(list)
    written = {"created": set()}
    run = secrets.token_hex(2)
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)) and time.monotonic() < deadline:
            time.sleep(0.2)
        # Each area's staff browse what their role may see (probed once, outside the figures).
        pages = {}
        for account in STAFF_ACCOUNTS:
            probe = Session(port, defaultdict(list), defaultdict(list))
            probe.login(account)
            pages[account] = [p for p in STAFF_PAGES if probe.request("GET", p)[0] == 200] or ["/"]
        print("staff pages:", {account: len(found) for account, found in pages.items()})
        boss = Session(port, timings, errors)
        boss.login("leader")
        _, page = boss.request("GET", "/reports/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        year = time.localtime().tm_year - 1
        boss.request(
            "POST", "/reports/", name="start annual workbook", body={"year": year, "csrfmiddlewaretoken": token}
        )

        stop = threading.Event()
        threads = []
        for i in range(args.users):
            session = Session(port, timings, errors)
            kind = ("liaison", "liaison", "staff", "staff", "leader")[i % 5]
            if kind == "liaison":
                session.login(LIAISON_ACCOUNTS[i % 2])
                target = (liaison, (session, run, stop, written))
            elif kind == "staff":
                account = STAFF_ACCOUNTS[i % len(STAFF_ACCOUNTS)]
                session.login(account)
                target = (staff, (session, pages[account], stop))
            else:
                session.login("leader")
                target = (leader, (session, stop))
            threads.append(threading.Thread(target=target[0], args=target[1], daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        with psycopg.connect(f"{SERVER}/{DB_NAME}") as conn:
            stored = {n for (n,) in conn.execute("SELECT name FROM bureau_person WHERE name LIKE %s", [f"负载{run}-%"])}
            workbook = conn.execute(
                "SELECT state, finished - created FROM bureau_job WHERE kind = 'annual_report' ORDER BY id DESC LIMIT 1"
            ).fetchone()
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=60)
        worker.wait(timeout=60)

    print(f"\n{args.users} users, {args.minutes} min, {args.workers} gunicorn workers, scale {args.scale}, "
          f"load average {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    print("| page or call | requests | errors | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label in sorted(timings, key=lambda k: -percentile(timings[k], 95)):
        values = timings[label]
        print(
            f"| `{label}` | {len(values)} | {len(errors[label])} | {statistics.median(values) * 1000:.0f} | "
            f"{percentile(values, 95) * 1000:.0f} | {max(values) * 1000:.0f} |"
        )
    total = sum(len(v) for v in timings.values())
    print(f"\nrequests {total}, errors {sum(len(v) for v in errors.values())}, "
          f"overall p95 {percentile([t for v in timings.values() for t in v], 95) * 1000:.0f} ms")  # fmt: skip
    lost, extra = written["created"] - stored, stored - written["created"]
    print(f"people written {len(written['created'])}, stored {len(stored)}, lost {len(lost)}, unexpected {len(extra)}")
    print(f"annual workbook: {workbook}")
    return 0 if not lost and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
