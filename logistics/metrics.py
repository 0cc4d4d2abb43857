"""后勤服务保障 figures; percentages as in the other areas (0-100, two decimals)."""

from decimal import Decimal

from django.db.models import Count, Q

from bureau.metrics import metric
from logistics.choices import BookingState, EventState
from logistics.models import Booking, Event


def share(part, whole):
    return round(Decimal(100) * part / whole, 2) if whole else None


@metric(
    "logistics.venue_support_rate",
    "政务会议场所保障率",
    "%",
    description="已保障的预订 / （申请的预订 − 申请单位自行取消的），按会议开始日期计入年度。",
    higher_is_better=True,
    order=10,
)
def venue_support_rate(year, units):
    found = Booking.objects.filter(unit__in=units, start__year=year).aggregate(
        asked=Count("pk"),
        withdrawn=Count("pk", filter=Q(state=BookingState.CANCELLED, cancelled_by_requester=True)),
        served=Count("pk", filter=Q(state=BookingState.SERVED)),
    )
    return share(found["served"], found["asked"] - found["withdrawn"])


@metric(
    "logistics.event_vehicle_support_rate",
    "重大活动车辆应急服务保障率",
    "%",
    description="已保障的重大活动 / （提出用车需求的活动 − 已取消的），按活动开始日期计入年度。",
    higher_is_better=True,
    order=20,
)
def event_vehicle_support_rate(year, units):
    found = Event.objects.filter(unit__in=units, start__year=year).aggregate(
        asked=Count("pk"),
        cancelled=Count("pk", filter=Q(state=EventState.CANCELLED)),
        served=Count("pk", filter=Q(state=EventState.SERVED)),
    )
    return share(found["served"], found["asked"] - found["cancelled"])
