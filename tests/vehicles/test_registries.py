import datetime
import itertools

from tests.base import ModelTests
from tests.html import page_form
from tests.vehicles.factories import (
    CalendarDayFactory,
    InspectionFactory,
    InspectionRoundFactory,
    QuotaFactory,
    RentalOrderFactory,
    RunningCostFactory,
    SupportRequestFactory,
    TripFactory,
    VehicleFactory,
    VehicleStandardFactory,
    plate,
)
from tests.vehicles.factories import at as local
from vehicles.models import (
    CalendarDay,
    Inspection,
    InspectionRound,
    Quota,
    RentalOrder,
    Rules,
    RunningCost,
    SupportRequest,
    Trip,
    Vehicle,
    VehicleStandard,
)

_n = itertools.count(1)


class TestVehicleStandard(ModelTests):
    model = VehicleStandard
    edit = {"name": "特种一般"}

    def make(self, unit):
        return VehicleStandardFactory()

    def form_data(self, unit):
        return {
            "category": "special",
            "name": "特种",
            "max_price": "300000",
            "max_displacement": "2.5",
            "source": "测试",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"is_default": False}


class TestRules(ModelTests):
    model = Rules
    edit = {"idle_days": "45"}

    def day(self):
        return datetime.date(2030, 1, 1) + datetime.timedelta(days=next(_n))

    def make(self, unit):
        return Rules.objects.create(
            effective_from=self.day(),
            replacement_years=8,
            replacement_km=250000,
            night_start=22,
            night_end=6,
            long_trip_km=300,
            idle_days=30,
        )

    def form_data(self, unit):
        return {
            "effective_from": self.day().isoformat(),
            "replacement_years": 8,
            "replacement_km": 250000,
            "night_start": 22,
            "night_end": 6,
            "long_trip_km": "300",
            "idle_days": 30,
        }

    def test_a_long_trip_of_no_distance_is_refused(self, client, api, world):
        """Every trip would be "long" with a limit of 0 or less: refused on the page and the API."""
        obj = self.make(world.unit_a)
        client.force_login(world.admin)
        api.force_authenticate(world.admin)
        url = self.url("edit", obj)
        for km in ("-300", "0"):
            response = client.post(url, page_form(client.get(url)) | {"long_trip_km": [km]})
            assert response.status_code == 400
            assert "须大于 0" in str(response.context["form"].errors["long_trip_km"])
            response = api.patch(self.api_url(obj), {"long_trip_km": km, "version": obj.version}, format="json")
            assert response.status_code == 400 and list(response.data) == ["long_trip_km"], response.data
        assert Rules.objects.filter(pk=obj.pk, version=obj.version).exists()


class TestCalendarDay(ModelTests):
    model = CalendarDay
    edit = {"name": "国庆节"}

    def make(self, unit):
        return CalendarDayFactory()

    def form_data(self, unit):
        day = datetime.date(2031, 1, 1) + datetime.timedelta(days=next(_n))
        return {"date": day.isoformat(), "kind": "holiday", "name": "元旦"}


class TestVehicle(ModelTests):
    model = Vehicle
    edit = {"brand": "红旗 H5"}

    def make(self, unit):
        return VehicleFactory(unit=unit)

    def form_data(self, unit):
        return {
            "plate": plate().lower(),
            "unit": unit.pk,
            "category": "enforcement",
            "energy_type": "bev",
            "brand": "比亚迪 汉",
            "purchase_price": "170000",
            "purchase_date": "2022-03-01",
            "odometer_km": 1200,
            "status": "in_service",
            "status_since": "2022-03-01",
            "marking": "marked",
            "quota_approval": "X编审〔2022〕9号",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"displacement": None}


class TestQuota(ModelTests):
    model = Quota
    edit = {"approved": "7"}

    def make(self, unit):
        return QuotaFactory(unit=unit, effective_from=datetime.date(2010, 1, 1) + datetime.timedelta(days=next(_n)))

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "category": "other",
            "approved": 3,
            "approval_ref": "X编〔2022〕3号",
            "effective_from": (datetime.date(2015, 1, 1) + datetime.timedelta(days=next(_n))).isoformat(),
        }


class TestTrip(ModelTests):
    model = Trip
    edit = {"driver": "李四"}

    def make(self, unit):
        return TripFactory(vehicle=VehicleFactory(unit=unit))

    def form_data(self, unit):
        return {
            "platform_id": f"M{next(_n):07d}",
            "vehicle": VehicleFactory(unit=unit).pk,
            "driver": "张三",
            "start": "2022-08-01 09:00",
            "end": "2022-08-01 11:30",
            "start_odometer": "1000",
            "end_odometer": "1042",
            "distance_km": "42",
            "destination": "市政务中心",
            "purpose": "送文件",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {
            "start": local(2022, 8, 1, 9).isoformat(),
            "end": local(2022, 8, 1, 11).isoformat(),
        }


class TestSupportRequest(ModelTests):
    model = SupportRequest
    edit = {"task": "夜间联合执法"}

    def make(self, unit):
        return SupportRequestFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "task": "城管联合执法",
            "start": "2022-05-06 09:00",
            "end": "2022-05-06 12:00",
            "place": "江汉路",
            "passengers": 3,
            "status": "requested",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"start": "2022-05-06T09:00:00+08:00", "end": "2022-05-06T12:00:00+08:00"}


class TestRentalOrder(ModelTests):
    model = RentalOrder
    edit = {"provider": "新租赁公司"}

    def make(self, unit):
        return RentalOrderFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "provider": "X市汽车租赁公司",
            "vehicle_desc": "鄂A66666 丰田凯美瑞",
            "start_date": "2022-07-01",
            "end_date": "2022-07-02",
            "cost": "800",
        }


class TestInspectionRound(ModelTests):
    model = InspectionRound
    edit = {"name": "车容车貌专项整治"}

    def make(self, unit):
        return InspectionRoundFactory()

    def form_data(self, unit):
        return {"name": "标识喷涂专项检查", "start_date": "2022-09-01", "end_date": "2022-09-30"}


class TestInspection(ModelTests):
    model = Inspection
    edit = {"note": "复查合格"}

    def make(self, unit):
        return InspectionFactory(vehicle=VehicleFactory(unit=unit))

    def form_data(self, unit):
        return {
            "round": InspectionRoundFactory().pk,
            "vehicle": VehicleFactory(unit=unit).pk,
            "checked_on": "2022-06-12",
            "outcome": "dirty",
            "rectify_by": "2022-06-30",
        }


class TestRunningCost(ModelTests):
    model = RunningCost
    edit = {"note": "加油"}

    def make(self, unit):
        return RunningCostFactory(vehicle=VehicleFactory(unit=unit))

    def form_data(self, unit):
        return {"vehicle": VehicleFactory(unit=unit).pk, "date": "2022-04-01", "kind": "toll", "amount": "35.50"}
