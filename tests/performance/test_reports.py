import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bureau.models import Unit
from bureau.reports import REGISTRY, build_workbook
from tests.performance.factories import IndicatorFactory, ItemFactory, PlanFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db


def test_the_plan_sheets_of_the_annual_workbook(tmp_path):
    plan = PlanFactory(year=2022)
    done = ItemFactory(parent__plan=plan, division="offices", deadline=datetime.date(2022, 6, 30))
    ItemFactory(parent__plan=plan, division="energy", deadline=datetime.date(2022, 6, 30), text="2.节能改造。\n")
    ProgressReportFactory(item=done, period="2022-06", percent=100)
    IndicatorFactory(item=done, label="盘活闲置房产", target=Decimal("5000"), manual_value=Decimal("5200"))
    path = tmp_path / "annual.xlsx"
    sheets = [REGISTRY["performance.projects"], REGISTRY["performance.indicators"]]
    build_workbook(path, 2022, Unit.objects.all(), sheets=sheets)
    book = load_workbook(path, read_only=True)
    projects = list(book.worksheets[2].iter_rows(values_only=True))
    assert [r[:8] for r in projects[2:4]] == [
        ("一.1", "扎实推进党的政治建设", "办公用房处", None, datetime.datetime(2022, 6, 30), 100, "2022-06", "绿"),
        ("一.1", "节能改造", "节能处", None, datetime.datetime(2022, 6, 30), 0, None, "红"),
    ]
    assert projects[-1][:2] == ("合计", "绿 1、黄 0、红 1")
    indicators = list(book.worksheets[3].iter_rows(values_only=True))
    assert indicators[2] == ("一.1", "盘活闲置房产", "≥ 不低于", 5000, "m²", "手工填报", 5200, "绿：已达标")
