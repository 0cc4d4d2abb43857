"""Vehicles by Excel: the rows of one file count against their unit's quota together."""

import pytest

from bureau.imports.writing import import_registry
from tests.factories import xlsx
from tests.vehicles.factories import QuotaFactory, VehicleFactory, plate
from vehicles.choices import Category, EnergyType, Marking, Status
from vehicles.models import Vehicle
from vehicles.views import VehicleViews

pytestmark = pytest.mark.django_db

HEADER = [
    "车牌号", "使用单位", "车辆类别", "配备标准", "能源类型", "品牌型号", "排量（升）", "购置价（元）", "购置日期",
    "累计里程（公里）", "状态", "状态日期", "平台终端号", "标识喷涂", "超编审批文号",
]  # fmt: skip


def upload(rows):
    return xlsx([HEADER, *rows])


def row(unit, approval=None):
    return [str(cell) if cell is not None and not isinstance(cell, int) else cell for cell in [
        plate(), unit.name, Category.ENFORCEMENT.label, None, EnergyType.BEV.label, "比亚迪 汉 EV", None, 180000,
        "2022-03-01", 0, Status.IN_SERVICE.label, "2022-03-01", None, Marking.MARKED.label, approval,
    ]]  # fmt: skip


def test_new_vehicles_beyond_the_quota_are_named_and_nothing_is_saved(world):
    """Quota 3, one in service: two places left. Each of the three rows alone would fit."""
    QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=3)
    VehicleFactory(unit=world.unit_a, category=Category.ENFORCEMENT)
    rows = [row(world.unit_a) for _ in range(3)]
    created, errors = import_registry(VehicleViews, upload(rows), world.staff("vehicles"))
    assert not created and [(e.row, e.column) for e in errors] == [(4, "超编审批文号")]
    assert "已达编制数" in errors[0].message and world.unit_a.name in errors[0].message
    assert Vehicle.objects.count() == 1


def test_an_approval_reference_lets_a_vehicle_past_the_quota(world):
    QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=1)
    rows = [row(world.unit_a), row(world.unit_a, approval="X编〔2022〕9号")]
    created, errors = import_registry(VehicleViews, upload(rows), world.staff("vehicles"))
    assert not errors and len(created) == 2
