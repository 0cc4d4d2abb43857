"""Every energy registry gets the core's page, API, scoping and audit tests."""

import pytest

from energy.choices import AuditState, CreationState, FlagCheck, InspectionResult, InspectionTopic, Item, RetrofitKind
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    Factor,
    FactorSet,
    Inspection,
    Profile,
    Retrofit,
    Target,
    VerificationFlag,
)
from tests.base import ModelTests
from tests.energy import factories as f
from tests.html import page_form


class TestFactorSet(ModelTests):
    model = FactorSet
    edit = {"source": "GB/T 2589-2020 修订"}

    def make(self, unit):
        return f.FactorSetFactory()

    def form_data(self, unit):
        return {
            "name": f"新系数集{unit.pk}-{FactorSet.objects.count()}",
            "year": 2024,
            "source": "GB/T 2589",
            "active": "on",
        }

    def api_data(self, unit):
        return {"name": f"新系数集{unit.pk}", "year": 2024, "source": "GB/T 2589", "active": True}


class TestFactor(ModelTests):
    model = Factor
    edit = {"coal": "0.123000"}

    def make(self, unit):
        return f.FactorFactory()

    def form_data(self, unit):
        self._set = getattr(self, "_set", None) or f.FactorSetFactory()
        return {"factor_set": self._set.pk, "item": Item.DIESEL, "coal": "1.4571", "co2": "3.096", "density": "0.84"}

    api_data = form_data


class TestTarget(ModelTests):
    model = Target
    edit = {"value": "-0.0600"}

    def make(self, unit):
        return f.TargetFactory()

    def form_data(self, unit):
        return {"key": "kgce_per_person", "base_year": 2020, "target_year": 2099, "value": "-0.06", "source": "测试"}

    api_data = form_data

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("kgce_per_m2", "-5", "下降 5% 填 -0.05"),
            ("kgce_per_m2", "-1", "下降 5% 填 -0.05"),
            ("kgce_per_m2", "0.05", "下降 5% 填 -0.05"),
            ("conservation_share", "-0.8", "0 至 1"),
            ("conservation_share", "1.5", "0 至 1"),
        ],
    )
    def test_a_target_no_plan_can_set_is_refused(self, client, api, world, key, value, message):
        """A change is a fall below 100% (−0.05 is −5%); a share lies between 0 and 1."""
        obj = self.make(world.unit_a)
        client.force_login(world.admin)
        api.force_authenticate(world.admin)
        url = self.url("edit", obj)
        response = client.post(url, page_form(client.get(url)) | {"key": [key], "value": [value]})
        assert response.status_code == 400
        assert message in str(response.context["form"].errors["value"])
        body = {"key": key, "value": value, "version": obj.version}
        response = api.patch(self.api_url(obj), body, format="json")
        assert response.status_code == 400 and list(response.data) == ["value"], response.data
        assert Target.objects.filter(pk=obj.pk, version=obj.version).exists()


class TestProfile(ModelTests):
    model = Profile
    edit = {"people": 321}

    def make(self, unit):
        return f.ProfileFactory(unit=unit)

    def form_data(self, unit):
        return {"unit": unit.pk, "year": 2099, "floor_area": "8000.00", "heated_area": "6000.00", "people": 150}

    api_data = form_data


class TestConsumption(ModelTests):
    model = Consumption
    edit = {"quantity": "12000.000"}

    def make(self, unit):
        return f.ConsumptionFactory(unit=unit)

    def form_data(self, unit):
        return {"unit": unit.pk, "period": "2099-03", "item": Item.ELECTRICITY, "quantity": "10000", "cost": "8000"}

    api_data = form_data


class TestVerificationFlag(ModelTests):
    model = VerificationFlag
    edit = {"note": "经核实为新增机房用电，数据无误。"}

    def make(self, unit):
        return f.VerificationFlagFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "year": 2099,
            "kind": FlagCheck.YOY,
            "message": "同比上升 30%",
            "resolved": "on",
            "note": "已核实",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"resolved": True}


class TestEnergyAudit(ModelTests):
    model = EnergyAudit
    edit = {"auditor": "另一审计机构"}

    def make(self, unit):
        return f.EnergyAuditFactory(unit=unit)

    def form_data(self, unit):
        return {"unit": unit.pk, "year": 2022, "auditor": "某节能中心", "state": AuditState.AUDITING}

    api_data = form_data


class TestConservationOrgan(ModelTests):
    model = ConservationOrgan
    edit = {"evidence": "节能管理制度文件"}

    def make(self, unit):
        return f.ConservationOrganFactory(unit=unit)

    def form_data(self, unit):
        return {"unit": unit.pk, "year": 2099, "energy_posts": "on", "state": CreationState.PLANNED}

    def api_data(self, unit):
        return {"unit": unit.pk, "year": 2099, "energy_posts": True, "state": CreationState.PLANNED}


class TestRetrofit(ModelTests):
    model = Retrofit
    edit = {"name": "空调系统改造"}

    def make(self, unit):
        return f.RetrofitFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "name": "合同能源管理照明改造",
            "kind": RetrofitKind.EMC,
            "emc_mode": "sharing",
            "investment": "300000",
            "start_year": 2022,
            "expected_tce": "10",
            "expected_co2_t": "25",
            "state": "planned",
        }

    api_data = form_data


class TestInspection(ModelTests):
    model = Inspection
    edit = {"inspector": "王五"}

    def make(self, unit):
        return f.InspectionFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "topic": InspectionTopic.FOOD,
            "date": "2022-07-01",
            "inspector": "张三",
            "result": InspectionResult.RECTIFY,
            "findings": "食堂剩菜较多",
        }

    api_data = form_data


def test_consumption_import_checks_clashes_for_the_whole_file(world):
    """One query a file, not a row, for the unit-period-item clash; a clash still names its row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bureau.imports.writing import import_registry
    from energy.models import Consumption
    from energy.views import ConsumptionViews
    from tests.factories import xlsx

    header = ["单位", "期间", "品种", "实物量", "计量单位", "金额（元）"]

    def upload(rows):
        return xlsx([header, *rows])

    def run(year, n):
        rows = [[world.unit_a.name, f"{year + i // 12}-{i % 12 + 1:02d}", "电", 1000, "kWh", 800] for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            created, errors = import_registry(ConsumptionViews, upload(rows), world.staff("energy"))
        assert not errors and len(created) == n
        return len(queries)

    run(2001, 2)  # warm the per-process caches
    assert run(2003, 5) == run(2010, 48)
    rows = [[world.unit_a.name, "2003-01", "电", 5, "kWh", 4]]
    created, errors = import_registry(ConsumptionViews, upload(rows), world.staff("energy"))
    assert not created and [(e.row, e.column) for e in errors] == [(2, "品种")]
    assert Consumption.objects.filter(year=2003, month=1).get().quantity == 1000


def test_only_the_energy_division_rules_whether_an_organ_made_the_grade(api, world):
    """A unit plans and applies (计划创建 → 已申报); 已达标 / 未达标 is the division's ruling."""
    from energy.choices import CreationState
    from energy.models import ConservationOrgan
    from tests.energy.factories import ConservationOrganFactory

    url = "/api/v1/energy/conservation-organs/"
    criteria = dict.fromkeys(ConservationOrgan.CRITERIA, True)  # the grade is met: only the ruling is missing
    organ = ConservationOrganFactory(unit=world.unit_a, year=2022, state=CreationState.PLANNED, **criteria)
    detail = f"{url}{organ.pk}/"
    api.force_authenticate(world.liaison_a)
    response = api.patch(detail, {"state": CreationState.APPLIED, "version": organ.version}, format="json")
    assert response.status_code == 200, response.data
    response = api.patch(detail, {"state": CreationState.CREATED, "version": response.data["version"]}, format="json")
    assert response.status_code == 400 and list(response.data) == ["state"]
    created = {"unit": world.unit_a.pk, "year": 2023, "state": CreationState.CREATED, **criteria}
    assert api.post(url, created, format="json").status_code == 400
    api.force_authenticate(world.staff("energy"))
    organ.refresh_from_db()
    response = api.patch(detail, {"state": CreationState.CREATED, "version": organ.version}, format="json")
    assert response.status_code == 200, response.data
    api.force_authenticate(world.liaison_a)
    response = api.patch(detail, {"state": CreationState.APPLIED, "version": response.data["version"]}, format="json")
    assert response.status_code == 400  # nor undo it
    organ.refresh_from_db()
    assert organ.state == CreationState.CREATED


def test_the_organ_form_refuses_a_units_own_ruling(client, world):
    from energy.choices import CreationState
    from energy.forms import ConservationOrganForm
    from energy.models import ConservationOrgan

    data = {"unit": world.unit_a.pk, "year": 2022, "state": CreationState.CREATED}
    data |= dict.fromkeys(ConservationOrgan.CRITERIA, "on")
    form = ConservationOrganForm(data, user=world.liaison_a)
    assert not form.is_valid() and list(form.errors) == ["state"]
    assert ConservationOrganForm(data | {"state": CreationState.APPLIED}, user=world.liaison_a).is_valid()
    assert ConservationOrganForm(data, user=world.staff("energy")).is_valid()
