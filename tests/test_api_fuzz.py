"""Every operation of the API schema, fed inputs drawn from the schema itself (schemathesis), as the
staff of its area: never a server error, and only the status codes the schema documents. Found
before: year filters of 0, deletes of referenced records, review bodies that were not text."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.factories import UnitFactory

AREAS = ("offices", "vehicles", "energy", "logistics", "party", "performance")


@pytest.fixture
def app():
    """The WSGI application in this process and test transaction; as in Django's test client, a
    request's end does not close the connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Few examples, the same each run: a suite test, not a search (run the CLI for that, bench/README.md).
EXAMPLES = settings(
    max_examples=5, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def check(op, app, headers):
    @EXAMPLES
    @given(case=op.as_strategy())
    def run(case):
        case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error, status_code_conformance])

    run()


def operations():
    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    return [result.ok() for result in schemathesis.openapi.from_dict(raw).get_all_operations()]


@pytest.mark.django_db
def test_no_operation_answers_a_server_error_or_an_undocumented_status(world, app):
    UnitFactory(parent=world.unit_a)
    tokens = {}
    failures = []
    for op in operations():
        area = op.path.split("/")[3]
        user = world.staff(area if area in AREAS else "admin")
        if user.pk not in tokens:
            tokens[user.pk] = Token.objects.create(user=user).key
        headers = {"Authorization": f"Token {tokens[user.pk]}"}

        try:
            check(op, app, headers)
        except Exception as exc:  # every operation is tried; the failures are listed together
            failures.append(f"{op.method.upper()} {op.path}: {exc}")
    assert not failures, "\n\n".join(failures)
