"""Background jobs: who sees them, the progress endpoint, failures, and the CSP-friendly page."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from bureau.choices import JobState
from bureau.jobs import export_list, visible_jobs
from bureau.models import Job


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def done_job(user, kind="export", title="导出：人员"):
    job = Job.objects.create(kind=kind, title=title, user=user, state=JobState.DONE, done=5, total=5)
    job.file.save("x.xlsx", ContentFile(b"PK\x03\x04 workbook"), save=True)
    return job


def test_owner_sees_progress_and_downloads(client, world):
    job = Job.objects.create(kind="export", title="导出：人员", user=world.liaison_a, done=40, total=160)
    client.force_login(world.liaison_a)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert (status["done"], status["total"], status["percent"], status["download"]) == (40, 160, 25, "")
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404  # not finished yet
    job = done_job(world.liaison_a)
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["download"] == reverse(
        "jobs:download", args=[job.pk]
    )
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"PK")


def test_someone_elses_job_is_404(client, world):
    job = done_job(world.liaison_a)
    for user in (world.liaison_b, world.admin, world.leader):
        client.force_login(user)
        for name in ("detail", "status", "download"):
            assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404, (user, name)
        assert "导出：人员" not in client.get(reverse("jobs:list")).content.decode()


def test_annual_workbooks_are_shared_with_the_permission(client, world):
    job = done_job(None, kind="annual_report", title="2022 年度统计报表")
    client.force_login(world.leader)  # holds bureau.view_annual_report
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    assert "2022 年度统计报表" in client.get(reverse("jobs:list")).content.decode()
    client.force_login(world.liaison_a)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert list(visible_jobs(world.liaison_a)) == []


def test_anonymous_is_sent_to_login(client, world):
    job = done_job(world.admin)
    response = client.get(reverse("jobs:status", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_failing_export_is_reported_not_raised(world):
    job = Job.objects.create(
        kind="export", title="导出", user=world.admin, params={"app": "bureau", "model": "nosuch", "query": ""}
    )
    export_list(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "导出失败" in job.error and job.finished


def test_job_page_uses_the_static_script_only(client, world):
    job = Job.objects.create(kind="export", title="导出：人员", user=world.admin)
    client.force_login(world.admin)
    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    scripts = re.findall(r"<script[^>]*>", body)
    assert scripts and all("src=" in s for s in scripts)  # the CSP allows no inline script
    assert "bureau/job.js" in body
    assert f'data-status-url="{reverse("jobs:status", args=[job.pk])}"' in body


def test_job_files_have_no_public_url_even_under_debug(tmp_path):
    """Under DEBUG (development, the demo) /media/ once served job files to anyone, at names as
    plain as `jobs/2026/11/7-人员-20261128.xlsx`; only jobs:download may serve them."""
    import os
    import subprocess
    import sys

    folder = tmp_path / "jobs"
    folder.mkdir()
    (folder / "7-export.xlsx").write_bytes(b"rows of unit a")
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/media/jobs/7-export.xlsx', HTTP_HOST='localhost')\n"
        "print(r.status_code)\n"
    )
    env = os.environ | {"DJANGO_DEBUG": "True", "MEDIA_ROOT": str(tmp_path)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    env.setdefault("DJANGO_SECRET_KEY", "x")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == "404"


def test_an_export_is_not_served_once_its_owners_scope_changed(client, world):
    """An export holds the rows of the owner's scope when it ran: after the unit grant is revoked
    (or moved to another unit) the file is another unit's data, and is 404 like any other."""
    from bureau.models import UnitUserObjectPermission
    from tests.factories import PersonFactory

    PersonFactory(unit=world.unit_a, name="甲某")
    job = Job.objects.create(
        kind="export",
        title="导出：人员",
        user=world.liaison_a,
        params={"app": "bureau", "model": "person", "query": ""},
    )
    export_list(job.pk)
    client.force_login(world.liaison_a)
    url = reverse("jobs:download", args=[job.pk])
    assert client.get(url).status_code == 200
    UnitUserObjectPermission.objects.filter(user=world.liaison_a).delete()
    from guardian.shortcuts import assign_perm

    assign_perm("liaise_unit", world.liaison_a, world.unit_b)
    assert client.get(url).status_code == 404
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["download"] == "" and "权限已变更" in status["error"]
    assert url not in client.get(reverse("jobs:list")).content.decode()
