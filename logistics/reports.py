"""后勤服务保障 annual sheets: one grouped query per table, then a row per unit (or month, survey,
route, compound)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from bureau.reports import report
from logistics import ledgers
from logistics.choices import BookingState, EventState, FlatState, FollowUp
from logistics.metrics import growth, print_year, satisfaction, share
from logistics.models import Booking, CanteenMonth, Event, PrintOrder, Route, SaleFlat, Survey, SurveyAnswer


def unit_rows(units):
    return units.order_by("name").values_list("pk", "name")


@report("logistics.venues", "政务会议场所保障情况表", order=400)
def venues(out, year, units):
    out.title(f"{year} 年政务会议场所保障情况表")
    out.note("保障率 = 已保障 / （申请 − 申请单位自行取消）；按会议开始日期计入年度。")
    out.header(["单位", "申请", "已批准待开", "已保障", "未批准", "申请单位取消", "其他取消", "保障率（%）"])
    s = BookingState
    found = {
        row["unit_id"]: row
        for row in Booking.objects.filter(unit__in=units, start__year=year)
        .values("unit_id")
        .annotate(
            asked=Count("pk"),
            approved=Count("pk", filter=Q(state=s.APPROVED)),
            served=Count("pk", filter=Q(state=s.SERVED)),
            declined=Count("pk", filter=Q(state=s.DECLINED)),
            withdrawn=Count("pk", filter=Q(state=s.CANCELLED, cancelled_by_requester=True)),
            cancelled=Count("pk", filter=Q(state=s.CANCELLED, cancelled_by_requester=False)),
        )
        .order_by()
    }
    names = ("asked", "approved", "served", "declined", "withdrawn", "cancelled")
    totals = dict.fromkeys(names, 0)
    for unit_id, name in unit_rows(units):
        row = found.get(unit_id)
        if row is None:
            continue
        for k in names:
            totals[k] += row[k]
        out.row([name, *(row[k] for k in names), share(row["served"], row["asked"] - row["withdrawn"])])
    out.total(["合计", *(totals[k] for k in names), share(totals["served"], totals["asked"] - totals["withdrawn"])])


@report("logistics.events", "重大活动车辆应急服务情况表", order=410)
def events(out, year, units):
    out.title(f"{year} 年重大活动车辆应急服务情况表")
    out.note("保障率 = 已保障 / （提出需求的活动 − 已取消）；按活动开始日期计入年度。")
    out.header(["单位", "活动数", "需车数", "派车数", "已保障", "未能保障", "已取消", "保障率（%）"])
    e = EventState
    found = {
        row["unit_id"]: row
        for row in Event.objects.filter(unit__in=units, start__year=year)
        .values("unit_id")
        .annotate(
            n=Count("pk", distinct=True),
            sent=Count("assignments", distinct=True),
            served=Count("pk", filter=Q(state=e.SERVED), distinct=True),
            unserved=Count("pk", filter=Q(state=e.UNSERVED), distinct=True),
            cancelled=Count("pk", filter=Q(state=e.CANCELLED), distinct=True),
        )
        .order_by()
    }
    needed = dict(
        Event.objects.filter(unit__in=units, start__year=year)
        .values_list("unit_id")
        .annotate(n=Sum("vehicles_needed"))
        .order_by()
    )
    names = ("n", "needed", "sent", "served", "unserved", "cancelled")
    totals = dict.fromkeys(names, 0)
    for unit_id, name in unit_rows(units):
        row = found.get(unit_id)
        if row is None:
            continue
        row["needed"] = needed.get(unit_id, 0)
        for k in names:
            totals[k] += row[k]
        out.row([name, *(row[k] for k in names), share(row["served"], row["n"] - row["cancelled"])])
    out.total(["合计", *(totals[k] for k in names), share(totals["served"], totals["n"] - totals["cancelled"])])


@report("logistics.satisfaction", "服务对象满意度调查情况表", order=420)
def satisfaction_sheet(out, year, units):
    out.title(f"{year} 年服务对象满意度调查情况表")
    out.note("满意率 = 评为 4 分（满意）、5 分（非常满意）的评价 / 全部评价。")
    out.header(
        ["服务项目", "期间", "问卷", "评价数", "满意率（%）", "平均分", "目标（%）", "是否达标", "跟进中", "已办结"]
    )
    answers = SurveyAnswer.objects.filter(unit__in=units, survey__year=year)
    follow = defaultdict(dict)
    for survey_id, state, n in answers.values_list("survey_id", "follow_up").annotate(n=Count("pk")).order_by():
        follow[survey_id][state] = n
    for survey in Survey.objects.filter(year=year).order_by("service", "pk"):
        figures = satisfaction(answers.filter(survey=survey))
        met = None
        if survey.target is not None and figures["rate"] is not None:
            met = "是" if figures["rate"] >= survey.target else "否"
        out.row(
            [
                survey.get_service_display(),
                survey.period,
                survey.title,
                figures["answers"],
                figures["rate"],
                figures["mean"],
                survey.target,
                met or "—",
                follow[survey.pk].get(FollowUp.OPEN, 0),
                follow[survey.pk].get(FollowUp.CLOSED, 0),
            ]
        )
    total = satisfaction(answers)
    out.total(["合计", "", "", total["answers"], total["rate"], total["mean"], "", "", "", ""])


@report("logistics.ledgers", "后勤保障管理台账落实情况表", order=430)
def ledger_sheet(out, year, units):
    out.title(f"{year} 年物业、绿化等后勤保障管理台账落实情况表")
    out.note("应有 = 规定的巡查次数 + 每日巡查工作笔记 + 服务周志（已结束的月份）；落实率 = 实有 / 应有。")
    out.header(["场所", "路线", "服务单位", "应有", "实有", "落实率（%）", "目标（%）"])
    routes = list(Route.objects.filter(unit__in=units).select_related("unit").order_by("site", "name"))
    found = ledgers.table(year, routes)
    for route in routes:
        kept, required = ledgers.rate({k: v for k, v in found.items() if k[0] == route.pk})
        out.row([route.site, route.name, str(route.unit), required, kept, share(kept, required), route.target])
    kept, required = ledgers.rate(found)
    out.total(["合计", "", "", required, kept, share(kept, required), ""])


@report("logistics.sales", "房源配售情况表", order=440)
def sales_sheet(out, year, units):
    out.title(f"{year} 年末房源配售情况表")
    out.header(["小区", "房源", "可售", "已预订", "已售", "已售面积（m²）", "已售金额（元）", "已收房款（元）"])
    f = FlatState
    rows = (
        SaleFlat.objects.values("compound")
        .annotate(
            n=Count("pk"),
            available=Count("pk", filter=Q(state=f.AVAILABLE)),
            reserved=Count("pk", filter=Q(state=f.RESERVED)),
            sold=Count("pk", filter=Q(state=f.SOLD)),
            area=Sum("area", filter=Q(state=f.SOLD)),
            amount=Sum("price", filter=Q(state=f.SOLD)),
            paid=Sum("paid"),
        )
        .order_by("compound")
    )
    for row in rows:
        out.row(
            [
                row["compound"],
                row["n"],
                row["available"],
                row["reserved"],
                row["sold"],
                row["area"] or 0,
                row["amount"] or 0,
                row["paid"] or 0,
            ]
        )


@report("logistics.canteen", "机关食堂运营情况表", order=450)
def canteen(out, year, units):
    out.title(f"{year} 年机关食堂运营情况表")
    out.header(["月份", "供餐人次", "运营成本（元）", "餐厨浪费（千克）", "人均浪费（克/人次）"])
    rows = (
        CanteenMonth.objects.filter(unit__in=units, month__year=year)
        .annotate(m=ExtractMonth("month"))
        .values("m")
        .annotate(meals=Sum("meals"), cost=Sum("cost"), waste=Sum("food_waste_kg"))
        .order_by("m")
    )
    meals, cost, waste = 0, Decimal("0"), Decimal("0")
    for row in rows:
        meals, cost, waste = meals + row["meals"], cost + row["cost"], waste + row["waste"]
        out.row(
            [f"{year}-{row['m']:02d}", row["meals"], row["cost"], row["waste"], per_meal(row["waste"], row["meals"])]
        )
    out.total(["合计", meals, cost, waste, per_meal(waste, meals)])


def per_meal(kg, meals):
    return (kg * 1000 / meals).quantize(Decimal("0.1")) if meals else None


@report("logistics.print", "文印中心经营情况表", order=460)
def print_shop(out, year, units):
    out.title(f"{year} 年文印中心经营情况表")
    out.note("产值（营业收入）= 当月交付订单金额之和；利润 = 产值 − 成本；差错按委托月份计。")
    out.header(["月份", "交付订单", "产值（元）", "成本（元）", "利润（元）", "差错（处）"])
    delivered = {
        row["m"]: row
        for row in PrintOrder.objects.filter(unit__in=units, delivered_on__year=year)
        .annotate(m=ExtractMonth("delivered_on"))
        .values("m")
        .annotate(n=Count("pk"), output=Sum("amount"), spent=Sum("cost"))
        .order_by()
    }
    errors = dict(
        PrintOrder.objects.filter(unit__in=units, ordered_on__year=year)
        .annotate(m=ExtractMonth("ordered_on"))
        .values_list("m")
        .annotate(n=Sum("errors"))
        .order_by()
    )
    for m in range(1, 13):
        row = delivered.get(m, {"n": 0, "output": Decimal("0"), "spent": Decimal("0")})
        out.row(
            [f"{year}-{m:02d}", row["n"], row["output"], row["spent"], row["output"] - row["spent"], errors.get(m) or 0]
        )
    this, last = print_year(year, units), print_year(year - 1, units)
    out.total(
        [
            "合计",
            sum(r["n"] for r in delivered.values()),
            this["output"],
            this["cost"],
            this["profit"],
            sum(v or 0 for v in errors.values()),
        ]
    )
    out.row(["上年", "", last["output"], last["cost"], last["profit"], ""])
    out.row(
        [
            "增长（%）",
            "",
            growth(this["output"], last["output"]),
            growth(this["cost"], last["cost"]),
            growth(this["profit"], last["profit"]),
            "",
        ]
    )
