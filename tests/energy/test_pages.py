"""The figures, verification and recompute pages, profile pre-fill and warnings, the API's period,
and the report sheets — each for staff and against another unit's liaison."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bureau.models import AuditEntry, Unit
from bureau.reports import REGISTRY as SHEETS
from bureau.reports import build_workbook
from energy.choices import Item
from energy.forms import ProfileForm
from energy.models import Consumption, FactorSet, VerificationFlag
from tests.energy.factories import FactorFactory, FactorSetFactory, VerificationFlagFactory
from tests.energy.helpers import fill, profile
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    profile(world.unit_a, 2022, "1000", 50)
    profile(world.unit_b, 2022, "3000", 150)
    fill(world.unit_a, 2022, 10000)
    fill(world.unit_b, 2022, 20000)
    fill(world.unit_a, 2021, 10000)
    return world


def test_overview_for_staff_shows_city_figures_and_targets(client, data):
    client.force_login(data.staff("energy"))
    body = client.get(reverse("energy:overview"), {"year": 2022}).content.decode()
    assert "44.24" in body  # 44,244 kgce = 44.24 tce
    assert "11.06" in body  # 44,244 / 4,000 m²
    assert "单位建筑面积能耗" in body and "-5.0%" in body  # the 十四五 target
    assert "节约型机关创建比例" in body and "≥ 80.0%" in body
    assert "甲单位" in body and "乙单位" in body


def test_overview_for_a_liaison_is_their_unit_only(client, data):
    client.force_login(data.liaison_a)
    body = client.get(reverse("energy:overview"), {"year": 2022}).content.decode()
    assert "14.75" in body and "乙单位" not in body
    assert client.get(reverse("energy:overview"), {"unit": data.unit_b.pk}).status_code == 404


def test_verification_page_and_running_the_checks(client, data):
    VerificationFlagFactory(unit=data.unit_b, year=2022, message="乙单位的提示")
    client.force_login(data.liaison_a)
    body = client.get(reverse("energy:verification"), {"year": 2022}).content.decode()
    assert "乙单位的提示" not in body
    assert client.post(reverse("energy:run_checks"), {"year": 2022}).status_code == 403
    client.force_login(data.staff("energy"))
    response = client.post(reverse("energy:run_checks"), {"year": 2021})
    assert response.status_code == 302
    # 2021: B reported nothing (12 missing months); A is complete but repeats the same figure.
    assert VerificationFlag.objects.filter(year=2021, unit=data.unit_b, kind="missing_month").exists()
    body = client.get(reverse("energy:verification"), {"year": 2021}).content.decode()
    assert "随机抽查名单" in body and "缺少 1、2、3" in body


def test_recompute_is_staff_only_and_logged(client, data):
    newer = FactorSetFactory(year=2022)
    FactorFactory(factor_set=newer, item=Item.ELECTRICITY, coal=Decimal("0.2"), co2=Decimal("0.5"))
    url = reverse("energy:recompute", args=[newer.pk])
    client.force_login(data.liaison_a)
    assert client.post(url, {"year": 2022}).status_code == 403
    assert Consumption.objects.filter(factor_set=newer).count() == 0
    client.force_login(data.staff("energy"))
    assert client.post(url, {"year": 2022}).status_code == 302
    assert Consumption.objects.filter(factor_set=newer).count() == 24
    assert AuditEntry.objects.filter(action="action", username="staff_energy").exists()


def test_factor_set_page_warns_of_missing_coefficients(client, world):
    client.force_login(world.admin)
    seeded = FactorSet.objects.get(name="2022 年度系数")
    body = client.get(seeded.get_absolute_url()).content.decode()
    assert "人工煤气" in body  # DOMAIN.md gives no coefficient for town gas
    assert "按此系数集重新计算" not in body  # the admin edits factors; recomputing is the energy staff's act


def test_profile_prefills_people_and_warns_on_difference(client, world):
    for _ in range(3):
        PersonFactory(unit=world.unit_a)
    form = ProfileForm({"unit": world.unit_a.pk, "year": 2022, "floor_area": "1000"}, user=world.liaison_a)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.people == 3
    missing_area = ProfileForm({"unit": world.unit_a.pk, "year": 2023, "people": 4}, user=world.liaison_a)
    assert not missing_area.is_valid() and "floor_area" in missing_area.errors  # no office registry yet
    saved.people = 5
    saved.save()
    client.force_login(world.liaison_a)
    body = client.get(saved.get_absolute_url()).content.decode()
    assert "用能人数：填报 5，登记 3" in body


def test_liaison_cannot_file_a_profile_for_another_unit(world):
    form = ProfileForm({"unit": world.unit_b.pk, "year": 2022, "floor_area": "1", "people": 1}, user=world.liaison_a)
    assert not form.is_valid() and "unit" in form.errors


def test_api_consumption_period(api, world):
    api.force_authenticate(world.staff("energy"))
    url = reverse("energy-api:consumption-list")
    bad = api.post(
        url, {"unit": world.unit_a.pk, "period": "2022-13", "item": "electricity", "quantity": "1"}, format="json"
    )
    assert bad.status_code == 400 and "period" in bad.data
    negative = api.post(
        url, {"unit": world.unit_a.pk, "period": "2022-03", "item": "water", "quantity": "-1"}, format="json"
    )
    assert negative.status_code == 400 and "quantity" in negative.data
    ok = api.post(
        url, {"unit": world.unit_a.pk, "period": "2022-03", "item": "electricity", "quantity": "10000"}, format="json"
    )
    assert ok.status_code == 201, ok.data
    assert (ok.data["period"], ok.data["kgce"], ok.data["measure"]) == ("2022-03", "1229.000", "kWh")
    again = api.post(
        url, {"unit": world.unit_a.pk, "period": "2022-03", "item": "electricity", "quantity": "1"}, format="json"
    )
    assert again.status_code == 400 and "item" in again.data
    listed = api.get(url, {"period": "2022-03"}).data["results"]
    assert [r["id"] for r in listed] == [ok.data["id"]]
    # str.isdigit() takes "²", which int() refuses: such a period finds nothing, it is no 500.
    for period in ("²-3", "2022-²", "٢٠٢٢-03"):
        response = api.get(url, {"period": period})
        assert response.status_code == 200 and response.data["results"] == []


def test_pages_take_a_superscript_year_or_unit_as_none(client, data):
    client.force_login(data.staff("energy"))
    assert client.get(reverse("energy:overview"), {"year": "²", "unit": "²"}).status_code == 200
    client.force_login(data.staff("vehicles"))
    assert client.get(reverse("vehicles:usage"), {"year": "²"}).status_code == 200


def test_api_factor_sets_carry_their_factors(api, world):
    api.force_authenticate(world.leader)
    rows = api.get(reverse("energy-api:factorset-list")).data["results"]
    seeded = next(r for r in rows if r["name"] == "2022 年度系数")
    assert {"item": "electricity", "coal": "0.122900"}.items() <= next(
        f for f in seeded["factors"] if f["item"] == "electricity"
    ).items()


def test_report_sheets(tmp_path, data):
    path = tmp_path / "energy.xlsx"
    sheets = [s for s in SHEETS.values() if s.area == "energy"]
    build_workbook(path, 2022, Unit.objects.all(), sheets=sheets)
    wb = load_workbook(path, read_only=True)
    table = list(wb["公共机构能源资源消费统计表"].iter_rows(values_only=True))
    header = table[2]
    a = next(r for r in table if r[0] == "甲单位")
    assert a[header.index("电（kWh）")] == 120000
    assert a[header.index("综合能耗（tce）")] == 14.748  # 12 x 1,229 kgce
    assert table[-1][header.index("综合能耗（tce）")] == 44.244
    summary = list(wb["公共机构能耗汇总表"].iter_rows(values_only=True))
    assert ("单位建筑面积能耗（kgce/m²）", 11.061) in summary  # no YoY: no floor area reported for 2021
    assert ("综合能耗（tce）", 44.244, 2) in summary  # (44,244 - 14,748) / 14,748 = +200%
    assert len(list(wb["节能低碳改造及合同能源管理项目表"].iter_rows())) == 3  # title, header, total


def test_report_sheets_keep_to_the_scope(tmp_path, data):
    path = tmp_path / "a.xlsx"
    scope = Unit.objects.for_user(data.liaison_a, "view")
    build_workbook(path, 2022, scope, sheets=[SHEETS["energy.consumption"]])
    names = [
        r[0] for r in load_workbook(path, read_only=True)["公共机构能源资源消费统计表"].iter_rows(values_only=True)
    ]
    assert "甲单位" in names and "乙单位" not in names


def test_export_of_consumption_reads_back(client, data):
    client.force_login(data.staff("energy"))
    response = client.get(reverse("energy:consumption_export"), {"period": "2022-01"})
    rows = list(
        load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 2  # header, one January row per unit
