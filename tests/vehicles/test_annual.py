import datetime
from decimal import Decimal

import pytest

from bureau.models import Unit
from bureau.reports import REGISTRY as SHEETS
from bureau.reports import build_workbook
from bureau.requests import REGISTRY as KINDS
from tests.vehicles.factories import QuotaFactory, RunningCostFactory, VehicleFactory
from vehicles.models import RunningCost, Vehicle

KIND = KINDS["vehicles.annual"]


class Submission:
    """The two things a request kind reads from a submission."""

    def __init__(self, unit, period="2022"):
        self.unit, self.period = unit, period


def cleaned(unit, rows):
    out = []
    for row in rows:
        form = KIND.row_form(row, submission=Submission(unit))
        assert form.is_valid(), form.errors
        out.append(form.cleaned_data)
    return out


@pytest.mark.django_db
class TestAnnualReturn:
    @pytest.fixture
    def car(self, world):
        car = VehicleFactory(plate="鄂A20001", unit=world.unit_a)
        RunningCostFactory(vehicle=car, kind="fuel", amount=Decimal("500"))
        RunningCostFactory(vehicle=car, kind="fuel", amount=Decimal("700"))
        RunningCostFactory(vehicle=car, kind="toll", amount=Decimal("80"), date=datetime.date(2021, 5, 1))
        return car

    def test_initial_rows_list_the_fleet_with_its_costs(self, car, world):
        VehicleFactory(unit=world.unit_b)
        rows = KIND.initial_rows(world.unit_a, "2022")
        assert len(rows) == 1
        # 500 + 700 fuel in 2022; the 2021 toll is another year
        assert rows[0]["plate"] == "鄂A20001" and rows[0]["cost_fuel"] == "1200.00" and rows[0]["cost_toll"] == "0"

    def test_checks_flag_unknown_missing_and_over_quota(self, car, world):
        other = VehicleFactory(unit=world.unit_b, plate="鄂A20002")
        QuotaFactory(unit=world.unit_a, category="enforcement", approved=0, effective_from=datetime.date(2020, 1, 1))
        rows = cleaned(
            world.unit_a,
            [{"plate": other.plate, "category": "enforcement", "energy_type": "petrol", "status": "in_service"}],
        )
        flags = [f.as_dict() for check in KIND.checks for f in check(Submission(world.unit_a), rows)]
        assert {"message": "车牌号不在本单位车辆登记中。", "level": "error", "row": 1, "field": "plate"} in flags
        assert any("鄂A20001 未填报" in f["message"] for f in flags)
        assert any("超出编制 0 辆" in f["message"] for f in flags)

    def test_approval_updates_the_registry_and_costs_idempotently(self, car, world):
        row = {"plate": "鄂a20001", "category": "other", "energy_type": "petrol", "status": "in_service"}
        rows = cleaned(world.unit_a, [row | {"cost_fuel": "1500", "cost_insurance": "4000"}])
        KIND.on_approve(Submission(world.unit_a), rows)
        KIND.on_approve(Submission(world.unit_a), rows)  # approved again after a reopening
        car.refresh_from_db()
        assert car.category == "other"
        totals = {
            kind: sum(
                RunningCost.objects.filter(vehicle=car, date__year=2022, kind=kind).values_list("amount", flat=True)
            )
            for kind in ("fuel", "insurance")
        }
        # fuel: recorded 1200 + adjustment 300 = confirmed 1500; insurance: 0 + 4000
        assert totals == {"fuel": Decimal("1500"), "insurance": Decimal("4000")}
        assert RunningCost.objects.filter(vehicle=car, annual_return=2022).count() == 2


@pytest.mark.django_db
def test_every_sheet_writes_for_the_scope(tmp_path, world):
    from openpyxl import load_workbook

    VehicleFactory(unit=world.unit_a, energy_type="bev", displacement=None)
    VehicleFactory(unit=world.unit_b)
    sheets = [s for s in SHEETS.values() if s.area == "vehicles"]
    assert {s.key for s in sheets} == {
        "vehicles.fleet",
        "vehicles.quota",
        "vehicles.usage",
        "vehicles.support",
        "vehicles.inspection",
    }
    path = tmp_path / "book.xlsx"
    build_workbook(path, 2022, Unit.objects.filter(pk=world.unit_a.pk), sheets=sheets)
    book = load_workbook(path, read_only=True)
    fleet = list(book["公务用车配备情况表"].iter_rows(values_only=True))
    names = [r[0] for r in fleet]
    assert "甲单位" in names and "乙单位" not in names
    # unit a: one enforcement vehicle, new-energy → total 1, new-energy 1, 100 %
    assert fleet[-1][-3:] == (1, 1, 100)
    assert Vehicle.objects.count() == 2


@pytest.mark.django_db
def test_end_to_end_through_the_request_engine(world):
    from bureau import workflow
    from bureau.models import DataRequest, Submission

    car = VehicleFactory(plate="鄂A30001", unit=world.unit_a)
    RunningCostFactory(vehicle=car, kind="fuel", amount=Decimal("900"))
    VehicleFactory(unit=world.unit_b)
    staff = world.staff("vehicles")
    request = DataRequest.objects.create(
        kind="vehicles.annual", title="2022 年公务用车统计", year=2022, deadline="2023-01-31"
    )
    request.units.add(world.unit_a)
    workflow.publish(request, staff)
    sub = Submission.objects.get(request=request, unit=world.unit_a)
    assert [r["plate"] for r in sub.rows] == ["鄂A30001"] and sub.rows[0]["cost_fuel"] == "900.00"
    bad = [sub.rows[0] | {"cost_fuel": "-1"}]
    assert workflow.save_rows(sub, bad, world.liaison_a)[0][:2] == (1, "燃油费（元）")
    assert workflow.save_rows(sub, [sub.rows[0] | {"cost_fuel": "1000", "cost_toll": "50"}], world.liaison_a) == []
    workflow.submit(sub, world.liaison_a)
    assert RunningCost.objects.filter(annual_return=2022).count() == 0  # nothing changes before approval
    workflow.approve(sub, staff)
    # fuel 900 recorded + 100 adjustment = 1,000 confirmed; toll 0 + 50
    fuel = RunningCost.objects.filter(vehicle=car, kind="fuel").values_list("amount", flat=True)
    assert sorted(fuel) == [Decimal("100"), Decimal("900")]
    assert RunningCost.objects.get(vehicle=car, kind="toll").amount == Decimal("50")
