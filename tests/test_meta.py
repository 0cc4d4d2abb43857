"""Project-wide guarantees: every model has its tests, and no URL answers an anonymous user."""

import importlib
import pathlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from bureau.models import BaseModel, Submission
from tests.base import COVERED

# Workflow records without create/edit pages, and the test module that covers them instead.
WORKFLOW_TESTED = {Submission: "tests/bureau/test_requests.py"}
# Public on purpose: the login page itself, language switch, load-balancer health, logout.
PUBLIC = {"login", "logout", "set_language", "healthz"}


def _import_all_tests():
    root = pathlib.Path(__file__).parent
    for path in sorted(root.rglob("test_*.py")):
        importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))


def project_models():
    return [
        m
        for m in apps.get_models()
        if issubclass(m, BaseModel)
        and m._meta.app_label in ("bureau", "offices", "vehicles", "energy", "logistics", "party", "performance")
    ]


def test_every_model_has_generic_tests():
    _import_all_tests()
    missing = [m.__name__ for m in project_models() if m not in COVERED and m not in WORKFLOW_TESTED]
    assert not missing, f"models without ModelTests: {missing}"
    for model, module in WORKFLOW_TESTED.items():
        assert model.__name__ in pathlib.Path(module).read_text(encoding="utf-8")


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def concrete(route):
    """A URL for a route with sample arguments."""
    import re

    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug|path):\w+>|<\w+>", "x", route)
    return "/" + route.lstrip("/")


@pytest.mark.django_db
def test_no_url_answers_an_anonymous_user(client):
    served = []
    for route, name in walk(get_resolver().url_patterns):
        if name in PUBLIC or route.startswith(("admin/", "static/", "media/")) or "(?P<format>" in route:
            continue
        url = concrete(route)
        response = client.get(url)
        ok = response.status_code in (401, 403, 404, 405) or (
            response.status_code == 302 and "/accounts/login/" in response.get("Location", "")
        )
        if not ok:
            served.append((url, response.status_code))
    assert not served, f"answered an anonymous user: {served}"


def api_viewsets():
    """Every API viewset with a model serializer, from the URLconf."""
    found = {}
    for pattern in _patterns(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        serializer = getattr(cls, "serializer_class", None)
        if cls is not None and getattr(getattr(serializer, "Meta", None), "model", None) is not None:
            found[cls] = serializer
    return found


def _patterns(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


@pytest.mark.django_db
def test_the_api_writes_no_field_the_form_withholds(world):
    """A field a model's form leaves out for a role (a unit neither dispatches nor reviews) is
    read-only for that role in the API too."""
    from rest_framework.test import APIRequestFactory

    from bureau.generic import registry
    from bureau.rest import withheld

    users = [world.liaison_a, world.leader, world.member, *(world.staff(r) for r in ("offices", "vehicles", "energy"))]
    checked = set()
    for view, serializer_class in api_viewsets().items():
        model = serializer_class.Meta.model
        if model not in registry():
            continue
        for user in users:
            request = APIRequestFactory().post("/")
            request.user = user
            fields = serializer_class(context={"request": request, "view": view()}).fields
            for name in withheld(model, user):
                checked.add((model.__name__, name))
                assert name not in fields or fields[name].read_only, (view.__name__, user.username, name)
    # The check has teeth: these are withheld from a liaison today.
    assert {("SupportRequest", "status"), ("RepairProject", "approved_amount")} <= checked


GARBAGE = {
    "page": "abc", "page_size": "-1", "year": "0", "month": "13", "period": "2022-13", "unit": "abc",
    "sort": "no_such_field", "ordering": "-no_such_field", "q": "\x00", "status": "zzz", "kind": "zzz",
    "start": "not-a-date", "end": "2022-02-30", "building": "x", "category": "zzz",
}  # fmt: skip


@pytest.mark.django_db
def test_no_page_fails_on_garbage_in_its_query_string(client, world):
    """Every page without path arguments, as a user who reaches everything, with nonsense filters,
    sorting and paging: refused or ignored, never a server error."""
    from tests.conftest import make_user

    root = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    client.raise_request_exception = False
    failed = []
    for route, _name in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "static/", "media/", "accounts/logout")) or "<" in route or "(?P" in route:
            continue
        url = concrete(route)
        for query in ({}, GARBAGE):
            response = client.get(url, query)
            if response.status_code >= 500:
                failed.append((url, query and "garbage", response.status_code))
    assert not failed, failed
