"""Bookings and print orders by Excel: rows against each other, and what save() would compute."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from logistics.models import Booking, PrintOrder
from tests.factories import xlsx
from tests.logistics.factories import VenueFactory, later


def upload(client, name, rows):
    template = load_workbook(BytesIO(client.get(reverse(f"logistics:{name}_template")).content))
    header = [c for c in next(template.active.iter_rows(values_only=True)) if c]
    body = [[row.get(h) for h in header] for row in rows]
    return client.post(reverse(f"logistics:{name}_import"), {"file": xlsx([header, *body])})


@pytest.mark.django_db
def test_two_rows_of_one_file_booking_one_slot_are_refused_together(client, world):
    venue = VenueFactory(name="第一会议室")
    client.force_login(world.staff("logistics"))
    start = later(12, 9)
    row = {
        "会议场所": venue.name,
        "主办单位": world.unit_a.name,
        "会议（活动）名称": "专题会",
        "开始时间": start.replace(tzinfo=None),
        "结束时间": start.replace(tzinfo=None, hour=11),
        "参会人数": 10,
        "状态": "待审批",
    }
    response = upload(
        client,
        "booking",
        [row, row | {"开始时间": start.replace(tzinfo=None, hour=10), "结束时间": start.replace(tzinfo=None, hour=12)}],
    )
    assert response.status_code in (200, 400)
    assert "与第 2 行在同一场所的时段冲突" in response.content.decode()
    assert not Booking.objects.exists()
    response = upload(
        client,
        "booking",
        [row, row | {"开始时间": start.replace(tzinfo=None, hour=11), "结束时间": start.replace(tzinfo=None, hour=12)}],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_imported_print_orders_carry_their_computed_amount(client, world):
    client.force_login(world.staff("logistics"))
    row = {
        "委托单位": world.unit_a.name,
        "文件（资料）名称": "汇编",
        "委托日期": "2022-03-01",
        "页数": 10,
        "份数": 3,
        "装订": "胶装",
        "印刷单价（元/页）": 0.5,
        "装订单价（元/份）": 2,
        "成本（元）": 5,
        "差错数": 0,
    }
    response = upload(client, "printorder", [row])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PrintOrder.objects.get().amount == Decimal("21.00")
