"""The compose stack's processes started the compose way, outside Docker (no engine on the project's
machines): gunicorn with production settings, a Celery worker and beat, and nginx with
deploy/nginx.conf when the distribution's nginx is installed; then the compose file's own health
check commands run against them, and a user signs in through the TLS proxy."""

import http.client
import os
import pathlib
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest
import yaml
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from bureau.models import AuditEntry
from tests.conftest import require_postgres

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
HOST = "portal.example.gov.cn"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode(errors="replace")[-3000:]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}")


def healthcheck(service, seconds=90, **ports):
    """The compose file's health check command for `service`, pointed at the ports used here, tried
    until it passes as Docker tries it (the first requests wait for gunicorn's workers to boot)."""
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD"
    command = [BIN / "python" if word == "python" else word for word in test[1:]]
    for old, new in ports.items():
        command = [str(w).replace(old, new) for w in command]
    deadline = time.monotonic() + seconds
    while True:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if result.returncode == 0 or time.monotonic() > deadline:
            return result
        time.sleep(1)


def nginx_config(tmp, web_port, http_port, https_port, static_root):
    """deploy/nginx.conf as compose mounts it, with the host's paths and ports in place of the
    containers' names, inside the minimal main configuration the nginx image supplies."""
    site = (ROOT / "deploy/nginx.conf").read_text()
    for old, new in {
        "server web:8000;": f"server 127.0.0.1:{web_port};",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{https_port} ssl default_server;",
        "/etc/nginx/tls/": f"{tmp}/tls/",
        "/srv/static/": f"{static_root}/",
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {tmp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user} daemon off; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log;\n"
        f"events {{}}\nhttp {{ include /etc/nginx/mime.types; access_log {tmp}/access.log; {temp}\n"
        f"include {tmp}/site.conf; }}\n"
    )
    return tmp / "nginx.conf"


class Browser:
    """Cookies and CSRF over one TLS address, as a browser keeps them."""

    def __init__(self, port):
        self.port, self.cookies = port, {}
        self.context = ssl.create_default_context()
        self.context.check_hostname, self.context.verify_mode = False, ssl.CERT_NONE

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        headers = {"Host": HOST, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        conn.close()
        return response, content.decode(errors="replace")


@pytest.mark.django_db(transaction=True)
def test_the_stack_starts_healthy_and_serves_a_sign_in_through_tls(world, tmp_path):
    require_postgres()
    db = connection.settings_dict
    broker = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/14")
    static_root = tmp_path / "static"
    # The processes serve as the runtime role, as in production: INSERT and SELECT only on the audit trail.
    role = f"portal_stack_{secrets.token_hex(4)}"
    call_command("grant_runtime_role", role=role)
    env = os.environ | {
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "DATABASE_URL": f"postgres://{role}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "AXES_PROXY_COUNT": "1",
    }
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True
    )
    assert collected.returncode == 0, collected.stderr
    user = world.leader
    user.password = PBKDF2PasswordHasher().encode("Stack-test-2026!", PBKDF2PasswordHasher().salt())
    user.save()

    web_port = free_port()
    web_command = [str(BIN / w) if i == 0 else w for i, w in enumerate(COMPOSE["services"]["web"]["command"])]
    web_command = [
        w.replace("0.0.0.0:8000", f"127.0.0.1:{web_port}").replace("--workers=4", "--workers=2") for w in web_command
    ]
    queue = f"stack-{secrets.token_hex(4)}"
    processes = {
        "web": subprocess.Popen(web_command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
        "worker": subprocess.Popen(
            [str(BIN / "celery"), "-A", "bureau", "worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@stack"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ),
        "beat": subprocess.Popen(
            [str(BIN / "celery"), "-A", "bureau", "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        ),
    }
    try:
        wait_for(web_port, processes["web"])
        result = healthcheck("web", **{"127.0.0.1:8000": f"127.0.0.1:{web_port}"})
        assert result.returncode == 0, result.stderr
        deadline = time.monotonic() + 90
        while True:  # the worker answers once it has booted
            pong = subprocess.run(
                [str(BIN / "celery"), "-A", "bureau", "inspect", "ping", "--timeout=5", "-d", f"{queue}@stack"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if "pong" in pong.stdout or time.monotonic() > deadline:
                break
            assert processes["worker"].poll() is None, processes["worker"].stdout.read().decode()[-3000:]
        assert "pong" in pong.stdout, pong.stdout + pong.stderr
        assert processes["beat"].poll() is None

        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if nginx is None:
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail("REQUIRE_SERVICES=1 but nginx is not installed (apt-get install nginx-light)")
            return
        (tmp_path / "tls").mkdir()
        openssl = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
             "-keyout", str(tmp_path / "tls/portal.key"), "-out", str(tmp_path / "tls/portal.crt")],
            capture_output=True,
        )  # fmt: skip
        assert openssl.returncode == 0, openssl.stderr
        http_port, https_port = free_port(), free_port()
        conf = nginx_config(tmp_path, web_port, http_port, https_port, static_root)
        processes["proxy"] = subprocess.Popen(
            [nginx, "-c", str(conf), "-e", str(tmp_path / "error.log")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_for(https_port, processes["proxy"])
        result = healthcheck("proxy", **{"http://127.0.0.1/": f"http://127.0.0.1:{http_port}/"})
        assert result.returncode == 0, result.stderr

        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        plain.request("GET", "/accounts/login/", headers={"Host": HOST})
        redirect = plain.getresponse()
        assert redirect.status == 301 and redirect.getheader("Location") == f"https://{HOST}/accounts/login/"

        browser = Browser(https_port)
        response, page = browser.request("GET", "/accounts/login/")
        assert response.status == 200 and "Strict-Transport-Security" in dict(response.getheaders())
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
        asset, _ = browser.request("GET", stylesheet)
        assert asset.status == 200 and asset.getheader("Server") == "nginx"  # served by the proxy itself
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": user.username, "password": "Stack-test-2026!", "csrfmiddlewaretoken": token}
        )
        origin = f"https://{HOST}"
        response, _ = browser.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + "/"},
        )
        assert response.status == 302, response.status
        response, page = browser.request("GET", "/")
        assert response.status == 200 and user.username in page
        assert AuditEntry.objects.filter(action="login", user=user).exists()  # written by the runtime role
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s AND datname = %s",
                [role, db["NAME"]],
            )
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
