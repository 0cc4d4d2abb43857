"""The print shop: generic tests, the computed amount, refusals and the year's figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.metrics import value
from bureau.models import Unit
from logistics.models import PrintOrder
from tests.base import ModelTests
from tests.logistics.factories import PrintOrderFactory


class TestPrintOrder(ModelTests):
    model = PrintOrder
    edit = {"copies": 30}

    def make(self, unit):
        return PrintOrderFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "document": "2022年政府工作报告（征求意见稿）",
            "ordered_on": "2022-03-01",
            "pages": 40,
            "copies": 25,
            "binding": "glue",
            "page_price": "0.30",
            "binding_price": "3.00",
            "cost": "200.00",
            "errors": 0,
        }


def test_the_amount_is_computed_from_the_prices(client, world):
    client.force_login(world.staff("logistics"))
    data = TestPrintOrder().form_data(world.unit_a)
    assert client.post(reverse("logistics:printorder_add"), data).status_code == 302
    # 40 pages × 25 copies × 0.30 + 25 × 3.00 = 300 + 75
    assert PrintOrder.objects.get().amount == Decimal("375.00")


@pytest.mark.parametrize(
    ("field", "bad"), [("pages", -1), ("copies", -5), ("pages", 0), ("page_price", "-0.10"), ("cost", "-1")]
)
def test_negative_pages_copies_or_amounts_are_refused(api, world, field, bad):
    api.force_authenticate(world.staff("logistics"))
    body = TestPrintOrder().form_data(world.unit_a) | {field: bad}
    response = api.post(reverse("logistics-api:printorder-list"), body, format="json")
    assert response.status_code == 400 and field in response.data
    assert not PrintOrder.objects.exists()


def test_an_error_needs_its_description(api, world):
    api.force_authenticate(world.staff("logistics"))
    body = TestPrintOrder().form_data(world.unit_a) | {"errors": 1}
    response = api.post(reverse("logistics-api:printorder-list"), body, format="json")
    assert response.status_code == 400 and "error_note" in response.data


def test_year_figures_hand_computed(world):
    """2021: one order delivered, amount 10×20×0.5+20×2 = 140, cost 40 → profit 100.
    2022: two delivered, 140 (cost 20) and 280 (copies 40, cost 100) → output 420, profit 300;
    one not delivered (not counted) with 2 errors; growth (300 − 100) / 100 = 200 %."""
    a = world.unit_a
    PrintOrderFactory(unit=a, ordered_on=datetime.date(2021, 12, 20), delivered_on=datetime.date(2021, 12, 28), cost=40)
    PrintOrderFactory(unit=a, ordered_on=datetime.date(2021, 12, 30), delivered_on=datetime.date(2022, 1, 4), cost=20)
    PrintOrderFactory(
        unit=a, ordered_on=datetime.date(2022, 5, 6), delivered_on=datetime.date(2022, 5, 9), copies=40, cost=100
    )
    PrintOrderFactory(unit=a, ordered_on=datetime.date(2022, 12, 30), errors=2, error_note="页码错排")
    PrintOrderFactory(unit=world.unit_b, ordered_on=datetime.date(2022, 4, 1), delivered_on=datetime.date(2022, 4, 2))
    only_a = Unit.objects.filter(pk=a.pk)
    assert value("logistics.print_output_value", 2022, only_a) == 420.0
    assert value("logistics.print_profit_growth", 2022, only_a) == 200.0
    assert value("logistics.print_error_count", 2022, only_a) == 2
    assert value("logistics.print_profit_growth", 2021, only_a) is None  # no profit in 2020
    assert value("logistics.print_output_value", 2022, Unit.objects.all()) == 560.0
