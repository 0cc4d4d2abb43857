"""Every command line in the README's sh blocks, as written, in a shell that has set nothing (no
DJANGO_* variables, no activated venv), in a fresh copy of the repository.

Each line is run, or, where running it would serve forever, install packages or take minutes, its
`make` target is resolved with `make -n` (CHECKED). A README line missing here fails the test.
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The venv's packages are the shared ones: `make` must not be asked to (re)install them here.
MAKE = ["make", "-o", ".venv/.runtime", "-o", ".venv/.installed"]
RUN, CHECKED, COMPOSE = "run", "checked with make -n", "docker compose"
CHECKS = {
    "make run": CHECKED,  # serves until stopped
    "make test": CHECKED,  # this suite
    "make help": RUN,
    'make test PYTEST_ARGS="tests/offices -q"': CHECKED,
    'make manage ARGS="assign_role energy leader"': RUN,
    'make manage ARGS="annual_report --out annual.xlsx"': RUN,
    "make shell": RUN,
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/bureau_city make demo-city": CHECKED,  # minutes
    "openssl req -x509 -newkey rsa:2048 -nodes -days 365": RUN,
    "docker compose up -d": COMPOSE,  # no Docker engine on the project's machines
    "docker compose exec web python manage.py createsuperuser": COMPOSE,
    "make backup": CHECKED,  # tests/test_backup.py runs the command on PostgreSQL
    "make restore FILE=backups/bureau-20260130-083000": CHECKED,
}


def readme_lines():
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def check_for(line):
    found = [mode for prefix, mode in CHECKS.items() if line.startswith(prefix)]
    assert found, f"README line not covered by tests/test_readme.py: {line}"
    return found[-1]  # the longest prefix is listed last


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The tracked files as a fresh clone has them, sharing this checkout's venv."""
    target = tmp_path_factory.mktemp("clone")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())
    return target


def shell(line, clone, env, timeout, stdin=None):
    words = shlex.split(line)
    assignments = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w) and words.index(w) == 0)
    words = words[len(assignments) :]
    if words[0] == "make":
        words = MAKE + words[1:]
    return subprocess.run(
        words, cwd=clone, env=env | assignments, input=stdin, capture_output=True, text=True, timeout=timeout
    )


def test_every_readme_line_is_covered_and_every_check_is_in_the_readme():
    lines = readme_lines()
    for line in lines:
        check_for(line)
    for prefix in CHECKS:
        assert any(line.startswith(prefix) for line in lines), f"no longer in the README: {prefix}"


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="the README's commands run on SQLite, in the suite's SQLite pass"
)
def test_the_readme_commands_run_as_written_in_a_clean_shell(clone, tmp_path):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    (clone / "deploy" / "tls").mkdir(parents=True, exist_ok=True)
    # What `make run` does before it serves, so that the lines after it find the demo.
    for step in ("migrate --noinput", "seed_demo --if-empty"):
        prepared = shell(f'make manage ARGS="{step}"', clone, env, timeout=300)
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    compose = yaml.safe_load((clone / "docker-compose.yml").read_text())
    for line in readme_lines():
        mode = check_for(line)
        if mode == COMPOSE:
            service = line.split()[3] if line.split()[2] == "exec" else None
            assert service is None or service in compose["services"], line
            continue
        if mode == CHECKED:
            line = line.replace("make ", "make -n ", 1)
        stdin = (
            "from bureau.models import Unit; print('units', Unit.objects.count())\n" if line == "make shell" else None
        )
        result = shell(line, clone, env, timeout=180, stdin=stdin)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        if line == "make shell":
            assert "units 6" in result.stdout
        if "annual_report" in line:
            assert (clone / "annual.xlsx").stat().st_size > 10_000
        if line.startswith("openssl"):
            assert b"BEGIN CERTIFICATE" in (clone / "deploy/tls/portal.crt").read_bytes()
