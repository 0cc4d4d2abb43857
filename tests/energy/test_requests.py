"""The "energy.consumption" request kind: row validation, checks and idempotent approval."""

import datetime
from decimal import Decimal

import pytest
from django import forms

from bureau.models import DataRequest, Submission
from bureau.requests import REGISTRY
from energy.choices import Item
from energy.models import Consumption, MonthlyRollup
from energy.requests import (
    ConsumptionRow,
    check_missing_months,
    check_peers,
    duplicate_errors,
    period_months,
    prefill,
    write_consumption,
)
from tests.energy.helpers import fill, profile
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
KIND = REGISTRY["energy.consumption"]


def submission(unit, period="2022-Q1"):
    request = DataRequest.objects.create(
        kind="energy.consumption", title="2022 年能耗统计", year=2022, frequency="quarterly", deadline="2022-04-15"
    )
    return Submission.objects.create(request=request, unit=unit, period=period, deadline=datetime.date(2022, 4, 15))


def clean_rows(sub, raw):
    rows = []
    for data in raw:
        form = ConsumptionRow(data, submission=sub)
        assert form.is_valid(), form.errors
        rows.append(form.cleaned_data)
    return rows


def q1(kwh=(10000, 11000, 12000)):
    return [
        {"month": m, "item": "electricity", "quantity": str(k), "cost": "8000"}
        for m, k in zip((1, 2, 3), kwh, strict=True)
    ]


def test_periods():
    assert period_months("2022") == (2022, list(range(1, 13)))
    assert period_months("2022-Q2") == (2022, [4, 5, 6])
    assert period_months("2022-03") == (2022, [3])
    with pytest.raises(ValueError):
        period_months("2022-13")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": 1, "item": "electricity", "quantity": "-5"}, "quantity", "实物量不能为负数。"),
        ({"month": 1, "item": "firewood", "quantity": "5"}, "item", "未知品种“firewood”"),
        ({"month": 4, "item": "electricity", "quantity": "5"}, "month", "4 月不在本次填报期间 2022-Q1 内。"),
        ({"month": 1, "item": "electricity", "quantity": "5", "measure": "L"}, "measure", "电的计量单位只能是 kWh。"),
        ({"month": 1, "item": "water", "quantity": "5", "cost": "-1"}, "cost", "金额不能为负数。"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(world, data, field, message):
    form = ConsumptionRow(data, submission=submission(world.unit_a))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_litres_are_accepted_for_fuels(world):
    form = ConsumptionRow(
        {"month": 2, "item": "diesel", "quantity": "200", "measure": "L"}, submission=submission(world.unit_a)
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["measure"], form.cleaned_data["cost"]) == ("L", 0)


def test_duplicate_month_and_item_is_refused_with_its_row(world):
    sub = submission(world.unit_a)
    rows = clean_rows(sub, [*q1(), {"month": 2, "item": "electricity", "quantity": "1"}])
    assert duplicate_errors(rows) == [(4, "item", "2 月的电重复填报。")]
    assert ConsumptionRow.clean_rows(sub, rows) == [(4, "品种", "2 月的电重复填报。")]
    with pytest.raises(forms.ValidationError, match="第 4 行"):
        write_consumption(sub, rows)
    assert not Consumption.objects.exists()


def test_approval_writes_rows_and_rollups_idempotently(world):
    sub = submission(world.unit_a)
    rows = clean_rows(sub, [*q1(), {"month": 1, "item": "water", "quantity": "300"}])
    write_consumption(sub, rows)
    write_consumption(sub, rows)  # approved again after a reopening: same result
    assert Consumption.objects.filter(unit=world.unit_a).count() == 4
    jan = MonthlyRollup.objects.get(unit=world.unit_a, year=2022, month=1)
    # 10,000 kWh x 0.1229 = 1,229 kgce; water 300 t; cost 8,000 (electricity) + 0 (water)
    assert (jan.kgce, jan.water_t, jan.cost) == (Decimal("1229.000"), Decimal("300.000"), Decimal("8000.00"))
    write_consumption(sub, clean_rows(sub, q1((10000, 11000, 0))))  # water dropped, March corrected
    assert not Consumption.objects.filter(item=Item.WATER).exists()
    assert MonthlyRollup.objects.get(unit=world.unit_a, year=2022, month=3).kgce == 0


def test_approval_leaves_other_units_and_periods_alone(world):
    fill(world.unit_b, 2022, 500)
    fill(world.unit_a, 2022, 500, months=[4, 5])
    sub = submission(world.unit_a)
    write_consumption(sub, clean_rows(sub, q1()))
    assert Consumption.objects.filter(unit=world.unit_b).count() == 12
    assert Consumption.objects.filter(unit=world.unit_a, month__in=[4, 5]).count() == 2


def test_checks_flag_gaps_repeats_and_yoy(world):
    fill(world.unit_a, 2021, 10000, months=[1, 2, 3])
    sub = submission(world.unit_a)
    rows = clean_rows(sub, [*q1((13000, 13000, 13000))[:2], {"month": 3, "item": "water", "quantity": "5"}])
    messages = [f.message for check in KIND.checks for f in check(sub, rows)]
    assert "缺少 3 月的数据。" not in messages  # March has water
    rows = clean_rows(sub, q1((13000, 13000, 13000)))
    messages = [f.message for check in KIND.checks for f in check(sub, rows)]
    assert "电 1–3 月连续填报相同数量 13000。" in messages
    # 3 x 13,000 x 0.1229 = 4,793.1 kgce against 3 x 1,229 = 3,687 kgce: +30.0%
    assert "综合能耗同比变化 +30.0%，超过 ±20%。" in messages
    two_months = clean_rows(sub, q1()[:2])
    assert "缺少 3 月的数据。" in [f.message for f in check_missing_months(sub, two_months)]


def test_checks_stay_quiet_on_clean_rows(world):
    fill(world.unit_a, 2021, {1: 10000, 2: 10500, 3: 11000}, months=[1, 2, 3])
    sub = submission(world.unit_a)
    assert [f for check in KIND.checks for f in check(sub, clean_rows(sub, q1()))] == []


def test_template_rows_cover_every_item_of_every_month(world):
    rows = prefill(world.unit_a, "2022-Q1")
    assert len(rows) == 3 * len(Item)
    assert rows[0] == {"month": 1, "item": "electricity", "quantity": None, "measure": "kWh", "cost": None}


def test_peer_check_compares_the_annualised_intensity_with_last_year(world):
    peers = [UnitFactory() for _ in range(5)]
    for u in peers:
        profile(u, 2021, "1000", 40)
        fill(u, 2021, {m: 10000 + m for m in range(1, 13)})  # about 14.76 kgce/m² a year
    profile(world.unit_a, 2022, "1000", 40)
    sub = submission(world.unit_a)
    heavy = clean_rows(sub, q1((40000, 41000, 42000)))
    # (40,000 + 41,000 + 42,000) x 0.1229 x 12 / 3 / 1,000 m² = 60.47 kgce/m², four times the median
    messages = [f.message for f in check_peers(sub, heavy)]
    assert messages == ["折合全年单位建筑面积能耗 60.47 kgce/m²，同类单位上年中位数 14.76。"]
    assert list(check_peers(sub, clean_rows(sub, q1()))) == []


def test_blank_template_rows_are_items_not_used(world):
    sub = submission(world.unit_a)
    rows = clean_rows(sub, [*q1(), {"month": 1, "item": "coal", "quantity": ""}, {"month": 1, "item": "coal"}])
    assert ConsumptionRow.clean_rows(sub, rows) == []  # two empty coal lines are not a duplicate
    write_consumption(sub, rows)
    assert not Consumption.objects.filter(item=Item.COAL).exists()


def test_end_to_end_through_the_data_request_engine(world):
    from bureau import workflow
    from bureau.metrics import REGISTRY as METRICS
    from bureau.models import Unit

    staff = world.staff("energy")
    request = DataRequest.objects.create(
        kind="energy.consumption", title="2022 年一季度能耗", year=2022, frequency="quarterly", deadline="2022-04-15"
    )
    request.units.add(world.unit_a)
    workflow.publish(request, staff)
    sub = Submission.objects.get(request=request, unit=world.unit_a, period="2022-Q1")
    assert len(sub.rows) == 3 * len(Item)  # the template: every item of every month
    assert workflow.save_rows(sub, [*q1(), {"month": 3, "item": "electricity", "quantity": "1"}], world.liaison_a) == [
        (4, "品种", "3 月的电重复填报。")
    ]
    assert workflow.save_rows(sub, [*q1(), {"month": 4, "item": "water", "quantity": "1"}], world.liaison_a)[0][:2] == (
        4,
        "月份",
    )
    rows = [*q1(), {"month": 1, "item": "water", "quantity": "-3"}]
    assert workflow.save_rows(sub, rows, world.liaison_a) == [(4, "实物量", "实物量不能为负数。")]
    assert workflow.save_rows(sub, q1(), world.liaison_a) == []
    workflow.submit(sub, world.liaison_a)
    assert Consumption.objects.count() == 0  # nothing counts before approval
    workflow.approve(sub, staff)
    # 10,000 + 11,000 + 12,000 kWh = 33,000 kWh x 0.1229 = 4,055.7 kgce
    assert METRICS["energy.tce"].func(2022, Unit.objects.all()) == Decimal("4.0557")
    workflow.reopen(sub, staff, "三月电量有误")
    workflow.save_rows(sub, q1((10000, 11000, 2000)), world.liaison_a)
    workflow.submit(sub, world.liaison_a)
    workflow.approve(sub, staff)
    # 23,000 kWh x 0.1229 = 2,826.7 kgce: the re-approval replaced the quarter
    assert METRICS["energy.tce"].func(2022, Unit.objects.all()) == Decimal("2.8267")
    assert Consumption.objects.count() == 3
