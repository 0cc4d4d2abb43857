"""Production wiring: deploy checks, compose file, secrets, CSP, i18n, health, and a real Celery worker."""

import os
import pathlib
import secrets
import subprocess
import sys
import uuid

import pytest
import yaml
from django.urls import reverse

ROOT = pathlib.Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="portal.example.gov.cn",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_wants_a_shared_cache():
    env = os.environ | {
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "bureau.W001" in result.stdout + result.stderr


def test_no_secret_has_a_production_default():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env | {"DJANGO_DEBUG": "False"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_a_migration_check_needs_no_secret():
    """It reads the models and signs nothing: a bare shell (a git hook, a build step) can run it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env | {"DJANGO_DEBUG": "False"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "No changes detected" in result.stdout, result.stderr


COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text()) if (ROOT / "docker-compose.yml").exists() else {}
APP_SERVICES = ("web", "worker", "beat")


def test_compose_file_runs_every_service():
    services = COMPOSE["services"]
    assert set(services) == {"proxy", "migrate", "web", "worker", "beat", "postgres", "redis"}
    assert services["web"]["command"][0] == "gunicorn"
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    # Only entries with a lifetime may be evicted: never the broker's queues or the table stamps.
    assert "volatile-lru" in services["redis"]["command"]


def test_every_service_reads_the_env_file_and_only_postgres_and_migrate_the_owners():
    for name, service in COMPOSE["services"].items():
        assert ".env" in service["env_file"], name
        assert ("owner.env" in service["env_file"]) == (name in ("postgres", "migrate")), name
    # No secret is written into the compose file or defaulted there.
    text = (ROOT / "docker-compose.yml").read_text()
    assert "PASSWORD" not in text.replace("POSTGRES_PASSWORD", "") and "SECRET_KEY" not in text


def test_the_app_waits_for_a_one_shot_migrate_that_grants_the_runtime_role():
    services = COMPOSE["services"]
    migrate = services["migrate"]
    assert migrate["restart"] == "no" and migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    steps = " ".join(migrate["command"])
    assert steps.index("migrate --noinput") < steps.index("grant_runtime_role") and "collectstatic" in steps
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_redis_and_postgres_keep_their_data_and_report_health():
    services = COMPOSE["services"]
    assert any(v.endswith(":/data") and v.split(":")[0] in COMPOSE["volumes"] for v in services["redis"]["volumes"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_the_tls_proxy_is_the_only_published_port_and_forwards_what_the_portal_needs():
    services = COMPOSE["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["proxy"]
    proxy = services["proxy"]
    assert proxy["image"].split(":")[0] == "nginx" and set(proxy["ports"]) == {"80:80", "443:443"}
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    mounts = {v.split(":")[1]: v.split(":")[0] for v in proxy["volumes"]}
    conf = (ROOT / mounts["/etc/nginx/conf.d/default.conf"]).read_text()
    assert mounts["/etc/nginx/tls"] == "./deploy/tls" and mounts["/srv/static"] == "static"
    assert "static:/app/staticfiles" in services["web"]["volumes"]
    for directive in (
        "listen 443 ssl",
        "ssl_certificate /etc/nginx/tls/portal.crt;",
        "ssl_certificate_key /etc/nginx/tls/portal.key;",
        "return 301 https://$host$request_uri;",
        "proxy_set_header X-Forwarded-Proto https;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "location /static/",
        "alias /srv/static/;",
        "server web:8000;",
    ):
        assert directive in conf, directive


def test_the_image_runs_as_a_user_and_carries_no_local_state():
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert dockerfile[-1].startswith("CMD [") and "gunicorn" in dockerfile[-1]
    assert not any("requirements-dev" in line for line in dockerfile)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "db.sqlite3*", "media/", "deploy/tls/"} <= set(ignored)


@pytest.mark.django_db
def test_the_compose_health_check_passes_whatever_the_host_and_tls_settings(client, settings):
    """The web health check is the compose file's own command, run against a live server below;
    here: the path it calls answers over plain HTTP from 127.0.0.1, and nothing else does."""
    settings.ALLOWED_HOSTS = ["portal.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    check = " ".join(COMPOSE["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in check
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    redirect = client.get("/accounts/login/", HTTP_HOST="portal.example.gov.cn")
    assert redirect.status_code == 301 and redirect["Location"].startswith("https://")


def test_mail_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    mail = {
        "EMAIL_HOST": "mail.jgswj.example",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "portal",
        "EMAIL_HOST_PASSWORD": "pw",
        "EMAIL_USE_TLS": "True",
    }
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bureau.settings"} | mail
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["mail.jgswj.example", "587", "portal", "pw", "True", "False"], result.stderr
    both = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env | {"EMAIL_USE_SSL": "True"}, capture_output=True, text=True
    )
    assert both.returncode != 0 and "EMAIL_USE_SSL" in both.stderr


@pytest.mark.django_db
def test_pages_carry_a_csp_that_blocks_cdns(client, world):
    client.force_login(world.leader)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "http" not in response.content.decode().split("<main>")[0]  # no external asset in the layout


@pytest.mark.django_db
def test_chinese_by_default_and_english_on_request(client, world):
    client.force_login(world.leader)
    assert "首页" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Home" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_api_docs_are_self_hosted(client, world):
    client.force_login(world.leader)
    html = client.get(reverse("api_docs")).content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
    schema = client.get(reverse("schema"))
    assert schema.status_code == 200 and b"/api/v1/units/" in schema.content


@pytest.mark.django_db
def test_healthz(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_runs_a_task_through_redis(world, settings, tmp_path):
    """The annual workbook is built by a separate worker process that takes the task from Redis."""
    from celery import Celery
    from django.db import connection

    from bureau.models import Job
    from bureau.tasks import build_annual_report
    from tests.conftest import require_postgres

    require_postgres()
    broker = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/14")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    worker_env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MEDIA_ROOT": str(tmp_path),
        "DJANGO_DEBUG": "True",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bureau", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A client of its own: the project's app runs tasks eagerly in tests.
    # Not the current app: shared tasks elsewhere in this process must keep sending through ours.
    client = Celery("bureau-test-client", broker=broker, backend=broker, set_as_current=False)
    try:
        job = Job.objects.create(kind="annual_report", title="2022", user=world.leader, params={"year": 2022})
        result = client.send_task(build_annual_report.name, args=[job.pk], queue=queue)
        assert result.get(timeout=90) == job.pk
        job.refresh_from_db()
        assert job.state == "done" and (tmp_path / job.file.name).exists()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_redis_cache_reuses_its_client_and_shares_stamps_between_processes():
    """Two cache objects stand for two gunicorn workers: a stamp one writes, the other reads."""
    from bureau.cache import RedisCache

    url = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/14").rsplit("/", 1)[0] + "/15"
    try:
        first, second = RedisCache(url, {}), RedisCache(url, {})
        first.set("probe", 1)
    except Exception as exc:  # a missing Redis is a skip here, a failure in CI
        if os.environ.get("REQUIRE_SERVICES") == "1":
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    assert first._cache.get_client() is first._cache.get_client()
    key = f"written:test_{uuid.uuid4().hex}"
    first.set(key, "a1", None)
    assert second.get(key) == "a1"
    first.set(key, "b2", None)
    assert second.get_many([key]) == {key: "b2"}
    first.delete(key)


def make_dry_run(target):
    """The recipe `make` would run from a fresh clone (-B: as if nothing were built yet)."""
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, env={"PATH": os.environ["PATH"]}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_run_installs_only_the_runtime_requirements_and_test_the_dev_tools():
    run = make_dry_run("run")
    assert "-r requirements.txt" in run and "requirements-dev" not in run and "runserver" in run
    test = make_dry_run("test")
    assert "-r requirements-dev.txt" in test and "pytest -rs" in test
    # CI (.ci/run) installs with `make venv`, then runs `make test`: the same dev installation.
    assert "-r requirements-dev.txt" in make_dry_run("venv")


@pytest.mark.parametrize(
    "args",
    [
        ("annual_report", "--out", "/no/such/dir/a.xlsx"),
        ("annual_report", "--year", "x", "--out", "a.xlsx"),
        ("seed_demo", "--scale", "town"),
        ("assign_role",),
        ("restore", "/no/such/backup"),
    ],
)
def test_a_command_with_bad_arguments_ends_in_one_line_and_exit_code_1(args):
    result = manage(*args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr


def test_log_lines_appear_once_under_debug():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('probe-django'); logging.getLogger('bureau').warning('probe-app')"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bureau.settings", "DJANGO_DEBUG": "True"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stderr.count("probe-django") == 1 and result.stderr.count("probe-app") == 1, result.stderr
