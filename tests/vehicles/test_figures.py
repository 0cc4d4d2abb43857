"""Hand-computed figures on a small fixed fleet."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.metrics import REGISTRY as METRICS
from bureau.models import Unit
from tests.vehicles.factories import (
    CalendarDayFactory,
    InspectionFactory,
    InspectionRoundFactory,
    QuotaFactory,
    RunningCostFactory,
    SupportRequestFactory,
    TripFactory,
    VehicleFactory,
    VehicleStandardFactory,
    at,
)
from vehicles import queries
from vehicles.choices import Category, EnergyType, Status
from vehicles.forms import VehicleForm
from vehicles.models import Trip, Vehicle
from vehicles.tasks import rollup_month

D = datetime.date


def metric(key, units, year=2022):
    return METRICS[key].compute(year, units)


@pytest.fixture
def fleet(world):
    a, b = world.unit_a, world.unit_b
    return {
        "a_petrol": VehicleFactory(unit=a, purchase_date=D(2018, 1, 1), device_id=""),
        "a_petrol2": VehicleFactory(unit=a, purchase_date=D(2019, 1, 1)),
        "a_bev": VehicleFactory(unit=a, energy_type=EnergyType.BEV, displacement=None, purchase_date=D(2022, 2, 1)),
        "a_hybrid": VehicleFactory(unit=a, energy_type=EnergyType.HYBRID, purchase_date=D(2022, 3, 1)),
        # disposed in 2021: outside the 2022 fleet
        "a_phev_gone": VehicleFactory(
            unit=a, energy_type=EnergyType.PHEV, status=Status.DISPOSED, status_since=D(2021, 6, 1)
        ),
        "b_fcev": VehicleFactory(unit=b, energy_type=EnergyType.FCEV, displacement=None, purchase_date=D(2022, 4, 1)),
        "b_diesel": VehicleFactory(unit=b, energy_type=EnergyType.DIESEL, purchase_date=D(2022, 5, 1)),
    }


def both(world):
    return Unit.objects.filter(pk__in=[world.unit_a.pk, world.unit_b.pk])


def only(unit):
    return Unit.objects.filter(pk=unit.pk)


@pytest.mark.django_db
class TestFleetShares:
    def test_new_energy_share_of_the_fleet(self, fleet, world):
        # unit a, end of 2022: petrol, petrol, BEV, hybrid (not new-energy) → 1 / 4 = 25 %
        assert metric("vehicles.nev_share", only(world.unit_a)) == 25.0
        # both units: + FCEV, diesel → (1 + 1) / 6 = 33.33 %
        assert metric("vehicles.nev_share", both(world)) == 33.33
        assert metric("vehicles.fleet_size", both(world)) == 6
        # end of 2018: only the first petrol car → 0 / 1
        assert metric("vehicles.nev_share", both(world), 2018) == 0.0

    def test_new_energy_share_of_the_years_purchases(self, fleet, world):
        # bought in 2022: BEV, hybrid, FCEV, diesel → 2 / 4 = 50 % (the rule asks ≥ 30 %)
        assert metric("vehicles.nev_share_of_purchases", both(world)) == 50.0
        # unit a alone: BEV, hybrid → 1 / 2
        assert metric("vehicles.nev_share_of_purchases", only(world.unit_a)) == 50.0
        # unit b bought nothing in 2021 → no figure rather than 0
        assert metric("vehicles.nev_share_of_purchases", only(world.unit_b), 2021) is None

    def test_quota_and_platform_figures(self, fleet, world):
        QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=3, effective_from=D(2020, 1, 1))
        QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=5, effective_from=D(2023, 1, 1))
        # 2022: the 2020 quota (3) is in effect; 4 vehicles in the fleet → 133.33 %
        assert metric("vehicles.quota_utilisation", only(world.unit_a)) == 133.33
        # 3 of unit a's 4 have a device → 75 %
        assert metric("vehicles.platform_coverage", only(world.unit_a)) == 75.0

    def test_liaison_scope_reaches_the_metrics_api(self, api, fleet, world):
        api.force_authenticate(world.liaison_a)
        response = api.get("/api/v1/metrics/vehicles.nev_share/", {"year": 2022})
        assert response.status_code == 200
        assert response.data["value"] == 25.0


@pytest.mark.django_db
class TestSupportRate:
    def test_fulfilled_over_requested_without_cancelled(self, world):
        vehicle = VehicleFactory(unit=world.unit_b)
        for status in ("dispatched", "dispatched", "dispatched"):
            SupportRequestFactory(unit=world.unit_a, status=status, vehicle=vehicle)
        SupportRequestFactory(unit=world.unit_a, status="unfulfilled", reason="无车可派")
        SupportRequestFactory(unit=world.unit_a, status="requested")
        SupportRequestFactory(unit=world.unit_a, status="cancelled")
        SupportRequestFactory(
            unit=world.unit_a, status="dispatched", vehicle=vehicle, start=at(2021, 5, 1, 9), end=at(2021, 5, 1, 10)
        )
        SupportRequestFactory(unit=world.unit_b, status="unfulfilled", reason="无车可派")
        # unit a, 2022: 3 dispatched / (3 + 1 unfulfilled + 1 waiting) = 60 %
        assert metric("vehicles.support_rate", only(world.unit_a)) == 60.0
        # both: 3 / 6 = 50 %
        assert metric("vehicles.support_rate", both(world)) == 50.0
        assert metric("vehicles.support_rate", only(world.unit_b), 2020) is None

    def test_a_liaison_asks_but_cannot_dispatch(self, client, world):
        client.force_login(world.liaison_a)
        data = {
            "unit": world.unit_a.pk,
            "task": "夜查",
            "start": "2022-05-01 20:00",
            "end": "2022-05-01 23:00",
            "passengers": 2,
        }
        response = client.post(reverse("vehicles:supportrequest_add"), data | {"status": "dispatched"})
        assert response.status_code == 302
        from vehicles.models import SupportRequest

        assert SupportRequest.objects.get().status == "requested"

    def test_dispatch_needs_a_vehicle_and_refusal_a_reason(self, client, world):
        client.force_login(world.staff("vehicles"))
        data = {
            "unit": world.unit_a.pk,
            "task": "夜查",
            "start": "2022-05-01 20:00",
            "end": "2022-05-01 23:00",
            "passengers": 2,
        }
        response = client.post(reverse("vehicles:supportrequest_add"), data | {"status": "dispatched"})
        assert response.status_code == 400 and "须选择派出车辆" in response.content.decode()
        response = client.post(reverse("vehicles:supportrequest_add"), data | {"status": "unfulfilled"})
        assert response.status_code == 400 and "须说明原因" in response.content.decode()


@pytest.mark.django_db
class TestAnomalies:
    """Rules in force (seeded): night 22–6 h, long trips above 300 km. Calendar: Monday 3 October
    2022 a holiday, Saturday 8 October a working day."""

    @pytest.fixture
    def october(self, world, django_capture_on_commit_callbacks):
        CalendarDayFactory(date=D(2022, 10, 3), kind="holiday", name="国庆节")
        CalendarDayFactory(date=D(2022, 10, 8), kind="workday", name="调休上班")
        v = VehicleFactory(unit=world.unit_a)
        plan = {
            "t1": (at(2022, 10, 11, 9), at(2022, 10, 11, 10), 20),  # Tuesday: normal
            "t2": (at(2022, 10, 3, 9), at(2022, 10, 3, 10), 20),  # holiday
            "t3": (at(2022, 10, 8, 9), at(2022, 10, 8, 10), 20),  # Saturday, but a working day
            "t4": (at(2022, 10, 9, 9), at(2022, 10, 9, 10), 20),  # Sunday
            "t5": (at(2022, 10, 12, 21), at(2022, 10, 12, 23), 20),  # ends at night
            "t6": (at(2022, 10, 13, 20), at(2022, 10, 14, 7, 30), 20),  # runs through the night
            "t7": (at(2022, 10, 14, 8), at(2022, 10, 14, 18), 350),  # long
            "t8": (at(2022, 10, 18, 5, 30), at(2022, 10, 18, 7), 20),  # starts before 6 h
        }
        client_rows = []
        for name, (start, end, km) in plan.items():
            client_rows.append(
                {
                    "platform_id": name,
                    "plate": v.plate,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "distance_km": km,
                }
            )
        from vehicles import trips

        with django_capture_on_commit_callbacks(execute=True):
            trips.import_trips(list(enumerate(client_rows, 1)), world.staff("vehicles"))
        return v

    def test_flags(self, october):
        flagged = {t.platform_id: (t.off_day, t.night, t.long_distance) for t in Trip.objects.all()}
        assert flagged == {
            "t1": (False, False, False),
            "t2": (True, False, False),
            "t3": (False, False, False),
            "t4": (True, False, False),
            "t5": (False, True, False),
            "t6": (False, True, False),
            "t7": (False, False, True),
            "t8": (False, True, False),
        }

    def test_roll_up_and_metrics_read_it(self, october, world):
        # km: 7 × 20 + 350 = 490; anomalous: t2 t4 t5 t6 t7 t8 = 6;
        # hours: 1 + 1 + 1 + 1 + 2 + 11.5 + 10 + 1.5 = 29
        assert metric("vehicles.trip_km", only(world.unit_a)) == Decimal("490")
        assert metric("vehicles.anomalous_trips", only(world.unit_a)) == 6
        assert metric("vehicles.trip_km", only(world.unit_b)) == 0
        from vehicles.models import MonthlyUsage

        usage = MonthlyUsage.objects.get(vehicle=october, month=D(2022, 10, 1))
        assert (usage.trips, usage.km, usage.hours, usage.anomalous) == (8, Decimal("490"), Decimal("29.00"), 6)
        # the metric reads the roll-up: trips deleted behind its back do not change it until rebuilt
        Trip.objects.filter(platform_id="t7").delete()
        assert metric("vehicles.trip_km", only(world.unit_a)) == Decimal("490")
        rollup_month(2022, 10)
        assert metric("vehicles.trip_km", only(world.unit_a)) == Decimal("140")

    def test_explaining_an_anomaly(self, client, october, world):
        trip = Trip.objects.get(platform_id="t2")
        url = reverse("vehicles:trip_explain", args=[trip.pk])
        client.force_login(world.liaison_b)
        assert client.post(url, {"explanation": "x"}).status_code == 404
        client.force_login(world.leader)
        assert client.post(url, {"explanation": "x"}).status_code == 403
        client.force_login(world.liaison_a)
        assert "说明异常" in client.get(trip.get_absolute_url()).content.decode()
        response = client.post(url, {"explanation": "国庆节应急值守"})
        assert response.status_code == 302
        trip.refresh_from_db()
        assert trip.explained and trip.explanation == "国庆节应急值守"
        normal = Trip.objects.get(platform_id="t1")
        assert client.post(reverse("vehicles:trip_explain", args=[normal.pk]), {"explanation": "x"}).status_code == 403

    def test_anomaly_filter_and_scoping_of_the_list(self, client, october, world):
        client.force_login(world.liaison_a)
        body = client.get(reverse("vehicles:trip_list"), {"anomalous": "true"}).content.decode()
        assert "共 6 条" in body
        client.force_login(world.liaison_b)
        assert "共 0 条" in client.get(reverse("vehicles:trip_list")).content.decode()


@pytest.mark.django_db
class TestMarkingAndCosts:
    def test_compliance_rate_leaves_exempt_vehicles_out(self, world):
        r = InspectionRoundFactory()
        for outcome in ("compliant", "compliant", "compliant"):
            InspectionFactory(round=r, vehicle=VehicleFactory(unit=world.unit_a), outcome=outcome)
        InspectionFactory(
            round=r, vehicle=VehicleFactory(unit=world.unit_a), outcome="dirty", rectify_by=D(2022, 6, 30)
        )
        InspectionFactory(
            round=r, vehicle=VehicleFactory(unit=world.unit_a), outcome="exempt", exempt_reason="侦查用车"
        )
        # 3 compliant / (5 checked − 1 exempt) = 75 %
        assert metric("vehicles.marking_compliance", only(world.unit_a)) == 75.0

    def test_failing_results_need_a_deadline(self, client, world):
        client.force_login(world.staff("vehicles"))
        data = {
            "round": InspectionRoundFactory().pk,
            "vehicle": VehicleFactory(unit=world.unit_a).pk,
            "checked_on": "2022-06-01",
            "outcome": "damaged",
        }
        response = client.post(reverse("vehicles:inspection_add"), data)
        assert response.status_code == 400 and "整改期限" in response.content.decode()

    def test_cost_per_km_in_the_usage_sheet(self, world):
        from vehicles.models import UnitMonthlyUsage
        from vehicles.reports import usage

        v = VehicleFactory(unit=world.unit_a)
        RunningCostFactory(vehicle=v, amount=Decimal("400"))
        RunningCostFactory(vehicle=v, kind="insurance", amount=Decimal("4600"))
        UnitMonthlyUsage.objects.create(
            unit=world.unit_a, month=D(2022, 3, 1), vehicles=1, trips=10, km=Decimal("2500"), hours=20, anomalous=1
        )
        out = Recorder()
        usage(out, 2022, only(world.unit_a))
        row = out.rows[0]
        # (400 + 4600) / 2500 km = 2.00 yuan per km
        assert row[0] == world.unit_a.name and row[1:3] == [10, Decimal("2500")] and row[-1] == Decimal("2.00")


class Recorder:
    def __init__(self):
        self.rows, self.totals = [], []

    def title(self, text):
        pass

    def note(self, text):
        pass

    def header(self, values):
        self.headers = values

    def row(self, values):
        self.rows.append(values)

    def total(self, values):
        self.totals.append(values)


@pytest.mark.django_db
class TestRegistryFlags:
    def test_beyond_limits_and_replacement(self, world):
        # enforcement default standard (seeded): ¥120,000 and 1.6 L
        cheap = VehicleFactory(unit=world.unit_a, purchase_price=Decimal("110000"), displacement=Decimal("1.6"))
        dear = VehicleFactory(unit=world.unit_a, purchase_price=Decimal("130000"), displacement=Decimal("1.6"))
        big = VehicleFactory(unit=world.unit_a, purchase_price=Decimal("100000"), displacement=Decimal("2.0"))
        # an explicit standard (the 特殊需要 tier: ¥250,000, 3.0 L) allows more
        tier = VehicleStandardFactory(
            category=Category.ENFORCEMENT, max_price=Decimal("250000"), max_displacement=Decimal("3.0")
        )
        allowed = VehicleFactory(
            unit=world.unit_a, purchase_price=Decimal("200000"), displacement=Decimal("2.5"), standard=tier
        )
        # 8 years or 250,000 km (seeded rules), on 1 June 2022
        old = VehicleFactory(unit=world.unit_a, purchase_date=D(2014, 6, 1))
        worn = VehicleFactory(unit=world.unit_a, purchase_date=D(2020, 1, 1), odometer_km=251000)
        flags = {
            v.pk: (v.beyond_limits, v.replacement_due)
            for v in queries.with_flags(Vehicle.objects.all(), on=D(2022, 6, 1))
        }
        assert flags[cheap.pk] == (False, False)
        assert flags[dear.pk] == (True, False)
        assert flags[big.pk] == (True, False)
        assert flags[allowed.pk] == (False, False)
        assert flags[old.pk] == (False, True)
        assert flags[worn.pk] == (False, True)
        assert [str(x) for x in dear.excesses(dear.limit())] == ["购置价超出标准上限 120000.00 元"]

    def test_a_vehicle_beyond_quota_needs_an_approval_reference(self, world):
        QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=1, effective_from=D(2020, 1, 1))
        VehicleFactory(unit=world.unit_a, category=Category.ENFORCEMENT)
        data = {
            "plate": "鄂A77777",
            "unit": world.unit_a.pk,
            "category": "enforcement",
            "energy_type": "petrol",
            "displacement": "1.5",
            "brand": "大众",
            "purchase_price": "100000",
            "purchase_date": "2022-01-01",
            "odometer_km": 0,
            "status": "in_service",
            "status_since": "2022-01-01",
            "marking": "marked",
        }
        form = VehicleForm(data, user=world.staff("vehicles"))
        assert not form.is_valid() and "超编审批文号" in str(form.errors["quota_approval"])
        assert VehicleForm(data | {"category": "other", "quota_approval": ""}, user=world.staff("vehicles")).errors
        form = VehicleForm(data | {"quota_approval": "X编审〔2022〕5号"}, user=world.staff("vehicles"))
        assert form.is_valid(), form.errors
        # awaiting disposal takes no place
        assert VehicleForm(data | {"status": "awaiting_disposal"}, user=world.staff("vehicles")).is_valid()

    def test_over_quota_page(self, client, world):
        QuotaFactory(unit=world.unit_a, category=Category.ENFORCEMENT, approved=1)
        VehicleFactory(unit=world.unit_a)
        VehicleFactory(unit=world.unit_a)
        QuotaFactory(unit=world.unit_b, category=Category.ENFORCEMENT, approved=1)
        VehicleFactory(unit=world.unit_b)
        VehicleFactory(unit=world.unit_b)
        client.force_login(world.staff("vehicles"))
        body = client.get(reverse("vehicles:over_quota")).content.decode()
        assert "甲单位" in body and "乙单位" in body
        client.force_login(world.liaison_a)
        body = client.get(reverse("vehicles:over_quota")).content.decode()
        assert "甲单位" in body and "乙单位" not in body

    def test_idle_vehicles(self, client, world):
        busy = VehicleFactory(unit=world.unit_a)
        idle = VehicleFactory(unit=world.unit_a)
        TripFactory(vehicle=busy, start=at(2022, 10, 1, 9), end=at(2022, 10, 1, 10))
        TripFactory(vehicle=idle, start=at(2022, 7, 1, 9), end=at(2022, 7, 1, 10))
        never = VehicleFactory(unit=world.unit_b)
        found = list(queries.idle_vehicles(world.staff("vehicles"), 30, on=at(2022, 10, 15)))
        assert found == [never, idle]
        assert list(queries.idle_vehicles(world.liaison_a, 30, on=at(2022, 10, 15))) == [idle]
        client.force_login(world.liaison_a)
        assert client.get(reverse("vehicles:idle")).status_code == 200


@pytest.mark.django_db
def test_the_desk_shows_figures_in_scope(client, fleet, world):
    client.force_login(world.liaison_a)
    response = client.get(reverse("vehicles:index"), {"year": 2022})
    assert response.status_code == 200
    figures = {m.key: value for m, value in response.context["figures"]}
    assert figures["vehicles.nev_share"] == 25.0 and figures["vehicles.fleet_size"] == 4
    assert "导入平台行程" not in response.content.decode()
    assert reverse("vehicles:idle") in response.content.decode()  # the area's own pages are in the menu
    client.force_login(world.staff("vehicles"))
    assert "导入平台行程" in client.get(reverse("vehicles:index")).content.decode()
    assert client.get(reverse("vehicles:index"), {"year": "x"}).status_code == 200
    assert client.get(reverse("vehicles:usage"), {"year": "2022'"}).status_code == 200
    client.force_login(world.member)
    assert client.get(reverse("vehicles:index")).status_code == 403
