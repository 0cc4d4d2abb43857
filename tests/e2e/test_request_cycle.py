"""Issue 3's end-to-end test: the whole data-request cycle in a real browser, as the people do it."""

import re

import pytest

from bureau.choices import Rank
from bureau.models import Person, Submission
from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login
from tests.factories import PersonFactory, SubmissionFactory, UnitFactory

# serialized_rollback: a transactional test run before this one flushed the rows the data migrations
# wrote (standards, factors, schedules), which the pages read; this puts them back first.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def person_user(role, unit=None, username=None):
    user = make_user(role, unit, username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def staff_tile(page, unit):
    """The leader's 在册人员 tile for one unit, picked by name in the dashboard filter; its value as an int."""
    page.goto("/")
    page.fill("#dashboard input[name=unit_name]", unit.name)
    page.locator("#dashboard").get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"unit_name="))
    tile = page.locator('#dashboard .tile[data-metric="bureau.staff"]')
    assert tile.locator(".tile-label").inner_text() == "在册人员"
    value = tile.locator(".tile-value").inner_text()
    match = re.fullmatch(r"(\d+)\s*人", value.strip())
    assert match, value
    return int(match.group(1))


def fill_row(page, index, name, rank):
    page.fill(f"input[name=form-{index}-name]", name)
    page.select_option(f"select[name=form-{index}-rank]", rank)


def test_request_cycle_in_the_browser(open_session, shot):
    unit_a = UnitFactory(name="甲单位")
    unit_b = UnitFactory(name="乙单位")
    PersonFactory(unit=unit_a, name="王一", rank=Rank.BUREAU_HEAD)
    PersonFactory(unit=unit_a, name="李二", rank=Rank.BELOW_BUREAU)
    PersonFactory(unit=unit_b, name="丙三", rank=Rank.BELOW_BUREAU)
    person_user("liaison", unit_a, "liaison_a")
    person_user("offices", None, "staff_offices")
    person_user("leader", None, "leader")

    # The leader's tile before: unit A has 2 people on its roll.
    leader = open_session()
    login(leader, "leader")
    before = staff_tile(leader, unit_a)
    assert before == 2
    shot(leader, "leader-before")

    # Offices staff open a staff-list request for unit A and publish it.
    staff = open_session()
    login(staff, "staff_offices")
    staff.goto("/base/datarequest/add/")
    staff.select_option("#id_kind", "bureau.staff")
    staff.fill("#id_title", "2022 年人员名册确认")
    staff.fill("#id_year", "2022")
    staff.select_option("#id_frequency", "annual")
    staff.fill("#id_deadline", "2099-03-31")
    staff.select_option("#id_units", [str(unit_a.pk)])
    staff.fill("#id_note", "请核对本单位在编人员及职级。")
    shot(staff, "staff-new-request")
    staff.get_by_role("button", name="保存", exact=True).click()
    staff.get_by_role("button", name="发布", exact=True).click()
    assert "已发布，生成 1 份填报。" in staff.locator(".msg").inner_text()
    shot(staff, "staff-published")
    sub = Submission.objects.get(request__title="2022 年人员名册确认")
    assert sub.unit == unit_a

    # The liaison finds the task on the home page, pre-filled with the unit's roll, adds a person
    # and submits.
    liaison = open_session()
    login(liaison, "liaison_a")
    task = liaison.locator("#my-unit tbody tr", has_text="2022 年人员名册确认")
    assert "待报送" in task.inner_text()
    shot(liaison, "liaison-home")
    task.get_by_role("link").click()
    assert liaison.locator("#state").inner_text() == "待报送"
    prefilled = {liaison.input_value(f"input[name=form-{i}-name]") for i in (0, 1)}
    assert prefilled == {"王一", "李二"}
    fill_row(liaison, 2, "张三", Rank.BUREAU_DEPUTY)
    shot(liaison, "liaison-filled")
    liaison.get_by_role("button", name="保存并报送").click()
    assert "已报送，等待审核。" in liaison.locator(".msg").inner_text()
    assert liaison.locator("#state").inner_text() == "已报送"
    shot(liaison, "liaison-submitted")

    # Staff open it from their review queue and return it with a comment.
    comment = "名册缺少今年调入的赵四，请补充后重新报送。"
    staff.goto("/")
    staff.locator("#review-queue").get_by_role("link", name="2022 年人员名册确认").click()
    assert staff.locator("#state").inner_text() == "已报送"
    # The two pre-filled people and 张三; the untouched spare rows were not stored.
    assert staff.locator("#rows tbody tr").count() == 3
    assert "张三" in staff.locator("#rows").inner_text()
    staff.fill("#id_comment", comment)
    shot(staff, "staff-returning")
    staff.get_by_role("button", name="退回修改").click()
    assert staff.locator("#state").inner_text() == "已退回"
    assert staff.locator("#comment").inner_text() == comment
    shot(staff, "staff-returned")

    # The liaison sees the comment on the home page and on the submission, fixes and resubmits.
    liaison.goto("/")
    task = liaison.locator("#my-unit tbody tr", has_text="2022 年人员名册确认")
    assert "已退回" in task.inner_text() and comment in task.inner_text()
    shot(liaison, "liaison-sees-return")
    task.get_by_role("link").click()
    assert liaison.locator("#comment").inner_text() == comment
    assert liaison.input_value("input[name=form-2-name]") == "张三"
    fill_row(liaison, 3, "赵四", Rank.BELOW_BUREAU)
    liaison.get_by_role("button", name="保存并报送").click()
    assert liaison.locator("#state").inner_text() == "已重新报送"
    shot(liaison, "liaison-resubmitted")

    # Staff approve; the data is locked and the roll is updated.
    staff.goto(f"/base/submission/{sub.pk}/")
    assert "赵四" in staff.locator("#rows").inner_text()
    staff.get_by_role("button", name="通过", exact=True).click()
    assert staff.locator("#state").inner_text() == "已通过"
    assert staff.get_by_role("button", name="重新打开").is_visible()
    shot(staff, "staff-approved")
    assert set(Person.objects.filter(unit=unit_a).values_list("name", flat=True)) == {"王一", "李二", "张三", "赵四"}

    # The liaison can no longer edit approved data.
    liaison.goto(f"/base/submission/{sub.pk}/")
    assert liaison.locator("#state").inner_text() == "已通过"
    assert liaison.locator("#fill").count() == 0

    # The leader's tile: 2 on the roll + 张三 + 赵四 = 4; unit B's figure is untouched (1).
    after = staff_tile(leader, unit_a)
    shot(leader, "leader-after")
    assert after == before + 2 == 4
    assert staff_tile(leader, unit_b) == 1


def test_untouched_spare_rows_are_ignored(open_session, shot):
    """The page says 空白行不会保存: a liaison who fills one row and leaves the spare rows alone
    must be able to submit."""
    unit = UnitFactory(name="甲单位")
    person_user("liaison", unit, "liaison_a")
    sub = SubmissionFactory(unit=unit)
    page = open_session()
    login(page, "liaison_a")
    page.goto(f"/base/submission/{sub.pk}/")
    fill_row(page, 0, "张三", Rank.BELOW_BUREAU)
    page.get_by_role("button", name="保存并报送").click()
    shot(page, "spare-rows")
    assert page.locator("#state").inner_text() == "已报送", page.locator(".msg").inner_text()
