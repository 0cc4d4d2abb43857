"""Faults on real services: a Redis of the test's own (stopped and resumed; the shared one is left
alone) behind the portal's cache."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from bureau import cache as bureau_cache
from tests.factories import UnitFactory


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
    started = time.monotonic()
    pages = [reverse("home"), reverse("bureau:unit_list"), reverse("bureau:person_list")]
    for url in pages * 3:
        assert client.get(url).status_code == 200, url
    new = UnitFactory(name="停机期间新建的单位")  # its table stamp cannot be written
    assert names() == before | {new.name}
    # One timeout for the whole outage, not one per cache call.
    assert time.monotonic() - started < 5
    outage = [r for r in caplog.records if r.name == "bureau.cache" and r.levelno == logging.WARNING]
    assert len(outage) == 1 and "unreachable" in outage[0].getMessage()

    process.send_signal(signal.SIGCONT)
    cache._down_until = time.monotonic()  # the time to try again has come
    # The page cached before the outage predates the new unit: it must not come back.
    assert names() == before | {new.name}
    recovered = [r for r in caplog.records if r.name == "bureau.cache" and "again" in r.getMessage()]
    assert len(recovered) == 1
