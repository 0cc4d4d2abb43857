"""Faults on real services: a Redis of the test's own (stopped and resumed; the shared one is left
alone) behind the portal's cache, and PostgreSQL sessions cut off in the middle of a request."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from bureau import cache as bureau_cache
from bureau.models import AuditEntry
from tests.conftest import require_postgres
from tests.factories import UnitFactory
from tests.vehicles.factories import VehicleFactory
from tests.vehicles.test_trips import GOOD, csv_file
from vehicles.models import Trip


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but redis-server is not installed")
        pytest.skip("needs redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    yield process, port
    process.send_signal(signal.SIGCONT)
    process.kill()
    process.wait()


@pytest.mark.django_db
def test_with_redis_unreachable_pages_and_the_api_answer_from_the_database(
    client, world, settings, redis_server, caplog, monkeypatch
):
    process, port = redis_server
    settings.CACHES = {
        "default": {
            "BACKEND": "bureau.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.LIST_CACHE_SECONDS = 300
    monkeypatch.setattr(bureau_cache, "RETRY_SECONDS", 60)
    client.force_login(world.leader)
    api = "/api/v1/units/"

    def names():
        response = client.get(api, {"page_size": 500})
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]}

    before = names()
    assert names() == before  # now served from Redis
    # A hung server: connections open, nothing answers (the worst case: every call would wait).
    process.send_signal(signal.SIGSTOP)
    failures = []
    fail = bureau_cache.RedisCache._fail
    monkeypatch.setattr(bureau_cache.RedisCache, "_fail", lambda self, exc: failures.append(exc) or fail(self, exc))
    pages = [reverse("home"), reverse("bureau:unit_list"), reverse("bureau:person_list")]
    for url in pages * 3:
        assert client.get(url).status_code == 200, url
    new = UnitFactory(name="停机期间新建的单位")  # its table stamp cannot be written
    assert names() == before | {new.name}
    # One timeout for the whole outage, not one per cache call.
    assert len(failures) == 1
    outage = [r for r in caplog.records if r.name == "bureau.cache" and r.levelno == logging.WARNING]
    assert len(outage) == 1 and "unreachable" in outage[0].getMessage()

    process.send_signal(signal.SIGCONT)
    cache._down_until = time.monotonic()  # the time to try again has come
    # The page cached before the outage predates the new unit: it must not come back.
    assert names() == before | {new.name}
    recovered = [r for r in caplog.records if r.name == "bureau.cache" and "again" in r.getMessage()]
    assert len(recovered) == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_connection_lost_mid_import_saves_nothing_and_the_next_try_succeeds(client, world):
    """What a PostgreSQL restart does to the import's session (the shared server itself stays up):
    another session holds the trips table, the import's first write waits on it, and its backend is
    terminated while it waits."""
    require_postgres()
    VehicleFactory(plate="鄂A10001", unit=world.unit_a, odometer_km=900)
    VehicleFactory(plate="鄂A10002", unit=world.unit_b)
    client.force_login(world.staff("vehicles"))
    url = reverse("vehicles:trip_platform_import")
    audited = AuditEntry.objects.count()
    db = connection.settings_dict
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "dbname": db["NAME"]}
    terminated = []

    def cut_off_the_waiting_import(blocker_pid):
        with psycopg.connect(autocommit=True, **params) as admin:
            deadline = time.monotonic() + 30
            while not terminated and time.monotonic() < deadline:
                waiting = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> %s",
                    [db["NAME"], blocker_pid],
                ).fetchall()
                for (pid,) in waiting:
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                    terminated.append(pid)
                time.sleep(0.05)

    with psycopg.connect(**params) as blocker:
        blocker.execute("LOCK TABLE vehicles_trip IN EXCLUSIVE MODE")
        killer = threading.Thread(target=cut_off_the_waiting_import, args=[blocker.info.backend_pid])
        killer.start()
        response = client.post(url, {"file": csv_file(*GOOD)})
        killer.join()
        blocker.rollback()
    assert terminated
    assert response.status_code == 503 and "没有保存任何内容" in response.content.decode()
    assert Trip.objects.count() == 0 and AuditEntry.objects.count() == audited
    again = client.post(url, {"file": csv_file(*GOOD)})
    assert again.status_code == 302 and Trip.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_503_in_json_when_the_database_goes_away(api, world):
    require_postgres()
    api.force_authenticate(world.leader)
    db = connection.settings_dict
    connection.ensure_connection()
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    response = api.get("/api/v1/units/")
    assert response.status_code == 503 and "稍后重试" in response.json()["detail"]
    assert api.get("/api/v1/units/").status_code == 200


@pytest.mark.django_db(transaction=True)  # the job is queued when its row is committed
def test_with_the_broker_down_a_job_is_refused_with_a_clear_message(client, world):
    from bureau.celery import app

    def reconnect():  # drop the producer pool made for the broker used before
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = app.amqp._producer_pool = None

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    reconnect()
    client.force_login(world.leader)
    try:
        response = client.post(reverse("annual_reports"), {"year": 2022})
    finally:
        app.conf.update(saved)
        reconnect()
    assert response.status_code == 503 and "后台任务服务暂时不可用" in response.content.decode()
