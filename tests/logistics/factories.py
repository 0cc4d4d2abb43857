import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from logistics.models import (
    Applicant,
    Booking,
    CanteenMilestone,
    CanteenMonth,
    Checkin,
    Checkpoint,
    Event,
    EventAssignment,
    Journal,
    Patrol,
    PrintOrder,
    Route,
    SaleFlat,
    Survey,
    SurveyAnswer,
    Venue,
)
from tests.factories import UnitFactory
from tests.vehicles.factories import VehicleFactory

_hours = itertools.count(0)


def later(days=30, hour=9):
    """A local time in the future, distinct per call so that factory bookings never clash."""
    base = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(days=days)


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"第{n}会议室")
    building = "市行政中心"
    room = factory.Sequence(lambda n: f"{n:04d}")
    capacity = 60


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    venue = factory.SubFactory(VenueFactory)
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"工作会议{n}")
    start = factory.LazyFunction(lambda: later() + datetime.timedelta(hours=2 * next(_hours)))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    attendees = 20


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"重大活动{n}")
    start = factory.LazyFunction(lambda: later() + datetime.timedelta(hours=2 * next(_hours)))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=4))
    vehicles_needed = 3


class EventAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventAssignment

    event = factory.SubFactory(EventFactory)
    vehicle = factory.SubFactory(VehicleFactory)
    driver = "张师傅"


class PrintOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrintOrder

    unit = factory.SubFactory(UnitFactory)
    document = factory.Sequence(lambda n: f"会议材料{n}")
    ordered_on = datetime.date(2022, 3, 1)
    pages = 10
    copies = 20
    page_price = Decimal("0.50")
    binding_price = Decimal("2.00")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    service = "venue"
    year = 2022
    period = "2022 年"
    title = factory.Sequence(lambda n: f"会议服务满意度调查{n}")
    questions = "服务态度\n响应速度\n设备保障"
    target = Decimal("95")


class SurveyAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyAnswer

    survey = factory.SubFactory(SurveyFactory)
    unit = factory.SubFactory(UnitFactory)
    item = "服务态度"
    score = 5


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route

    unit = factory.SubFactory(UnitFactory)
    site = "市委大院"
    name = factory.Sequence(lambda n: f"绿化巡查路线{n}")
    patrols_per_month = 4


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    route = factory.SubFactory(RouteFactory)
    name = factory.Sequence(lambda n: f"点位{n}")
    order = factory.Sequence(lambda n: n % 20 + 1)


class PatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patrol

    route = factory.SubFactory(RouteFactory)
    started = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))


class CheckinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkin

    patrol = factory.SubFactory(PatrolFactory)
    checkpoint = factory.SubFactory(CheckpointFactory, route=factory.SelfAttribute("..patrol.route"))


class JournalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journal

    route = factory.SubFactory(RouteFactory)
    kind = "daily"
    date = datetime.date(2022, 3, 1)
    content = "巡查正常。"


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    compound = "惠济路三十七号院"
    name = factory.Sequence(lambda n: f"申请人{n}")
    unit = factory.SubFactory(UnitFactory)
    ranking = factory.Sequence(lambda n: n + 1)


class SaleFlatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SaleFlat

    compound = "惠济路三十七号院"
    building = "3"
    number = factory.Sequence(lambda n: f"{n:04d}")
    area = Decimal("98.50")
    price = Decimal("650000")


class CanteenMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CanteenMilestone

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned = datetime.date(2022, 6, 30)


class CanteenMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CanteenMonth

    unit = factory.SubFactory(UnitFactory)
    month = factory.Sequence(lambda n: datetime.date(2000 + n // 12, n % 12 + 1, 1))
    meals = 12000
    cost = Decimal("180000")
    food_waste_kg = Decimal("250.0")
