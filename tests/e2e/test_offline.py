"""The intranet has no internet: a page must load everything it needs from the portal itself."""

import pytest

from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login
from tests.factories import PersonFactory, UnitFactory

# serialized_rollback: a transactional test run before this one flushed the rows the data migrations
# wrote (standards, factors, schedules), which the pages read; this puts them back first.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pages_request_nothing_but_the_portal(open_session, live_server, shot):
    unit = UnitFactory(name="甲单位")
    PersonFactory(unit=unit)
    leader = make_user("leader", username="leader")
    leader.set_password(PASSWORD)
    leader.save()

    page = open_session()
    requested, failed = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    login(page, "leader")
    # The dashboard, a list, a detail page and the API docs (Swagger UI, which would fetch its
    # assets from a CDN if they were not self-hosted).
    for path in ("/", "/base/unit/", f"/base/unit/{unit.pk}/", "/api/docs/"):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
    shot(page, "api-docs")
    assert page.locator(".swagger-ui").count() == 1

    assert len(requested) > 8  # pages, the stylesheet, Swagger's scripts and the schema
    assert [url for url in requested if not url.startswith(live_server.url + "/")] == []
    assert failed == []
