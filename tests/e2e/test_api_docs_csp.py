"""The API docs keep the portal's Content-Security-Policy: nothing inline, nothing blocked."""

import pytest

from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_swagger_page_has_no_csp_violation_or_console_error(open_session, shot):
    user = make_user("leader", username="leader")
    user.set_password(PASSWORD)
    user.save()
    page = open_session()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    login(page, "leader")
    assert page.goto("/api/docs/").status == 200
    page.wait_for_load_state("networkidle")
    page.locator(".opblock").first.wait_for()
    shot(page, "api-docs")
    assert page.evaluate("window.__csp") == []
    assert errors == []
    # The page's own look (box-sizing, background) came from the served stylesheet.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
