"""The login lockout behind a reverse proxy (issue 10, item 7): every request comes from the
proxy's address, and the client's is in X-Forwarded-For. Five bad passwords from one client must
not lock the account for everyone behind the proxy, and no client escapes the lockout by writing
addresses of its own into the header."""

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import make_user

PROXY = "10.0.0.1"
ATTACKER, CLERK = "10.20.1.66", "10.20.7.8"

NAMES = ["AXES_IPWARE_PROXY_COUNT", "AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_ORDER", "IPWARE_STRICT"]


def configured(proxies):
    """The lookup settings the portal derives from AXES_PROXY_COUNT, read in a process of its own."""
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES!r}}}))\n"
    )
    env = os.environ | {"AXES_PROXY_COUNT": str(proxies), "DJANGO_SETTINGS_MODULE": "bureau.settings"}
    env.setdefault("DJANGO_SECRET_KEY", "x")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.splitlines()[-1])


@pytest.fixture
def leader(world):
    user = make_user("leader", username="juzhang")
    user.set_password("Correct-horse-1")
    user.save()
    return user


def sign_in(client, address, password, forwarded=None):
    header = f"{forwarded}, {address}" if forwarded else address
    return client.post(
        reverse("login"),
        {"username": "juzhang", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=header,
    )


@pytest.mark.django_db
def test_behind_one_proxy_the_attackers_address_is_locked_not_the_account(client, settings, leader):
    from bureau.models import AuditEntry

    for name, value in configured(1).items():
        setattr(settings, name, value)
    assert [sign_in(client, ATTACKER, "wrong").status_code for _ in range(5)] == [200] * 4 + [429]
    assert sign_in(client, ATTACKER, "Correct-horse-1").status_code == 429
    # Addresses the attacker writes into the header in front of its own change nothing.
    assert sign_in(client, ATTACKER, "Correct-horse-1", forwarded="10.99.0.1").status_code == 429
    assert sign_in(client, ATTACKER, "Correct-horse-1", forwarded=CLERK).status_code == 429
    # The leader, at another desk behind the same proxy, signs in.
    response = sign_in(client, CLERK, "Correct-horse-1")
    assert response.status_code == 302
    # The audit trail names the client, not the proxy.
    failed = AuditEntry.objects.filter(action="login_failed").values_list("ip", flat=True)
    assert len(failed) >= 5 and set(failed) == {ATTACKER}
    assert AuditEntry.objects.filter(action="login", user=leader).get().ip == CLERK


@pytest.mark.django_db
def test_without_a_proxy_the_header_is_not_believed(client, settings, leader):
    """Served directly, X-Forwarded-For is whatever the client wrote: an attacker changing it at
    every attempt must still be locked out after five."""
    for name, value in configured(0).items():
        setattr(settings, name, value)
    for i in range(5):
        client.post(
            reverse("login"),
            {"username": "juzhang", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.30.0.{i}",
        )
    response = client.post(
        reverse("login"),
        {"username": "juzhang", "password": "Correct-horse-1"},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="10.30.0.99",
    )
    assert response.status_code == 429
