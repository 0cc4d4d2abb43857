"""后勤服务保障 figures; percentages as in the other areas (0-100, two decimals)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Max, Q, Sum

from bureau.metrics import Target, metric, target_source
from logistics import ledgers
from logistics.choices import BookingState, EventState
from logistics.models import Booking, CanteenMonth, Event, PrintOrder, Route, Survey, SurveyAnswer


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


def print_year(year, units):
    """The print shop's year: output value (产值, amounts of the orders delivered in it), cost and
    profit (DOMAIN.md "Logistics and print shop")."""
    found = PrintOrder.objects.filter(unit__in=units, delivered_on__year=year).aggregate(
        output=Sum("amount"), spent=Sum("cost")
    )
    output, spent = found["output"] or Decimal("0"), found["spent"] or Decimal("0")
    return {"output": output, "cost": spent, "profit": output - spent}


def growth(this, last):
    return round(Decimal(100) * (this - last) / last, 2) if last else None


@metric("logistics.print_output_value", "文印中心产值", "元", higher_is_better=True, order=60)
def print_output_value(year, units):
    return print_year(year, units)["output"]


@metric(
    "logistics.print_profit_growth",
    "文印中心纯利润增长率",
    "%",
    description="（本年利润 − 上年利润）/ 上年利润；上年利润为 0 时无此数。",
    higher_is_better=True,
    order=70,
)
def print_profit_growth(year, units):
    return growth(print_year(year, units)["profit"], print_year(year - 1, units)["profit"])


@metric(
    "logistics.print_error_count",
    "文件资料印制差错",
    "处",
    description="当年委托订单中发现的差错数，工作计划要求零差错。",
    higher_is_better=False,
    order=80,
)
def print_error_count(year, units):
    return PrintOrder.objects.filter(unit__in=units, ordered_on__year=year).aggregate(n=Sum("errors"))["n"] or 0


def satisfaction(answers):
    """Share of answers scoring 4 or 5 (满意, 非常满意) and the mean score (DOMAIN.md)."""
    found = answers.aggregate(n=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)), mean=Avg("score"))
    mean = found["mean"]
    mean = Decimal(str(mean)).quantize(Decimal("0.01"), ROUND_HALF_UP) if mean is not None else None
    return {"answers": found["n"], "rate": share(found["satisfied"], found["n"]), "mean": mean}


@metric(
    "logistics.satisfaction_rate",
    "服务对象满意率",
    "%",
    description="当年满意度调查中评为 4 分（满意）或 5 分（非常满意）的评价所占比例。",
    higher_is_better=True,
    order=30,
)
def satisfaction_rate(year, units):
    return satisfaction(SurveyAnswer.objects.filter(unit__in=units, survey__year=year))["rate"]


@metric(
    "logistics.ledger_completeness",
    "管理台账落实率",
    "%",
    description="已结束的各月中，各巡查路线（场所）按规定应有的巡查、每日巡查工作笔记、服务周志，实际落实的比例。",
    higher_is_better=True,
    order=40,
)
def ledger_completeness(year, units):
    kept, required = ledgers.rate(ledgers.table(year, Route.objects.filter(unit__in=units)))
    return share(kept, required)


@metric(
    "logistics.food_waste_kg",
    "机关食堂餐厨浪费量",
    "千克",
    description="食堂月度运营登记的可避免浪费（剩饭剩菜）之和；节能的反食品浪费统计读此数。",
    higher_is_better=False,
    order=90,
)
def food_waste_kg(year, units):
    found = CanteenMonth.objects.filter(unit__in=units, month__year=year).aggregate(kg=Sum("food_waste_kg"))
    return found["kg"] or Decimal("0")


@target_source
def logistics_targets(key, year):
    """The targets kept as data on the records: the year's surveys' satisfaction target, the
    routes' ledger completeness target (the strictest of each, as the plan sets one figure)."""
    if key == "logistics.satisfaction_rate":
        found, label = Survey.objects.filter(year=year).aggregate(t=Max("target"))["t"], "满意度调查的满意率目标"
    elif key == "logistics.ledger_completeness":
        found, label = Route.objects.filter(active=True).aggregate(t=Max("target"))["t"], "巡查路线的台账落实率目标"
    else:
        return None
    return Target("ge", float(found), label) if found is not None else None
