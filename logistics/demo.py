"""Demo data for 后勤服务保障: meeting venues with a year of bookings (and the coming weeks), major
events served by the vehicles registry, satisfaction surveys with answers, patrol routes with a
year of patrols, check-ins and journals, print orders, the flat sale and the canteen. City scale:
40 venues (the first one busy all day), 120 routes, 20,000 print orders, all with bulk_create.
Names and figures are invented."""

import datetime
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from bureau.demo import DEMO_PASSWORD
from logistics.choices import (
    Binding,
    BookingState,
    EventState,
    FlatState,
    FollowUp,
    JournalKind,
    MilestoneState,
    PatrolState,
    Service,
)
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
from vehicles.choices import Status
from vehicles.models import Vehicle

BATCH = 2000
# (venues, routes, print orders, flats) per scale
SCALES = {"small": (6, 4, 600, 40), "city": (40, 120, 20_000, 300)}
SLOTS = [(8, 30, 10, 0), (9, 0, 11, 30), (10, 0, 12, 0), (14, 0, 16, 0), (14, 30, 17, 30), (16, 0, 18, 0)]
TITLES = ("工作推进会", "专题研究会", "党组（党委）会议", "业务培训会", "视频调度会", "座谈会", "新闻发布会", "评审会")
BUILDINGS = ("市行政中心", "市委大院", "市民之家", "市人大办公楼", "市政协办公楼")
ITEMS = {
    Service.VENUE: "会场布置\n设备保障\n服务态度",
    Service.PROPERTY: "环境卫生\n绿化养护\n维修响应",
    Service.CANTEEN: "菜品质量\n卫生状况\n服务态度",
    Service.PRINT: "印制质量\n交付及时\n保密管理",
}
TZ = timezone.get_current_timezone()


def at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def workdays(year):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def seed(ctx):
    n_venues, n_routes, n_orders, n_flats = SCALES[ctx.scale]
    units = list(ctx.units)
    manager = get_user_model().objects.create_user("venues", password=DEMO_PASSWORD, first_name="会议场所管理员")
    ctx.accounts.append(("venues", "会议场所管理员（无角色，审批第一会议室的预订）", ""))
    venues = seed_venues(ctx, n_venues, manager)
    seed_bookings(ctx, venues, units)
    seed_events(ctx, units)
    seed_surveys(ctx, units)
    seed_ledgers(ctx, units, n_routes)
    seed_print(ctx, units, n_orders)
    seed_sales(ctx, units, n_flats)
    seed_canteen(ctx, units)


def seed_venues(ctx, n, manager):
    rng = ctx.rng
    venues = Venue.objects.bulk_create(
        Venue(
            name=f"{BUILDINGS[i % len(BUILDINGS)]}第{i // len(BUILDINGS) + 1}会议室",
            building=BUILDINGS[i % len(BUILDINGS)],
            room=f"{rng.randint(1, 9)}{rng.randint(0, 3)}{rng.randint(1, 9)}",
            capacity=rng.choice((20, 30, 40, 60, 80, 120, 200, 300)),
            equipment=rng.choice(("音响、投影", "音响、LED 屏、视频会议终端", "音响、同声传译、LED 屏", "投影")),
        )
        for i in range(n)
    )
    venues[0].managers.add(manager)
    return venues


def seed_bookings(ctx, venues, units):
    """The demo year, and the next four weeks (requested or approved). No two holding bookings of
    a venue overlap: at most one booking per slot, and overlapping slots are never both taken."""
    rng, year = ctx.rng, ctx.year
    today = timezone.localdate()
    days = list(workdays(year)) + [today + datetime.timedelta(days=k) for k in range(1, 29)]
    rows = []
    for v, venue in enumerate(venues):
        busy = v == 0 and ctx.scale == "city"
        for day in days:
            if day.weekday() >= 5:
                continue
            # Slots 0, 3 (morning, afternoon) never overlap; a busy venue also takes 5's evening-ish.
            taken = [0, 3, 5] if busy else [s for s in (1, 4) if rng.random() < 0.45]
            for s in taken:
                h1, m1, h2, m2 = SLOTS[s]
                future = day > today
                if future:
                    state = rng.choice((BookingState.REQUESTED, BookingState.APPROVED, BookingState.APPROVED))
                else:
                    state = rng.choices(
                        (BookingState.SERVED, BookingState.DECLINED, BookingState.CANCELLED), (90, 4, 6)
                    )[0]
                rows.append(
                    Booking(
                        venue=venue,
                        unit=rng.choice(units),
                        title=rng.choice(TITLES),
                        start=at(day, h1, m1),
                        end=at(day, h2, m2),
                        attendees=rng.randint(5, venue.capacity),
                        tea=rng.random() < 0.8,
                        sound=rng.random() < 0.6,
                        screen=rng.random() < 0.5,
                        state=state,
                        reason="场所临时检修"
                        if state == BookingState.DECLINED
                        else "会议取消"
                        if state == BookingState.CANCELLED
                        else "",
                        cancelled_by_requester=state == BookingState.CANCELLED and rng.random() < 0.7,
                    )
                )
    # A weekly series: the first venue's Monday morning meeting in the coming weeks already holds
    # slot 0, so the series sits in slot 4 of the second venue.
    series = uuid.uuid4()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    for k in range(4):
        day = monday + datetime.timedelta(weeks=k)
        rows = [r for r in rows if not (r.venue is venues[1] and r.start.date() == day)]
        rows.append(
            Booking(
                venue=venues[1],
                unit=units[0],
                title="局务会（每周一）",
                start=at(day, 14, 30),
                end=at(day, 17, 30),
                attendees=min(20, venues[1].capacity),
                state=BookingState.APPROVED,
                series=series,
            )
        )
    Booking.objects.bulk_create(rows, batch_size=BATCH)


def seed_events(ctx, units):
    rng, year = ctx.rng, ctx.year
    fleet = list(Vehicle.objects.filter(status=Status.IN_SERVICE).order_by("pk").values_list("pk", flat=True)[:400])
    n = 24 if ctx.scale == "small" else 120
    days = sorted(rng.sample(list(workdays(year)), n))
    events = []
    for day in days:
        state = rng.choices((EventState.SERVED, EventState.UNSERVED, EventState.CANCELLED), (92, 3, 5))[0]
        events.append(
            Event(
                unit=rng.choice(units),
                title=rng.choice(
                    (
                        "全市招商引资大会",
                        "重点项目观摩",
                        "防汛抗旱指挥调度",
                        "国际马拉松保障",
                        "省级检查迎检",
                        "全国性会议接待",
                    )
                ),
                place=rng.choice(("市民之家", "国际博览中心", "市体育中心", "市行政中心")),
                start=at(day, 7, 30),
                end=at(day, 18),
                vehicles_needed=rng.randint(2, 12),
                drivers_needed=rng.randint(2, 12),
                state=state,
                reason="应急车辆已全部派出" if state == EventState.UNSERVED else "",
            )
        )
    events = Event.objects.bulk_create(events)
    assignments = []
    for event in events:
        if event.state != EventState.SERVED or not fleet:
            continue
        for pk in rng.sample(fleet, min(event.vehicles_needed, len(fleet))):
            assignments.append(EventAssignment(event=event, vehicle_id=pk, driver=f"驾驶员{rng.randint(1, 400):03d}"))
    EventAssignment.objects.bulk_create(assignments, batch_size=BATCH)


def seed_surveys(ctx, units):
    rng, year = ctx.rng, ctx.year
    answers = []
    for service, questions in ITEMS.items():
        survey = Survey.objects.create(
            service=service,
            year=year,
            period=f"{year} 年",
            title=f"{year} 年{Service(service).label}满意度调查",
            questions=questions,
            target=Decimal("95"),
        )
        for unit in units[: min(len(units), 80)]:
            for item in survey.question_list():
                score = rng.choices((5, 4, 3, 2, 1), (62, 30, 5, 2, 1))[0]
                low = score < survey.follow_up_below
                closed = low and rng.random() < 0.7
                answers.append(
                    SurveyAnswer(
                        survey=survey,
                        unit=unit,
                        item=item,
                        score=score,
                        comment=rng.choice(("", "", "希望进一步提高响应速度", "建议增加服务时段")) if low else "",
                        follow_up=(FollowUp.CLOSED if closed else FollowUp.OPEN) if low else FollowUp.NONE,
                        action_taken="已与服务方约谈并整改到位" if closed else "",
                        closed_on=datetime.date(year, 12, rng.randint(1, 28)) if closed else None,
                    )
                )
    SurveyAnswer.objects.bulk_create(answers, batch_size=BATCH)


def seed_ledgers(ctx, units, n_routes):
    """Each route walked on most workdays, most patrols complete; notes and journals mostly kept."""
    rng, year = ctx.rng, ctx.year
    routes = Route.objects.bulk_create(
        Route(
            unit=units[i % len(units)],
            site=f"{units[i % len(units)].short_name or units[i % len(units)].name}院区",
            name=("物业巡查路线", "绿化巡查路线", "安保巡查路线")[i % 3],
            patrols_per_month=20,
            target=Decimal("100"),
        )
        for i in range(n_routes)
    )
    points = Checkpoint.objects.bulk_create(
        Checkpoint(route=r, name=name, order=k + 1)
        for r in routes
        for k, name in enumerate(("大门", "配电房", "水泵房", "停车场", "楼顶", "绿化带"))
    )
    by_route = {}
    for p in points:
        by_route.setdefault(p.route_id, []).append(p)
    patrols, journals = [], []
    for route in routes:
        for day in workdays(year):
            if rng.random() < 0.93:
                start = at(day, 8, rng.randint(0, 59))
                state = rng.choices((PatrolState.COMPLETE, PatrolState.INCOMPLETE, PatrolState.EXPIRED), (92, 6, 2))[0]
                patrols.append(
                    Patrol(route=route, started=start, expires=start + datetime.timedelta(hours=4), state=state)
                )
            if rng.random() < 0.9:
                journals.append(
                    Journal(route=route, kind=JournalKind.DAILY, date=day, content="巡查正常，设施设备运行良好。")
                )
            if day.weekday() == 4 and rng.random() < 0.9:
                issue = rng.random() < 0.1
                journals.append(
                    Journal(
                        route=route,
                        kind=JournalKind.WEEKLY,
                        date=day,
                        content="本周服务情况良好。",
                        issues="绿篱枯死需补植" if issue else "",
                        rectify_by=day + datetime.timedelta(days=7) if issue else None,
                        rectified_on=day + datetime.timedelta(days=5) if issue and rng.random() < 0.8 else None,
                    )
                )
    patrols = Patrol.objects.bulk_create(patrols, batch_size=BATCH)
    Journal.objects.bulk_create(journals, batch_size=BATCH)
    checkins = []
    for patrol in patrols:
        route_points = by_route[patrol.route_id]
        done = (
            route_points
            if patrol.state == PatrolState.COMPLETE
            else route_points[: rng.randint(1, len(route_points) - 1)]
        )
        for k, point in enumerate(done):
            checkins.append(
                Checkin(patrol=patrol, checkpoint=point, time=patrol.started + datetime.timedelta(minutes=8 * (k + 1)))
            )
    Checkin.objects.bulk_create(checkins, batch_size=BATCH)


def seed_print(ctx, units, n):
    rng, year = ctx.rng, ctx.year
    orders = []
    for k in range(n):
        this_year = k % 2 == 0
        y = year if this_year else year - 1
        ordered = datetime.date(y, 1, 1) + datetime.timedelta(days=rng.randint(0, 360))
        pages, copies = rng.randint(4, 120), rng.randint(5, 300)
        binding = rng.choice(list(Binding))
        page_price = Decimal(rng.choice(("0.10", "0.15", "0.30", "0.80")))
        binding_price = Decimal({"none": "0", "staple": "0.50", "glue": "3.00", "hardcover": "15.00"}[binding])
        order = PrintOrder(
            unit=rng.choice(units),
            document=rng.choice(("会议材料", "政府工作报告", "文件汇编", "培训教材", "简报")),
            ordered_on=ordered,
            pages=pages,
            copies=copies,
            binding=binding,
            page_price=page_price,
            binding_price=binding_price,
            delivered_on=ordered + datetime.timedelta(days=rng.randint(0, 4)),
        )
        order.amount = order.compute_amount()
        # Last year's work cost a little more: this year's profit grows.
        order.cost = (order.amount * Decimal(rng.choice(("0.55", "0.6", "0.65")) if this_year else "0.7")).quantize(
            Decimal("0.01")
        )
        if rng.random() < 0.004:
            order.errors, order.error_note = 1, "页码错排，已重印"
            order.corrected_on = order.delivered_on + datetime.timedelta(days=1)
        orders.append(order)
    PrintOrder.objects.bulk_create(orders, batch_size=BATCH)


def seed_sales(ctx, units, n):
    rng = ctx.rng
    compound = "惠济路三十七号院"
    applicants = Applicant.objects.bulk_create(
        Applicant(compound=compound, name=f"申请人{k + 1:03d}", unit=rng.choice(units), ranking=k + 1)
        for k in range(int(n * 0.8))
    )
    flats = []
    for k in range(n):
        area = Decimal(rng.choice(("89.50", "98.20", "118.60", "136.00")))
        price = (area * Decimal(rng.choice((6200, 6500, 6800)))).quantize(Decimal("1"))
        flat = SaleFlat(
            compound=compound,
            building=str(k // 40 + 1),
            number=f"{(k % 40) // 4 + 1}0{k % 4 + 1}",
            area=area,
            price=price,
        )
        if k < len(applicants) // 2:
            flat.applicant, flat.state, flat.reserved_on = (
                applicants[k],
                FlatState.RESERVED,
                datetime.date(ctx.year, 5, 10),
            )
            if k % 3:
                flat.state, flat.paid, flat.sold_on = FlatState.SOLD, price, datetime.date(ctx.year, 6, 20)
        flats.append(flat)
    SaleFlat.objects.bulk_create(flats, batch_size=BATCH)


def seed_canteen(ctx, units):
    rng, year = ctx.rng, ctx.year
    owner = units[min(21, len(units) - 1)]
    CanteenMilestone.objects.bulk_create(
        CanteenMilestone(
            unit=owner,
            name=name,
            planned=datetime.date(year, m, 28),
            actual=datetime.date(year, m, 20 + k) if k < 4 else None,
            state=MilestoneState.DONE if k < 4 else MilestoneState.IN_PROGRESS,
        )
        for k, (name, m) in enumerate(
            (("立项批复", 1), ("施工招标", 3), ("主体封顶", 6), ("设备安装", 9), ("竣工验收", 12))
        )
    )
    CanteenMonth.objects.bulk_create(
        CanteenMonth(
            unit=owner,
            month=datetime.date(y, m, 1),
            meals=(meals := rng.randint(11_000, 16_000)),
            cost=Decimal(meals * rng.randint(13, 16)),
            food_waste_kg=Decimal(meals * rng.uniform(0.018, 0.03)).quantize(Decimal("0.1")),
        )
        for y in (year - 1, year)
        for m in range(1, 13)
    )
