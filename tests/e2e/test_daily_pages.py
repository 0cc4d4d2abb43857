"""The liaison's and the reviewer's pages in a browser: home with its badge, a returned form,
withdrawing, the grid with 催报; no CSP violation, no console error on any of them."""

import datetime

import pytest
from django.utils import timezone

from bureau import workflow
from bureau.models import DataRequest
from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login
from tests.e2e.test_api_docs_csp import WATCH_CSP
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def person(role, username, unit=None):
    user = make_user(role, unit, username=username, email=f"{username}@example.cn")
    user.set_password(PASSWORD)
    user.save()
    return user


def watched(open_session):
    page = open_session()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(WATCH_CSP)
    return page, problems


def test_liaison_and_reviewer_days(open_session, shot):
    unit = UnitFactory(name="中共某市委办公厅")
    other = UnitFactory(name="市财政局")
    liaison = person("liaison", "lianluo", unit)
    person("liaison", "caizheng", other)
    staff = person("offices", "shenhe")
    today = timezone.localdate()
    requests = []
    for title, days in (("人员名册确认", 5), ("年中名册核对", -3), ("年底名册核对", 25)):
        request = DataRequest.objects.create(
            kind="bureau.staff", title=title, year=today.year, deadline=today + datetime.timedelta(days=days)
        )
        request.units.set([unit, other])
        workflow.publish(request, staff)
        requests.append(request)
    sub = requests[0].submissions.get(unit=unit)
    workflow.save_rows(sub, [{"name": "王一", "rank": "below_bureau"}], liaison)
    workflow.submit(sub, liaison)
    workflow.return_(sub, staff, "第 1 行职级与任免文件不符，请核对。")

    page, problems = watched(open_session)
    login(page, "lianluo")
    assert page.locator(".sidenav .badge").inner_text() == "2"
    assert page.locator("tr.task.overdue").count() == 1 and page.locator("tr.task.returned").count() == 1
    shot(page, "liaison-home")
    page.goto(sub.get_absolute_url())
    page.get_by_role("button", name="保存并报送").click()
    page.get_by_role("button", name="撤回报送").click()
    assert "已撤回" in page.locator(".msg").inner_text()
    shot(page, "liaison-withdrawn")
    page.goto(f"/base/datarequest/{requests[1].pk}/grid/")
    shot(page, "liaison-grid")
    page.get_by_role("link", name="返回").click()
    assert page.locator("#my-unit").count() == 1
    assert page.evaluate("window.__csp") == [] and problems == []

    page, problems = watched(open_session)
    login(page, "shenhe")
    page.goto(f"/base/datarequest/{requests[1].pk}/grid/")
    page.get_by_role("button", name="向全部逾期单位催报").click()
    assert "已向中共某市委办公厅、市财政局催报，已发送 2 封邮件" in page.locator(".msg").inner_text()
    assert page.locator("td.remind .muted").count() == 2
    shot(page, "staff-grid-reminded")
    page.goto(sub.get_absolute_url())
    page.get_by_role("button", name="保存并报送").count()  # staff may fill too; the form is there
    shot(page, "staff-submission")
    assert page.evaluate("window.__csp") == [] and problems == []
