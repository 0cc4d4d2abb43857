"""Issue 10, item 6, as a person saw it: a job whose worker died, and its page polling forever."""

import time

import pytest

from bureau.choices import JobState
from bureau.models import Job
from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_job_page_settles_when_the_sweep_fails_the_job_and_offers_a_retry(open_session, settings, tmp_path):
    from bureau.tasks import sweep_jobs

    settings.MEDIA_ROOT = tmp_path
    settings.JOB_STALE_SECONDS = 1
    leader = make_user("leader", username="juzhang")
    leader.set_password(PASSWORD)
    leader.save()
    job = Job.objects.create(
        kind="annual_report",
        title="2022 年度统计报表",
        user=leader,
        state=JobState.RUNNING,
        done=2,
        total=14,
        params={"year": 2022},
    )
    Job.objects.filter(pk=job.pk).update(heartbeat=job.created)
    page = open_session()
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith(f"/jobs/{job.pk}/status/") else None)
    login(page, "juzhang")
    page.goto(f"/jobs/{job.pk}/")
    page.wait_for_function("document.getElementById('job-count').textContent.trim() === '2 / 14'")
    assert page.locator("#job-retry").is_hidden()
    time.sleep(1.2)
    assert sweep_jobs() == 1

    page.locator("#job-error").wait_for(state="visible")
    assert "后台处理进程中断" in page.locator("#job-error").inner_text()
    assert page.locator("#job-state").inner_text() == "失败"
    assert page.locator("#job-wait").is_hidden()
    seen = len(polls)
    time.sleep(4)  # the page polls every 1.5 s while the job lives
    assert len(polls) == seen

    page.locator("#job-retry").get_by_role("button", name="重试").click()
    page.wait_for_url(lambda url: f"/jobs/{job.pk}/" not in url)
    again = Job.objects.exclude(pk=job.pk).get()
    assert page.url.endswith(f"/jobs/{again.pk}/") and again.user == leader
    page.locator("#job-ready").wait_for(state="visible")  # built eagerly: done at once
