"""The logistics sheets of the annual workbook: written for a scope, figures as the metrics."""

import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bureau.models import Unit
from bureau.reports import REGISTRY as SHEETS
from bureau.reports import build_workbook
from tests.logistics.factories import (
    BookingFactory,
    CanteenMonthFactory,
    CheckpointFactory,
    EventAssignmentFactory,
    EventFactory,
    PrintOrderFactory,
    RouteFactory,
    SaleFlatFactory,
    SurveyAnswerFactory,
    SurveyFactory,
    local,
)


@pytest.mark.django_db
def test_every_sheet_writes_for_the_scope(tmp_path, world):
    a, b = world.unit_a, world.unit_b
    BookingFactory(unit=a, state="served", start=local(2022, 3, 1, 9), end=local(2022, 3, 1, 11))
    BookingFactory(unit=b, state="served", start=local(2022, 3, 1, 9), end=local(2022, 3, 1, 11))
    event = EventFactory(
        unit=a, state="served", start=local(2022, 4, 1, 8), end=local(2022, 4, 1, 12), vehicles_needed=2
    )
    EventAssignmentFactory(event=event)
    EventAssignmentFactory(event=event)
    SurveyAnswerFactory(survey=SurveyFactory(year=2022), unit=a, score=2)
    CheckpointFactory(route=RouteFactory(unit=a))
    SaleFlatFactory()
    CanteenMonthFactory(unit=a, month=datetime.date(2022, 5, 1), meals=1000, food_waste_kg=Decimal("50"))
    PrintOrderFactory(unit=a, ordered_on=datetime.date(2022, 2, 1), delivered_on=datetime.date(2022, 2, 3), cost=40)
    sheets = [s for s in SHEETS.values() if s.area == "logistics"]
    assert {s.key for s in sheets} == {
        "logistics.venues",
        "logistics.events",
        "logistics.satisfaction",
        "logistics.ledgers",
        "logistics.sales",
        "logistics.canteen",
        "logistics.print",
    }
    path = tmp_path / "book.xlsx"
    build_workbook(path, 2022, Unit.objects.filter(pk=a.pk), sheets=sheets)
    book = load_workbook(path, read_only=True)
    venues = list(book["政务会议场所保障情况表"].iter_rows(values_only=True))
    assert [r[0] for r in venues[3:]] == ["甲单位", "合计"] and venues[-1][-1] == 100
    events = list(book["重大活动车辆应急服务情况表"].iter_rows(values_only=True))
    assert events[3][:4] == ("甲单位", 1, 2, 2)
    satisfaction = list(book["服务对象满意度调查情况表"].iter_rows(values_only=True))
    assert satisfaction[3][3:6] == (1, 0, 2) and satisfaction[3][8] == 1
    canteen = list(book["机关食堂运营情况表"].iter_rows(values_only=True))
    assert canteen[2] == ("2022-05", 1000, 0 + 180000, 50, 50)
    shop = list(book["文印中心经营情况表"].iter_rows(values_only=True))
    assert shop[4][:5] == ("2022-02", 1, 140, 40, 100)
