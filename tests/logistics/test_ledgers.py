"""Inspection ledgers: generic tests, check-ins from the phone page, refusals, patrol closing,
the QR sheet and the ledger completeness."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bureau.metrics import value
from bureau.models import Unit
from logistics import ledgers
from logistics.choices import PatrolState
from logistics.models import Checkin, Checkpoint, Journal, Patrol, Route
from tests.base import ModelTests
from tests.logistics.factories import (
    CheckinFactory,
    CheckpointFactory,
    JournalFactory,
    PatrolFactory,
    RouteFactory,
    local,
)


def stamp(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


class TestRoute(ModelTests):
    model = Route
    edit = {"patrols_per_month": 30}

    def make(self, unit):
        return RouteFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "site": "市政府大院",
            "name": "东区物业巡查",
            "patrols_per_month": 22,
            "daily_notes": True,
            "weekly_journals": True,
            "target": "100",
            "patrol_hours": 3,
            "active": True,
        }


class TestCheckpoint(ModelTests):
    model = Checkpoint
    edit = {"name": "北门岗亭"}

    def make(self, unit):
        return CheckpointFactory(route=RouteFactory(unit=unit))

    def form_data(self, unit):
        return {"route": RouteFactory(unit=unit).pk, "name": "配电房", "order": 3}


class TestPatrol(ModelTests):
    model = Patrol
    edit = {"note": "雨天巡查"}

    def make(self, unit):
        return PatrolFactory(route=RouteFactory(unit=unit))

    def form_data(self, unit):
        started = timezone.now() - datetime.timedelta(minutes=30)
        return {"route": RouteFactory(unit=unit).pk, "started": stamp(started), "note": ""}

    def api_data(self, unit):
        return {"route": RouteFactory(unit=unit).pk, "started": timezone.now().isoformat()}


class TestCheckin(ModelTests):
    model = Checkin
    edit = {"note": "绿篱需修剪"}

    def make(self, unit):
        return CheckinFactory(patrol=PatrolFactory(route=RouteFactory(unit=unit)))

    def form_data(self, unit):
        patrol = PatrolFactory(route=RouteFactory(unit=unit))
        checkpoint = CheckpointFactory(route=patrol.route)
        return {"patrol": patrol.pk, "checkpoint": checkpoint.pk, "time": stamp(timezone.now()), "note": ""}

    def api_data(self, unit):
        data = self.form_data(unit)
        return data | {"time": timezone.now().isoformat()}


class TestJournal(ModelTests):
    model = Journal
    edit = {"content": "本周共巡查 5 次，情况正常。"}

    def make(self, unit):
        return JournalFactory(route=RouteFactory(unit=unit))

    def form_data(self, unit):
        return {
            "route": RouteFactory(unit=unit).pk,
            "kind": "weekly",
            "date": "2022-03-07",
            "content": "本周巡查 5 次。",
            "issues": "东侧路灯不亮",
            "rectify_by": "2022-03-10",
        }


class TestCheckinRefusals:
    def test_a_checkpoint_of_another_route_is_refused(self, api, world):
        patrol = PatrolFactory()
        elsewhere = CheckpointFactory()
        api.force_authenticate(world.staff("logistics"))
        body = {"patrol": patrol.pk, "checkpoint": elsewhere.pk, "time": timezone.now().isoformat()}
        response = api.post(reverse("logistics-api:checkin-list"), body, format="json")
        assert response.status_code == 400 and "不在本次巡查的路线上" in str(response.data["checkpoint"])
        assert not Checkin.objects.exists()

    def test_a_checkin_after_the_patrol_expired_is_refused(self, api, world):
        patrol = PatrolFactory(started=timezone.now() - datetime.timedelta(hours=5))  # 4 h allowed
        checkpoint = CheckpointFactory(route=patrol.route)
        api.force_authenticate(world.staff("logistics"))
        body = {"patrol": patrol.pk, "checkpoint": checkpoint.pk, "time": timezone.now().isoformat()}
        response = api.post(reverse("logistics-api:checkin-list"), body, format="json")
        assert response.status_code == 400 and "过期" in str(response.data["time"])


class TestPhoneCheckin:
    def test_scanning_every_checkpoint_completes_the_patrol(self, client, world):
        route = RouteFactory(unit=world.unit_a)
        first, second = CheckpointFactory(route=route, order=1), CheckpointFactory(route=route, order=2)
        inspector = world.staff("logistics")
        client.force_login(inspector)
        page = client.get(reverse("logistics:checkin_scan", args=[first.token]))
        assert page.status_code == 200 and "开始巡查并签到" in page.content.decode()
        assert client.post(reverse("logistics:checkin_scan", args=[first.token])).status_code == 302
        patrol = Patrol.objects.get()
        assert patrol.inspector == inspector and patrol.state == PatrolState.OPEN
        client.post(reverse("logistics:checkin_scan", args=[first.token]))  # twice: refused, not doubled
        assert Checkin.objects.count() == 1
        client.post(reverse("logistics:checkin_scan", args=[second.token]))
        patrol.refresh_from_db()
        assert patrol.state == PatrolState.COMPLETE
        assert [c.inspector for c in Checkin.objects.all()] == [inspector, inspector]

    def test_closing_early_is_incomplete_and_lists_the_missed(self, api, world):
        route = RouteFactory()
        done, missed = CheckpointFactory(route=route, name="北门"), CheckpointFactory(route=route, name="锅炉房")
        patrol = PatrolFactory(route=route)
        CheckinFactory(patrol=patrol, checkpoint=done)
        api.force_authenticate(world.staff("logistics"))
        response = api.post(reverse("logistics-api:patrol-close", args=[patrol.pk]))
        assert response.status_code == 200
        assert response.data["state"] == PatrolState.INCOMPLETE and missed.name in response.data["note"]
        assert api.post(reverse("logistics-api:patrol-close", args=[patrol.pk])).status_code == 400

    def test_a_liaison_cannot_check_in(self, client, world):
        checkpoint = CheckpointFactory(route=RouteFactory(unit=world.unit_a))
        client.force_login(world.liaison_a)
        assert client.get(reverse("logistics:checkin_scan", args=[checkpoint.token])).status_code == 403


def test_the_qr_sheet_carries_one_svg_per_checkpoint_with_its_checkin_address(client, world):
    route = RouteFactory()
    points = [CheckpointFactory(route=route) for _ in range(3)]
    client.force_login(world.staff("logistics"))
    client.get(reverse("logistics:route_qr", args=[route.pk]))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("logistics:route_qr", args=[route.pk])).content.decode()
    assert body.count("<svg") == 3
    assert all(p.name in body for p in points)
    CheckpointFactory(route=route)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("logistics:route_qr", args=[route.pk]))
    assert len(more) == len(ctx)


def test_ledger_completeness_hand_computed(world):
    """2022. Route A (unit A): 2 patrols a month, no notes or journals required → 24 required;
    January 3 complete (counted 2), February 1 complete and 1 incomplete → 3 kept: 12.5 %.
    Route B (unit B): weekly journals only → 52 Mondays in 2022; two journals in the week of
    3 January count once, one of Sunday 1 January 2023 counts for the week of 26 December:
    2 kept → 3.85 %. City: 5 / 76 = 6.58 %."""
    a = RouteFactory(unit=world.unit_a, patrols_per_month=2, daily_notes=False, weekly_journals=False)
    for day, state in ((3, "complete"), (4, "complete"), (5, "complete")):
        PatrolFactory(route=a, started=local(2022, 1, day, 9), state=state)
    PatrolFactory(route=a, started=local(2022, 2, 1, 9), state="complete")
    PatrolFactory(route=a, started=local(2022, 2, 2, 9), state="incomplete")
    b = RouteFactory(unit=world.unit_b, patrols_per_month=0, daily_notes=False, weekly_journals=True)
    for day in (datetime.date(2022, 1, 3), datetime.date(2022, 1, 5), datetime.date(2023, 1, 1)):
        JournalFactory(route=b, kind="weekly", date=day)
    assert sum(ledgers.mondays(2022, m) for m in range(1, 13)) == 52
    assert value("logistics.ledger_completeness", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 12.5
    assert value("logistics.ledger_completeness", 2022, Unit.objects.filter(pk=world.unit_b.pk)) == 3.85
    assert value("logistics.ledger_completeness", 2022, Unit.objects.all()) == 6.58


def test_daily_notes_count_once_a_day_up_to_the_months_days(world):
    route = RouteFactory(patrols_per_month=0, daily_notes=True, weekly_journals=False)
    JournalFactory(route=route, date=datetime.date(2022, 2, 1))
    JournalFactory(route=route, date=datetime.date(2022, 2, 1))
    JournalFactory(route=route, date=datetime.date(2022, 2, 2))
    found = ledgers.table(2022, [route])
    assert found[(route.pk, 2)] == (2, 28)
    assert ledgers.rate(found) == (2, 365)
