"""A leader's morning: the cockpit's charts draw under the Content-Security-Policy, and a tile leads
to the units behind it and on to one unit's records, with the same numbers on all three levels."""

import re

import pytest

from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login
from tests.factories import PersonFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every violation of the Content-Security-Policy, as the page itself sees it.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_leader_drills_from_tile_to_units_to_records(open_session, shot):
    unit_a, unit_b = UnitFactory(name="甲单位"), UnitFactory(name="乙单位")
    PersonFactory.create_batch(3, unit=unit_a)
    PersonFactory(unit=unit_b)
    leader = make_user("leader", username="leader")
    leader.set_password(PASSWORD)
    leader.save()

    page = open_session()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    login(page, "leader")

    page.wait_for_selector(".chart canvas")
    charts = page.locator(".chart")
    assert charts.count() >= 3
    assert page.locator(".chart canvas").count() == charts.count()  # every chart drew
    assert page.locator("details.chart-data table").count() == charts.count()
    shot(page, "home")
    assert page.evaluate("window.__csp") == []
    tile = page.locator('a.tile[data-metric="bureau.staff"]')
    assert tile.locator(".tile-value").inner_text().split()[0] == "4"

    tile.click()
    page.wait_for_url(re.compile(r"/cockpit/metric/bureau\.staff/"))
    page.wait_for_selector(".chart canvas")
    assert page.locator("#metric-value").inner_text().split()[0] == "4"
    rows = page.locator("#units tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator(".unit-records").inner_text() == "甲单位"
    assert [rows.nth(i).locator(".unit-value").inner_text() for i in range(2)] == ["3", "1"]
    shot(page, "units")
    assert page.evaluate("window.__csp") == []

    rows.nth(0).locator(".unit-records").click()
    page.wait_for_url(re.compile(r"/base/person/\?"))
    assert "共 3 条" in page.locator("main").inner_text()
    assert page.locator("table.grid tbody tr").count() == 3
    shot(page, "records")

    assert errors == []
    assert page.evaluate("window.__csp") == []
