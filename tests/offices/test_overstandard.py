"""The over-standard check against hand-computed figures (2014 municipal table: 市级正职 42, 市级副职
30, 正局 24, 副局 18, 局以下 9 m²)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureau.choices import Rank
from bureau.metrics import REGISTRY as METRICS
from bureau.models import Unit
from offices import overstandard
from offices.choices import RoomCategory, RoomKind
from offices.models import RankLimit, Room, Standard
from tests.offices.factories import RoomFactory, person


def room(unit, area, *ranks, **kwargs):
    return RoomFactory(unit=unit, usable_area=Decimal(area), occupants=[person(unit, r) for r in ranks], **kwargs)


def figures(pk):
    return overstandard.with_standard(Room.objects.filter(pk=pk), overstandard.limits_on()).get()


@pytest.fixture
def unit(world):
    return world.unit_a


@pytest.mark.django_db
class TestRooms:
    def test_deputy_mayor_alone_in_32_is_2_over(self, unit):
        # 32 − 30 (市级副职) = 2 m² over.
        r = room(unit, "32", Rank.CITY_DEPUTY)
        got = figures(r.pk)
        assert got.standard_area == Decimal("30") and got.excess == Decimal("2")
        assert list(overstandard.over_standard(Room.objects.all(), overstandard.limits_on())) == [r]

    def test_two_junior_staff_in_18_comply(self, unit):
        # 9 + 9 = 18 ≥ 18 m².
        r = room(unit, "18", Rank.BELOW_BUREAU, Rank.BELOW_BUREAU)
        assert figures(r.pk).standard_area == Decimal("18")
        assert not overstandard.over_standard(Room.objects.all(), overstandard.limits_on()).exists()

    def test_room_without_occupants_is_no_finding(self, unit):
        room(unit, "40")
        assert overstandard.totals(Room.objects.all(), overstandard.limits_on()) == {"rooms": 0, "area": 0}

    def test_service_rooms_are_never_findings(self, unit):
        r = room(unit, "60", category=RoomCategory.SERVICE, kind=RoomKind.MEETING)
        assert figures(r.pk).standard_area == 0
        assert not overstandard.over_standard(Room.objects.all(), overstandard.limits_on()).exists()

    def test_finding_closes_when_a_second_person_moves_in(self, unit):
        r = room(unit, "32", Rank.CITY_DEPUTY)
        assert overstandard.totals(Room.objects.all(), overstandard.limits_on())["rooms"] == 1
        # 30 + 9 = 39 ≥ 32: complies, nothing to close by hand.
        r.occupants.add(person(unit, Rank.BELOW_BUREAU))
        assert overstandard.totals(Room.objects.all(), overstandard.limits_on())["rooms"] == 0

    def test_finding_closes_when_the_room_is_resized(self, unit):
        r = room(unit, "32", Rank.CITY_DEPUTY)
        r.usable_area = Decimal("30")
        r.save()
        assert overstandard.totals(Room.objects.all(), overstandard.limits_on())["rooms"] == 0

    def test_later_standard_applies_from_its_effective_date(self, unit):
        room(unit, "32", Rank.CITY_DEPUTY)
        later = Standard.objects.create(
            name="新标准", document="测试", level="市级", effective_from=datetime.date(2030, 1, 1)
        )
        RankLimit.objects.create(standard=later, rank=Rank.CITY_DEPUTY, limit_area=Decimal("36"))
        assert overstandard.limits_on(datetime.date(2029, 12, 31))[Rank.CITY_DEPUTY] == Decimal("30")
        assert overstandard.limits_on(datetime.date(2030, 1, 1)) == {Rank.CITY_DEPUTY: Decimal("36")}
        # 32 ≤ 36 under the later table.
        assert overstandard.totals(Room.objects.all(), overstandard.limits_on(datetime.date(2030, 6, 1)))["rooms"] == 0

    def test_unit_office_area_against_its_staff_limits(self, unit, world):
        # Rooms: 32 (副职 alone) + 18 (two 局以下) = 50 m² of offices; one unseated 副局 adds 18 to
        # the staff's limits: 30 + 9 + 9 + 18 = 66 m² ≥ 50, so the unit as a whole is within.
        room(unit, "32", Rank.CITY_DEPUTY)
        room(unit, "18", Rank.BELOW_BUREAU, Rank.BELOW_BUREAU)
        person(unit, Rank.BUREAU_DEPUTY)
        [row] = overstandard.unit_summary(Unit.objects.filter(pk=unit.pk), overstandard.limits_on())
        assert row["office_area"] == Decimal("50") and row["staff"] == 4
        assert row["standard_area"] == Decimal("66") and row["unit_excess"] == 0
        assert row["rooms_over"] == 1 and row["rooms_excess"] == Decimal("2")


@pytest.mark.django_db
class TestMetrics:
    def test_over_standard_metrics_per_unit_and_in_total(self, world):
        room(world.unit_a, "32", Rank.CITY_DEPUTY)  # 2 over
        room(world.unit_b, "30", Rank.BUREAU_HEAD)  # 30 − 24 = 6 over
        room(world.unit_b, "18", Rank.BUREAU_DEPUTY)  # complies
        everyone = Unit.objects.all()
        only_a = Unit.objects.filter(pk=world.unit_a.pk)
        assert METRICS["offices.over_standard_rooms"].compute(2022, everyone) == 2
        assert METRICS["offices.over_standard_area"].compute(2022, everyone) == 8.0
        assert METRICS["offices.over_standard_rooms"].compute(2022, only_a) == 1
        assert METRICS["offices.over_standard_area"].compute(2022, only_a) == 2.0
        # 32 + 30 + 18 = 80 m² of office rooms; unit A alone 32.
        assert METRICS["offices.office_area"].compute(2022, everyone) == 80.0
        assert METRICS["offices.office_area"].compute(2022, only_a) == 32.0


@pytest.mark.django_db
class TestPage:
    url = reverse("offices:over_standard")

    def test_staff_see_every_unit_and_the_excess(self, client, world):
        room(world.unit_a, "32", Rank.CITY_DEPUTY, number="A-101")
        room(world.unit_b, "30", Rank.BUREAU_HEAD, number="B-201")
        client.force_login(world.staff("offices"))
        body = client.get(self.url).content.decode()
        assert "A-101" in body and "B-201" in body
        assert "超标房间 2 间，超标面积 8.00 m²" in body

    def test_liaison_sees_only_own_unit(self, client, world):
        room(world.unit_a, "32", Rank.CITY_DEPUTY, number="A-101")
        room(world.unit_b, "30", Rank.BUREAU_HEAD, number="B-201")
        client.force_login(world.liaison_a)
        body = client.get(self.url).content.decode()
        assert "A-101" in body and "B-201" not in body and world.unit_b.name not in body
        assert client.get(self.url, {"unit": world.unit_b.pk}).status_code == 404

    def test_member_without_room_access_is_refused(self, client, world):
        client.force_login(world.member)
        assert client.get(self.url).status_code == 403

    def test_query_count_does_not_grow_with_rooms(self, client, world):
        client.force_login(world.staff("offices"))
        room(world.unit_a, "32", Rank.CITY_DEPUTY)
        client.get(self.url)
        with CaptureQueriesContext(connection) as few:
            client.get(self.url)
        for _ in range(5):
            room(world.unit_a, "40", Rank.BUREAU_HEAD, Rank.BELOW_BUREAU)
            room(world.unit_b, "25", Rank.BUREAU_DEPUTY)
        with CaptureQueriesContext(connection) as many:
            response = client.get(self.url)
        assert response.status_code == 200
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.django_db
class TestRoomApi:
    def test_standard_area_and_flag_are_read_only(self, api, world):
        r = room(world.unit_a, "32", Rank.CITY_DEPUTY)
        api.force_authenticate(world.staff("offices"))
        url = reverse("offices-api:room-detail", args=[r.pk])
        data = api.get(url).data
        assert data["standard_area"] == "30.00" and data["over_standard"] is True
        response = api.patch(url, {"standard_area": "99", "over_standard": False, "version": r.version}, format="json")
        assert response.status_code == 200
        assert response.data["standard_area"] == "30.00" and response.data["over_standard"] is True

    def test_list_is_filterable_by_unit_and_scoped(self, api, world):
        a = room(world.unit_a, "32", Rank.CITY_DEPUTY)
        b = room(world.unit_b, "18")
        api.force_authenticate(world.staff("offices"))
        rows = api.get(reverse("offices-api:room-list"), {"unit": world.unit_b.pk}).data["results"]
        assert [row["id"] for row in rows] == [b.pk]
        api.force_authenticate(world.liaison_a)
        rows = api.get(reverse("offices-api:room-list")).data["results"]
        assert [row["id"] for row in rows] == [a.pk]
        assert rows[0]["occupants"] == [p.pk for p in a.occupants.all()]
