"""The portal walked as each role would: sign in, open every link of the navigation and, for the
admin, the first record of each list. Fails on a server error, a console error, a CSP violation,
or a raw code (a lowercase ASCII token such as `in_use` or a login name) in the page's text where a
clerk expects Chinese. A small dataset (one record per area) keeps it to about two minutes."""

import re

import pytest

from tests.conftest import make_user
from tests.e2e.conftest import PASSWORD, login
from tests.e2e.test_api_docs_csp import WATCH_CSP
from tests.energy.factories import ConsumptionFactory
from tests.factories import PersonFactory, UnitFactory
from tests.logistics.factories import VenueFactory
from tests.offices.factories import BuildingFactory
from tests.party.factories import MeetingFactory
from tests.performance.factories import IndicatorFactory
from tests.vehicles.factories import VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLES = (
    "admin",
    "leader",
    "offices",
    "vehicles",
    "energy",
    "logistics",
    "party",
    "discipline",
    "performance",
    "liaison",
    "member",
)
# Not the portal's own Chinese pages: Swagger (English by design, tested in test_api_docs_csp)
# and Django's admin.
SKIP = ("/api/docs/", "/admin/")
# Words that are written in Latin letters in Chinese official text too.
ALLOW = {"tce", "kgce", "kwh", "api", "excel", "qr", "pdf", "id", "xlsx", "csv"}
RAW = re.compile(r"(?<![\w./:@%-])[a-z][a-z0-9_]{2,}(?![\w/@.-])")
# Known exceptions found by the walk and not fixed yet (see the report of the walk, 2026-11-30):
# none at the time of writing; add "path-prefix" entries here with a reason when one is accepted.
KNOWN = {}


def dataset():
    unit = UnitFactory(name="中共某市委办公厅")
    PersonFactory(unit=unit, name="王一")
    BuildingFactory(unit=unit)
    VehicleFactory(unit=unit)
    ConsumptionFactory(unit=unit)
    VenueFactory()
    MeetingFactory()
    IndicatorFactory()
    for role in ROLES:
        user = make_user(role, unit if role == "liaison" else None, username=f"walk_{role}", first_name="测试")
        user.set_password(PASSWORD)
        user.save()


def visit(page, url, problems):
    try:
        response = page.goto(url)
    except Exception as error:  # a download link (a compiled document) leaves no page to read
        if "Download is starting" in str(error):
            return False
        raise
    if response.status >= 500 or response.status in (403, 404):
        problems.append(f"{url}: HTTP {response.status}")
        return False
    violations = page.evaluate("window.__csp || []")
    problems.extend(f"{url}: CSP {v}" for v in violations)
    if not any(url.startswith(k) for k in KNOWN):
        text = page.inner_text("main")
        raw = sorted({t for t in RAW.findall(text) if t.lower() not in ALLOW})
        if raw:
            problems.append(f"{url}: raw text {raw[:10]}")
    return True


def test_every_role_walks_its_navigation(open_session):
    dataset()
    problems = []
    for role in ROLES:
        page = open_session()
        page.on(
            "console",
            lambda m, r=role, p=page: (
                problems.append(f"{r} {p.url}: console {m.text[:160]}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e, r=role: problems.append(f"{r}: {e}"))
        page.add_init_script(WATCH_CSP)
        login(page, f"walk_{role}")
        links = page.eval_on_selector_all(".sidenav a", "els => els.map(e => e.getAttribute('href'))")
        links = [u for u in dict.fromkeys(["/", *links]) if u.startswith("/") and not u.startswith(SKIP)]
        assert len(links) > 3, role
        for url in links:
            if visit(page, url, problems) and role == "admin":
                first = page.eval_on_selector_all(
                    "main table tbody td:first-child a", "els => els.map(e => e.getAttribute('href'))"
                )
                if first and first[0].startswith("/") and first[0] != url:
                    visit(page, first[0], problems)
        page.context.close()
    assert problems == []
