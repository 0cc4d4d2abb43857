"""The generic page, API, permission and audit tests for every offices model (tests/base.py)."""

import datetime
import itertools

from bureau.choices import Rank
from offices.choices import BuildingStatus, RepairKind, RepairState, RoomCategory, RoomKind, Structure, TitleState
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Policy,
    RankLimit,
    Reconciliation,
    RepairProject,
    Revitalisation,
    Room,
    Site,
    Standard,
)
from tests.base import ModelTests
from tests.factories import PersonFactory
from tests.offices.factories import (
    AllocationFactory,
    BuildingFactory,
    FlatFactory,
    FloorFactory,
    LeaseFactory,
    ReconciliationFactory,
    RepairProjectFactory,
    RevitalisationFactory,
    RoomFactory,
    SiteFactory,
)

_n = itertools.count(1)


class TestStandard(ModelTests):
    model = Standard
    edit = {"name": "修订标准"}

    def make(self, unit):
        return Standard.objects.create(
            name="标准",
            document="文号",
            level="市级",
            effective_from=datetime.date(2030, 1, 1) + datetime.timedelta(next(_n)),
        )

    def form_data(self, unit):
        day = datetime.date(2040, 1, 1) + datetime.timedelta(next(_n))
        return {"name": "新标准", "document": "发改投资〔2030〕1号", "level": "市级", "effective_from": day.isoformat()}


class TestRankLimit(ModelTests):
    model = RankLimit
    edit = {"limit_area": "12.00"}

    def standard(self):
        return TestStandard().make(None)

    def make(self, unit):
        return RankLimit.objects.create(standard=self.standard(), rank=Rank.BELOW_BUREAU, limit_area=9)

    def form_data(self, unit):
        return {"standard": self.standard().pk, "rank": Rank.BELOW_BUREAU, "limit_area": "9.00"}


class TestPolicy(ModelTests):
    model = Policy
    edit = {"turnover_eligible_years": 3}

    def make(self, unit):
        return Policy.objects.create(year=2100 + next(_n), idle_target_area=5000, turnover_eligible_years=5)

    def form_data(self, unit):
        return {"year": 2500 + next(_n), "idle_target_area": "5000", "turnover_eligible_years": 5}


class TestSite(ModelTests):
    model = Site
    edit = {"address": "新地址"}

    def make(self, unit):
        return SiteFactory()

    def form_data(self, unit):
        return {"name": f"新院落{next(_n)}", "address": "X市江汉区解放大道 8 号", "land_area": "12000"}


class TestBuilding(ModelTests):
    model = Building
    edit = {"name": "新楼名"}

    def make(self, unit):
        return BuildingFactory(unit=unit)

    def form_data(self, unit):
        return {
            "code": f"NEW{next(_n):05d}",
            "name": "综合楼",
            "address": "X市江岸区沿江大道 2 号",
            "year_built": 1998,
            "structure": Structure.FRAME,
            "floor_area": "8000.00",
            "unit": unit.pk,
            "status": BuildingStatus.IN_USE,
            "title_state": TitleState.REGISTERED,
            "certificate_no": "鄂(2020)X市不动产权第0001号",
            "registered_owner": "X市机关事务管理局",
        }


class TestFloor(ModelTests):
    model = Floor
    edit = {"name": "三楼"}

    def make(self, unit):
        return FloorFactory(building=BuildingFactory(unit=unit))

    def form_data(self, unit):
        return {"building": BuildingFactory(unit=unit).pk, "level": 3, "name": "3F"}


class TestRoom(ModelTests):
    model = Room
    edit = {"usable_area": "20.00"}

    def make(self, unit):
        return RoomFactory(unit=unit)

    def form_data(self, unit):
        return self.api_data(unit, by_level=True)

    def api_data(self, unit, by_level=False):
        building = BuildingFactory(unit=unit)
        floor = FloorFactory(building=building)
        return {
            "building": building.pk,
            **({"floor_level": floor.level} if by_level else {"floor": floor.pk}),
            "number": "301",
            "category": RoomCategory.OFFICE,
            "kind": RoomKind.OFFICE,
            "usable_area": "18.00",
            "unit": unit.pk,
        }


class TestAllocation(ModelTests):
    model = Allocation
    edit = {"document_no": "X机管〔2022〕99号"}

    def make(self, unit):
        return AllocationFactory(unit=unit)

    def form_data(self, unit):
        return {
            "kind": "allocate",
            "unit": unit.pk,
            "total_area": "120.00",
            "document_no": "X机管〔2022〕12号",
            "approved_on": "2022-03-01",
            "effective_on": "2022-03-10",
            "rooms": [],
        }


class TestRepairProject(ModelTests):
    model = RepairProject
    edit = {"title": "外墙维修"}

    def make(self, unit):
        return RepairProjectFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "building": BuildingFactory(unit=unit).pk,
            "year": 2022,
            "kind": RepairKind.MAJOR,
            "title": "综合楼大修",
            "scope": "结构加固、机电更新",
            "added_floor_area": "100.00",
            "requested_amount": "2000000.00",
            "state": RepairState.APPLIED,
        }


class TestRevitalisation(ModelTests):
    model = Revitalisation
    edit = {"operator": "X市国资运营公司"}

    def make(self, unit):
        return RevitalisationFactory(building=BuildingFactory(unit=unit))

    def form_data(self, unit):
        return {
            "building": BuildingFactory(unit=unit, status=BuildingStatus.IDLE).pk,
            "operator": "X市城市更新集团",
            "contract_no": "HT-2022-9",
            "revitalised_area": "800.00",
            "start": "2022-06-01",
            "end": "2032-05-31",
            "annual_revenue": "150000.00",
        }


class TestFlat(ModelTests):
    model = Flat
    edit = {"address": "X市洪山区周转公寓 5 栋"}

    def make(self, unit):
        return FlatFactory()

    def form_data(self, unit):
        return {
            "code": f"ZZN{next(_n):04d}",
            "address": "X市洪山区周转公寓 1 栋",
            "floor_area": "55",
            "bedrooms": 1,
            "monthly_rent": "700",
        }


class TestLease(ModelTests):
    model = Lease
    edit = {"monthly_rent": "900.00"}

    def make(self, unit):
        return LeaseFactory(unit=unit)

    def form_data(self, unit):
        return {
            "flat": FlatFactory().pk,
            "person": PersonFactory(unit=unit).pk,
            "joined_on": "2021-07-01",
            "start": "2022-02-01",
            "end": "2025-01-31",
            "monthly_rent": "800.00",
        }


class TestReconciliation(ModelTests):
    model = Reconciliation
    edit = {"settle_note": "已核实并更正主账"}

    def make(self, unit):
        return ReconciliationFactory(unit=unit)

    def form_data(self, unit):
        return {"unit": unit.pk, "period": str(3000 + next(_n)), "differences": "[]", "settled": "on"}

    def api_data(self, unit):
        return {"unit": unit.pk, "period": str(3000 + next(_n)), "differences": [], "settled": True}
