"""One way to write a figure: percentages with one decimal, thousands separators, a unit's fixed
decimals, "—" for no data; the same on a dashboard tile, a list cell and a detail page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.numbers import figure
from tests.offices.factories import RoomFactory
from tests.vehicles.factories import VehicleFactory
from vehicles.choices import EnergyType

YEAR = 2022


def test_figure_writes_each_unit_its_one_way():
    assert figure(Decimal("37.93"), "%") == "37.9%"
    assert figure(0.379, "0-1") == "37.9%"
    assert figure(Decimal("0.06"), "0-1") == "6.0%"
    assert figure(3490000, "辆") == "3,490,000"
    assert figure(Decimal("3490000"), "m²") == "3,490,000.00"
    assert figure(1234.5, "元") == "1,234.50"
    assert figure(Decimal("2.345"), "tce") == "2.35"
    assert figure(None, "%") == figure("", "m²") == "—"


def cell(body, cls, text):
    return re.search(rf'<td class="{cls}">\s*{re.escape(text)}\s*</td>', body)


def tile(body, key):
    return re.search(rf'data-metric="{key}".*?<span class="tile-value">(.*?)</span>', body, re.S).group(1).strip()


@pytest.mark.django_db
def test_tile_list_and_detail_write_figures_alike(client, world):
    electric = VehicleFactory(
        unit=world.unit_a, energy_type=EnergyType.BEV, displacement=None, purchase_price=Decimal("3490000")
    )
    VehicleFactory.create_batch(2, unit=world.unit_a)
    client.force_login(world.leader)
    home = client.get(reverse("home"), {"year": YEAR}).content.decode()
    assert tile(home, "vehicles.nev_share") == "33.3%"  # 1 of 3, not "33.33 %"
    # A share with no vehicles bought that year is "—", with no unit after it.
    assert tile(home, "vehicles.nev_share_of_purchases") == "—"

    room = RoomFactory(unit=world.unit_a, usable_area=Decimal("3490000"))
    client.force_login(world.admin)
    listing = client.get(reverse("offices:room_list")).content.decode()
    assert cell(listing, "num", "3,490,000.00"), "a large area right-aligned with separators"
    detail = client.get(room.get_absolute_url()).content.decode()
    assert "<dd>3,490,000.00</dd>" in detail
    page = client.get(electric.get_absolute_url()).content.decode()
    assert "<dd>3,490,000.00</dd>" in page  # 购置价格（元）
    assert "<dd>—</dd>" in page  # an electric car's displacement
