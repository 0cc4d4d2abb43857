"""The liaison's day through the pages: the home's tasks, the navigation's badge, withdrawing a
submission, the grid's back button and the fill page's help."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau import workflow
from bureau.choices import ReviewAction, SubmissionState
from bureau.models import AuditEntry, DataRequest
from tests.html import page_form


def publish(world, title="名册", frequency="annual", deadline=None, kind="bureau.staff", area="offices"):
    request = DataRequest.objects.create(
        kind=kind,
        title=title,
        year=timezone.localdate().year,
        frequency=frequency,
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=30),
        grace_days=15,
    )
    request.units.set([world.unit_a, world.unit_b])
    workflow.publish(request, world.staff(area))
    return request


def submitted(world, request):
    sub = request.submissions.get(unit=world.unit_a)
    workflow.save_rows(sub, [{"name": "王一", "rank": "below_bureau"}], world.liaison_a)
    workflow.submit(sub, world.liaison_a)
    return sub


@pytest.mark.django_db
def test_home_orders_tasks_by_deadline_and_marks_late_and_returned(client, world):
    today = timezone.localdate()
    later = publish(world, "较晚", deadline=today + datetime.timedelta(days=20))
    late = publish(world, "已逾期", deadline=today + datetime.timedelta(days=5))
    late.submissions.update(deadline=today - datetime.timedelta(days=2))
    back = publish(world, "被退回", deadline=today + datetime.timedelta(days=10))
    sub = submitted(world, back)
    workflow.return_(sub, world.staff("offices"), "第 1 行职级有误")
    client.force_login(world.liaison_a)
    html = client.get("/").content.decode()
    rows = re.findall(r'<tr class="task ([a-z ]*)">.*?<a [^>]*>([^<]+)</a>', html, re.S)
    expected = [("overdue", "已逾期"), ("returned", "被退回"), ("", "较晚")]
    assert [(cls.strip(), title) for cls, title in rows] == expected
    assert "第 1 行职级有误" in html
    # The badge: the returned one and the two due within 7 days (the late one included), not the 20-day one.
    assert re.search(r'<span class="badge"[^>]*>2</span>', html), later


@pytest.mark.django_db
def test_liaison_withdraws_a_submission_until_review(client, world):
    sub = submitted(world, publish(world))
    client.force_login(world.liaison_a)
    page = client.get(sub.get_absolute_url())
    assert "撤回报送" in page.content.decode()
    response = client.post(sub.get_absolute_url(), page_form(page) | {"action": "withdraw"})  # the button clicked
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.state == SubmissionState.DRAFT and sub.submitted_at is None
    assert sub.reviews.filter(action=ReviewAction.SAVE, comment="撤回报送", username="liaison_a").exists()
    assert AuditEntry.objects.filter(object_id=str(sub.pk), changes__state__1="draft").exists()
    # Once a reviewer has decided, there is nothing to withdraw.
    workflow.submit(sub, world.liaison_a)
    workflow.approve(sub, world.staff("offices"))
    assert 'value="withdraw"' not in client.get(sub.get_absolute_url()).content.decode()
    with pytest.raises(workflow.TransitionError):
        workflow.withdraw(sub, world.liaison_a)


@pytest.mark.django_db
def test_a_returned_then_resubmitted_form_withdraws_to_returned(world):
    sub = submitted(world, publish(world))
    workflow.return_(sub, world.staff("offices"), "请核对")
    workflow.submit(sub, world.liaison_a)
    workflow.withdraw(sub, world.liaison_a)
    assert sub.state == SubmissionState.RETURNED and sub.comment == "请核对"


@pytest.mark.django_db
def test_grid_back_button_leads_where_the_user_may_go(client, world):
    request = publish(world)
    for user in (world.liaison_a, world.staff("offices")):
        client.force_login(user)
        html = client.get(reverse("bureau:datarequest_grid", args=[request.pk])).content.decode()
        back = re.search(r'<a class="button" href="([^"]+)">返回</a>', html).group(1)
        assert client.get(back).status_code == 200, (user, back)


@pytest.mark.django_db
def test_fill_help_reads_right_for_every_kind(client, world):
    from bureau.requests import REGISTRY

    client.force_login(world.liaison_a)
    for kind in REGISTRY.values():
        request = publish(world, str(kind.title), kind=kind.key, frequency=kind.frequencies[0], area=kind.area)
        sub = request.submissions.filter(unit=world.unit_a).first()
        html = client.get(sub.get_absolute_url()).content.decode()
        assert "给出 0 个" not in html, kind.key
        help_text = re.search(r'<p class="help" id="rows-help">(.*?)</p>', html, re.S).group(1)
        if kind.extra_rows:
            assert f"{kind.extra_rows} 个空白行" in help_text
        else:
            assert "空白行" not in help_text
