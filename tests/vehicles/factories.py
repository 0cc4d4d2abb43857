import datetime
import itertools
import zoneinfo
from decimal import Decimal

import factory

from tests.factories import UnitFactory
from vehicles.choices import Category, CostKind, EnergyType, InspectionOutcome, Status
from vehicles.models import (
    CalendarDay,
    Inspection,
    InspectionRound,
    Quota,
    RentalOrder,
    RunningCost,
    SupportRequest,
    Trip,
    Vehicle,
    VehicleStandard,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
_plates = itertools.count(10000)
_trips = itertools.count(1)


def plate():
    return f"鄂A{next(_plates) % 100000:05d}"


def at(*args):
    """A local (Asia/Shanghai) moment."""
    return datetime.datetime(*args, tzinfo=TZ)


class VehicleStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleStandard

    category = Category.SPECIAL
    name = factory.Sequence(lambda n: f"标准{n}")
    max_price = Decimal("200000")
    max_displacement = Decimal("2.0")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    plate = factory.LazyFunction(plate)
    unit = factory.SubFactory(UnitFactory)
    category = Category.ENFORCEMENT
    energy_type = EnergyType.PETROL
    brand = "大众 帕萨特"
    displacement = Decimal("1.4")
    purchase_price = Decimal("110000")
    purchase_date = datetime.date(2020, 5, 1)
    status = Status.IN_SERVICE
    status_since = datetime.date(2020, 5, 1)
    device_id = factory.Sequence(lambda n: f"DEV{n:06d}")


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    unit = factory.SubFactory(UnitFactory)
    category = Category.ENFORCEMENT
    approved = 5
    approval_ref = "X编〔2022〕1号"
    effective_from = datetime.date(2022, 1, 1)


class TripFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trip

    platform_id = factory.LazyFunction(lambda: f"T{next(_trips):08d}")
    vehicle = factory.SubFactory(VehicleFactory)
    unit = factory.LazyAttribute(lambda o: o.vehicle.unit)
    start = factory.LazyFunction(lambda: at(2022, 3, 1, 9) + datetime.timedelta(hours=3 * next(_trips)))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=1))
    distance_km = Decimal("25.0")


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    unit = factory.SubFactory(UnitFactory)
    task = "市场联合执法检查"
    start = at(2022, 4, 6, 9)
    end = at(2022, 4, 6, 17)


class RentalOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RentalOrder

    unit = factory.SubFactory(UnitFactory)
    provider = "X市公务用车租赁公司"
    vehicle_desc = "鄂A88888 别克GL8"
    start_date = datetime.date(2022, 5, 1)
    end_date = datetime.date(2022, 5, 3)
    cost = Decimal("1500")


class InspectionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionRound

    name = factory.Sequence(lambda n: f"2022 年第 {n} 次标识检查")
    start_date = datetime.date(2022, 6, 1)
    end_date = datetime.date(2022, 6, 30)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    round = factory.SubFactory(InspectionRoundFactory)
    vehicle = factory.SubFactory(VehicleFactory)
    unit = factory.LazyAttribute(lambda o: o.vehicle.unit)
    checked_on = datetime.date(2022, 6, 10)
    outcome = InspectionOutcome.COMPLIANT


class RunningCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunningCost

    vehicle = factory.SubFactory(VehicleFactory)
    unit = factory.LazyAttribute(lambda o: o.vehicle.unit)
    date = datetime.date(2022, 3, 15)
    kind = CostKind.FUEL
    amount = Decimal("400")


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = factory.Sequence(lambda n: datetime.date(2030, 1, 1) + datetime.timedelta(days=n))
    kind = "holiday"
    name = "测试假日"
