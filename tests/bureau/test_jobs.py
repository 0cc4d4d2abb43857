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


def running_job(user, seconds_silent, kind="annual_report", **fields):
    from datetime import timedelta

    from django.utils import timezone

    beat = timezone.now() - timedelta(seconds=seconds_silent)
    state = {"state": JobState.RUNNING, "done": 2, "total": 14, "heartbeat": beat}
    return Job.objects.create(kind=kind, title="2022 年度统计报表", user=user, **state, **fields)


def test_the_sweep_fails_a_job_whose_worker_died_and_the_page_stops_refreshing(client, world, settings):
    """A job left at "running 2/14" by a killed worker: the annual report page refreshed every 3 s
    forever. The sweep fails it with a reason, removes its scratch files, and the pages settle."""
    from bureau.jobs import scratch
    from bureau.tasks import sweep_jobs

    settings.JOB_SCRATCH_DIR = settings.MEDIA_ROOT / "scratch"
    settings.JOB_STALE_SECONDS = 300
    dead, alive = running_job(world.leader, 301), running_job(world.leader, 20)
    scratch(dead.pk).mkdir(parents=True)
    (scratch(dead.pk) / "openpyxl.abc").write_bytes(b"")
    client.force_login(world.leader)
    assert '<meta http-equiv="refresh"' in client.get(reverse("annual_reports")).content.decode()

    assert sweep_jobs() == 1
    dead.refresh_from_db()
    assert dead.state == JobState.FAILED and dead.finished
    assert dead.error == "后台处理进程中断，任务未完成（已 5 分钟没有进展）。可点击“重试”重新开始。"
    assert not scratch(dead.pk).exists()
    alive.refresh_from_db()
    assert alive.state == JobState.RUNNING
    # A run that comes back after the sweep changes nothing: the job stays over.
    dead.report(3, 14)
    assert not dead.claim() and not dead.finish(file="x.xlsx")
    dead.refresh_from_db()
    assert (dead.state, dead.done, dead.file.name) == (JobState.FAILED, 2, "")

    alive.delete()
    page = client.get(reverse("annual_reports")).content.decode()
    assert '<meta http-equiv="refresh"' not in page and "后台处理进程中断" in page
    detail = client.get(reverse("jobs:detail", args=[dead.pk])).content.decode()
    assert 'data-state="failed"' in detail and "后台处理进程中断" in detail


def test_the_sweep_removes_a_dead_imports_upload(world):
    """An import is not delivered again (its rows may be saved); its file holds personal data."""
    from django.core.files.base import ContentFile

    from bureau.tasks import sweep_jobs

    job = running_job(world.admin, 3600, kind="import", params={"app": "bureau", "model": "person"})
    job.file.save("7-import.xlsx", ContentFile(b"PK personal data"), save=True)
    path = job.file.path
    assert sweep_jobs() == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.file.name == "" and job.error.endswith("请重新上传文件导入。")
    assert not __import__("os").path.exists(path)


@pytest.mark.django_db(transaction=True)  # the heartbeat writes through a connection of its own
def test_a_running_job_keeps_beating_during_a_long_step(world, settings):
    """The heartbeat does not wait for the next progress report: a long sheet is not a dead worker."""
    import time

    from bureau.jobs import working

    settings.JOB_SCRATCH_DIR = settings.MEDIA_ROOT / "scratch"
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    job = running_job(world.leader, 3600)
    before = job.heartbeat
    with working(job) as directory:
        assert directory.is_dir()
        time.sleep(0.7)
    job.refresh_from_db()
    assert job.heartbeat > before and not directory.exists()


def test_a_built_workbook_leaves_no_scratch_file(world, settings, tmp_path):
    from bureau.tasks import build_annual_report

    settings.JOB_SCRATCH_DIR = tmp_path / "scratch"
    job = Job.objects.create(kind="annual_report", title="2022", user=world.leader, params={"year": 2022})
    build_annual_report(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.heartbeat and job.file
    assert [p for p in settings.JOB_SCRATCH_DIR.rglob("*") if p.is_file()] == []
    build_annual_report(job.pk)  # delivered again after it finished: nothing happens
    assert Job.objects.get(pk=job.pk).file.name == job.file.name


def test_retry_starts_a_failed_job_again_for_whoever_may_start_it(client, world):
    """The retry button appears to those who may start the job again, in their own scope."""
    from tests.factories import PersonFactory

    PersonFactory(unit=world.unit_a, name="甲某")
    failed = Job.objects.create(
        kind="export",
        title="导出：人员",
        user=world.liaison_a,
        state=JobState.FAILED,
        error="后台处理进程中断",
        params={"app": "bureau", "model": "person", "query": "", "scope": "old"},
    )
    url = reverse("jobs:retry", args=[failed.pk])
    client.force_login(world.liaison_b)
    assert client.post(url).status_code == 404
    client.force_login(world.liaison_a)
    page = client.get(reverse("jobs:detail", args=[failed.pk])).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="job-retry">', page)
    assert form and form.group(1) == url
    assert client.get(url).status_code == 405
    response = client.post(url)
    again = Job.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[again.pk])
    assert (again.user, again.kind, again.state) == (world.liaison_a, "export", JobState.DONE)
    assert "scope" in again.params and again.params["scope"] != "old"
    assert client.get(reverse("jobs:status", args=[again.pk])).json()["retry"] == ""
    assert client.post(reverse("jobs:retry", args=[again.pk])).status_code == 403  # not failed


def test_a_failed_annual_workbook_is_retried_by_a_holder_of_the_permission(client, world):
    job = Job.objects.create(
        kind="annual_report", title="2022 年度统计报表（定时）", state=JobState.FAILED, params={"year": 2022}
    )
    client.force_login(world.liaison_a)
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    client.force_login(world.leader)
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["retry"]
    client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert (again.user, again.state, again.params) == (world.leader, JobState.DONE, {"year": 2022})


def test_beat_runs_the_sweep_every_five_minutes(db):
    from django_celery_beat.models import PeriodicTask

    sweep = PeriodicTask.objects.get(task="bureau.tasks.sweep_jobs")
    assert sweep.enabled and sweep.crontab.minute == "*/5" and str(sweep.crontab.timezone) == "Asia/Shanghai"


def test_a_visibility_timeout_shorter_than_the_longest_job_is_a_deploy_warning(settings):
    from bureau.checks import job_redelivery

    assert job_redelivery(None) == []
    settings.JOB_VISIBILITY_TIMEOUT = settings.JOB_TIME_LIMIT
    assert [w.id for w in job_redelivery(None)] == ["bureau.W007"]


def test_a_workbook_that_cannot_be_built_fails_its_job(world, settings, tmp_path):
    from bureau.tasks import build_annual_report

    settings.JOB_SCRATCH_DIR = tmp_path / "scratch"
    job = Job.objects.create(kind="annual_report", title="?", user=world.leader, params={})
    with pytest.raises(KeyError):
        build_annual_report(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished
