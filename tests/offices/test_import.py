"""Rooms by Excel (the core's registry import, validated row by row with RoomForm)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from offices.models import Room
from tests.factories import xlsx
from tests.offices.factories import BuildingFactory, FloorFactory

HEADER = ["楼宇", "楼层", "房间号", "用房类别", "用途", "使用面积（m²）", "使用单位", "使用人", "备注"]


@pytest.fixture
def building(world):
    building = BuildingFactory(unit=world.unit_a, code="JG0001")
    FloorFactory(building=building, level=3)
    return building


@pytest.mark.django_db
def test_rooms_import_by_building_code_and_floor_number(client, world, building):
    client.force_login(world.staff("offices"))
    unit = world.unit_a.name
    upload = xlsx(
        [
            HEADER,
            ["JG0001", 3, "301", "办公室用房", "办公室", 18, unit, None, None],
            ["JG0001", 3, "302", "服务用房", "会议室", 60, unit, None, None],
        ]
    )
    response = client.post(reverse("offices:room_import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    rooms = Room.objects.order_by("number")
    assert [(r.number, r.floor.level, r.usable_area, r.unit_id) for r in rooms] == [
        ("301", 3, Decimal("18"), world.unit_a.pk),
        ("302", 3, Decimal("60"), world.unit_a.pk),
    ]


@pytest.mark.django_db
def test_bad_rows_name_row_and_column_and_save_nothing(client, world, building):
    client.force_login(world.staff("offices"))
    unit = world.unit_a.name
    upload = xlsx(
        [
            HEADER,
            ["JG0001", 3, "301", "办公室用房", "办公室", 18, unit, None, None],
            ["JG0001", 3, "302", "花园", None, 18, unit, None, None],  # row 3: unknown class
            ["JG0001", 9, "901", "办公室用房", "办公室", 18, unit, None, None],  # row 4: no 9th floor
            ["JG0001", 3, "303", "办公室用房", "办公室", 0, unit, None, None],  # row 5: zero area
            ["JG0001", 3, "301", "办公室用房", "办公室", 18, unit, None, None],  # row 6: 301 again
        ]
    )
    response = client.post(reverse("offices:room_import"), {"file": upload})
    assert response.status_code == 400
    found = {(e.row, e.column) for e in response.context["errors"]}
    assert {(3, "用房类别"), (4, "楼层"), (5, "使用面积（m²）")} <= found
    assert any(e.row == 6 and "与第 2 行重复" in e.message for e in response.context["errors"]), found
    assert not Room.objects.exists()


@pytest.mark.django_db
def test_room_import_does_not_query_per_row(world, building):
    """Room's unique (building, number) constraint is checked for the whole file, not per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bureau.imports.writing import import_registry
    from offices.views import RoomViews

    unit = world.unit_a.name

    def run(first, n):
        rows = [["JG0001", 3, str(first + i), "服务用房", "会议室", 30, unit, None, None] for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            created, errors = import_registry(RoomViews, xlsx([HEADER, *rows]), world.staff("offices"))
        assert not errors and len(created) == n
        return len(queries)

    run(100, 2)  # warm the per-process caches
    assert run(200, 5) == run(300, 40)


@pytest.mark.django_db
def test_room_import_names_a_number_taken_in_the_building(client, world, building):
    client.force_login(world.staff("offices"))
    unit = world.unit_a.name
    row = ["JG0001", 3, "301", "服务用房", "会议室", 30, unit, None, None]
    assert client.post(reverse("offices:room_import"), {"file": xlsx([HEADER, row])}).status_code == 302
    response = client.post(reverse("offices:room_import"), {"file": xlsx([HEADER, row])})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["errors"]] == [(2, "房间号")]
    assert Room.objects.count() == 1


@pytest.mark.django_db
def test_one_office_a_person_across_the_file_and_the_stored_rooms(client, world, building):
    """Each row alone is fine; together they would seat a person twice (the database refuses)."""
    from tests.offices.factories import RoomFactory, person

    client.force_login(world.staff("offices"))
    unit = world.unit_a.name
    twice, seated = person(world.unit_a, name="张三"), person(world.unit_a, name="李四")
    RoomFactory(unit=world.unit_a, building=building, floor=building.floors.get(), number="399", occupants=[seated])
    upload = xlsx(
        [
            HEADER,
            ["JG0001", 3, "301", "办公室用房", "办公室", 12, unit, "张三", None],
            ["JG0001", 3, "302", "办公室用房", "办公室", 12, unit, "张三", None],
            ["JG0001", 3, "303", "办公室用房", "办公室", 12, unit, "李四", None],
        ]
    )
    response = client.post(reverse("offices:room_import"), {"file": upload})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "使用人"), (4, "使用人")]
    assert "第 2 行" in errors[0].message and "399" in errors[1].message
    assert Room.objects.count() == 1 and not Room.objects.filter(occupants=twice).exists()
