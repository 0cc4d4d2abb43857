"""The reviewer's day through the pages: what a confirmation says, a quarterly request's
deadlines, and 催报 from the completeness grid."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bureau import workflow
from bureau.models import AuditEntry, DataRequest
from tests.conftest import make_user
from tests.html import page_form


def publish(world, frequency="annual", deadline=None):
    request = DataRequest.objects.create(
        kind="bureau.staff",
        title="名册",
        year=timezone.localdate().year,
        frequency=frequency,
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=30),
        grace_days=15,
    )
    request.units.set([world.unit_a, world.unit_b])
    workflow.publish(request, world.staff("offices"))
    return request


@pytest.mark.django_db
def test_return_says_to_whom_and_that_the_liaison_was_told(client, world):
    world.liaison_a.email = "a@example.cn"
    world.liaison_a.save()
    sub = publish(world).submissions.get(unit=world.unit_a)
    workflow.save_rows(sub, [{"name": "王一", "rank": "below_bureau"}], world.liaison_a)
    workflow.submit(sub, world.liaison_a)
    client.force_login(world.staff("offices"))
    page = client.get(sub.get_absolute_url())
    data = page_form(page) | {"comment": ["职级有误"], "action": ["return"]}
    response = client.post(sub.get_absolute_url(), data, follow=True)
    assert "已退回甲单位，已通知联络员" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["a@example.cn"]] and "职级有误" in mail.outbox[0].body


@pytest.mark.django_db
def test_quarterly_request_published_late_gives_past_quarters_the_deadline_field(client, world):
    staff = world.staff("energy")
    client.force_login(staff)
    today = timezone.localdate()
    page = client.get(reverse("bureau:datarequest_add"))
    data = page_form(page) | {
        "kind": ["energy.consumption"],
        "title": ["季度能耗"],
        "year": [str(today.year)],
        "frequency": ["quarterly"],
        "deadline": [f"{today.year}-09-10"],
        "grace_days": ["15"],
        "units": [str(world.unit_a.pk)],
    }
    assert client.post(reverse("bureau:datarequest_add"), data).status_code == 302
    request = DataRequest.objects.get(title="季度能耗")
    workflow.publish(request, staff, today=datetime.date(today.year, 8, 10))
    deadlines = dict(request.submissions.values_list("period", "deadline"))
    # Q1 ended before publication: its own deadline (15 April) has passed, so it is due on the
    # request's deadline; Q2 (due 15 July) likewise; Q3 and Q4 are due 15 days after they end.
    assert deadlines == {
        f"{today.year}-Q1": datetime.date(today.year, 9, 10),
        f"{today.year}-Q2": datetime.date(today.year, 9, 10),
        f"{today.year}-Q3": datetime.date(today.year, 10, 15),
        f"{today.year}-Q4": datetime.date(today.year + 1, 1, 15),
    }


@pytest.mark.django_db
def test_catch_up_deadline_is_never_before_the_grace_period(world):
    request = DataRequest.objects.create(
        kind="bureau.staff", title="季报", year=2022, frequency="quarterly", deadline=datetime.date(2022, 6, 1)
    )
    request.units.set([world.unit_a])
    workflow.publish(request, world.staff("offices"), today=datetime.date(2022, 8, 10))
    deadlines = dict(request.submissions.values_list("period", "deadline"))
    assert deadlines["2022-Q1"] == datetime.date(2022, 8, 25)


@pytest.mark.django_db
def test_remind_one_unit_and_all_late_units_from_the_grid(client, world):
    world.liaison_a.email = "a@example.cn"
    world.liaison_a.save()
    world.liaison_b.email = "b@example.cn"
    world.liaison_b.save()
    request = publish(world)
    request.submissions.filter(unit=world.unit_b).update(deadline=timezone.localdate() - datetime.timedelta(days=3))
    url = reverse("bureau:datarequest_grid", args=[request.pk])
    client.force_login(world.staff("offices"))
    page = client.get(url)
    assert "催报" in page.content.decode()
    response = client.post(url, page_form(page) | {"remind": str(world.unit_a.pk)}, follow=True)
    html = response.content.decode()
    assert "已向甲单位催报，已发送 1 封邮件" in html
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    when = timezone.localtime(AuditEntry.objects.get(changes__has_key="催报").time)
    assert when.strftime("%Y-%m-%d %H:%M") in html
    # All late units: only unit B is past its deadline.
    client.post(url, page_form(client.get(url)) | {"remind": "late"})
    assert [m.to for m in mail.outbox][1:] == [["b@example.cn"]]
    assert AuditEntry.objects.filter(changes__has_key="催报", unit_id=world.unit_b.pk).count() == 1


@pytest.mark.django_db
def test_remind_is_staff_only_and_scoped(client, world):
    request = publish(world)
    url = reverse("bureau:datarequest_grid", args=[request.pk])
    client.force_login(world.liaison_a)
    assert 'name="remind"' not in client.get(url).content.decode()
    assert client.post(url, {"remind": "late"}).status_code == 403
    other = make_user("vehicles", username="other_area")
    client.force_login(other)
    assert client.post(url, {"remind": "late"}).status_code == 404
    assert mail.outbox == []
    assert re.search("催报", str(list(AuditEntry.objects.values_list("changes", flat=True)))) is None
