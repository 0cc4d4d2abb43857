import pytest
from rest_framework.test import APIClient

from bureau.roles import assign_role
from tests.factories import UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


def make_user(role=None, unit=None, **kwargs):
    user = UserFactory(**kwargs)
    if role:
        assign_role(user, role, unit)
    return user


class World:
    """The standing cast of every permission test (healthchecks' owner / member / outsider):
    two units, a liaison of each, an area's staff, a leader and an admin."""

    def __init__(self):
        self.unit_a = UnitFactory(name="甲单位")
        self.unit_b = UnitFactory(name="乙单位")
        self.liaison_a = make_user("liaison", self.unit_a, username="liaison_a")
        self.liaison_b = make_user("liaison", self.unit_b, username="liaison_b")
        self.leader = make_user("leader", username="leader")
        self.admin = make_user("admin", username="admin")
        self.member = make_user("member", username="member")
        self._staff = {}

    def staff(self, role):
        if role == "admin":
            return self.admin
        if role not in self._staff:
            self._staff[role] = make_user(role, username=f"staff_{role}")
        return self._staff[role]


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def api():
    return APIClient()


def require_postgres():
    """Concurrency and worker tests need PostgreSQL; in CI (REQUIRE_SERVICES=1) its absence fails."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
