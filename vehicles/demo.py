"""Demo data for 公务用车: a fleet per unit, its quotas, three years of platform trips (city scale:
3,000 vehicles and about 3,000,000 trips, written with PostgreSQL COPY, without per-row audit
entries, then rolled up), support requests, rentals, a marking inspection and running costs.
All plates, names and figures are invented."""

import datetime
import io
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from bureau import tablecache
from bureau.models import Person
from vehicles.choices import (
    NEW_ENERGY,
    Category,
    CostKind,
    DayKind,
    EnergyType,
    InspectionOutcome,
    Marking,
    Status,
    SupportStatus,
)
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
)
from vehicles.tasks import rollup_month
from vehicles.trips import TZ

# 国务院办公厅 holiday notices for 2020–2022: (first day, last day, name) and swapped working days.
HOLIDAYS = [
    ("2020-01-01", "2020-01-01", "元旦"),
    ("2020-01-24", "2020-02-02", "春节"),
    ("2020-04-04", "2020-04-06", "清明节"),
    ("2020-05-01", "2020-05-05", "劳动节"),
    ("2020-06-25", "2020-06-27", "端午节"),
    ("2020-10-01", "2020-10-08", "国庆节、中秋节"),
    ("2021-01-01", "2021-01-03", "元旦"),
    ("2021-02-11", "2021-02-17", "春节"),
    ("2021-04-03", "2021-04-05", "清明节"),
    ("2021-05-01", "2021-05-05", "劳动节"),
    ("2021-06-12", "2021-06-14", "端午节"),
    ("2021-09-19", "2021-09-21", "中秋节"),
    ("2021-10-01", "2021-10-07", "国庆节"),
    ("2022-01-01", "2022-01-03", "元旦"),
    ("2022-01-31", "2022-02-06", "春节"),
    ("2022-04-03", "2022-04-05", "清明节"),
    ("2022-04-30", "2022-05-04", "劳动节"),
    ("2022-06-03", "2022-06-05", "端午节"),
    ("2022-09-10", "2022-09-12", "中秋节"),
    ("2022-10-01", "2022-10-07", "国庆节"),
]
WORKDAYS = [
    "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10",
    "2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09",
    "2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09",
]  # fmt: skip
CATEGORY_WEIGHTS = [
    (Category.CONFIDENTIAL, 2),
    (Category.EMERGENCY, 2),
    (Category.ENFORCEMENT, 6),
    (Category.SPECIAL, 1),
    (Category.OTHER, 1),
]
ENERGY_WEIGHTS = [
    (EnergyType.PETROL, 55),
    (EnergyType.DIESEL, 5),
    (EnergyType.HYBRID, 10),
    (EnergyType.PHEV, 8),
    (EnergyType.BEV, 20),
    (EnergyType.FCEV, 2),
]
BRANDS = {
    EnergyType.PETROL: ("大众 帕萨特", "丰田 凯美瑞", "别克 GL8", "红旗 H5", "吉利 博瑞"),
    EnergyType.DIESEL: ("江铃 全顺", "依维柯 得意"),
    EnergyType.HYBRID: ("丰田 凯美瑞双擎", "本田 雅阁锐混动"),
    EnergyType.PHEV: ("比亚迪 唐DM", "理想 ONE"),
    EnergyType.BEV: ("比亚迪 汉EV", "东风 风神E70", "广汽 埃安S"),
    EnergyType.FCEV: ("上汽 大通FCV80",),
}
PLACES = ("市政府", "市委", "江汉区", "武昌区", "洪山区", "汉阳区", "东湖高新区", "市政务中心", "火车站", "机场")
RENTAL_MODELS = ("别克GL8", "丰田考斯特", "大众帕萨特")
PURPOSES = ("公务接待", "执法检查", "会议", "调研", "应急值守", "送取文件", "项目督查")
TRIP_COLUMNS = (
    "created", "updated", "version", "vehicle_id", "unit_id", "platform_id", "driver", "start", '"end"',
    "start_odometer", "end_odometer", "distance_km", "origin", "destination", "purpose", "approval_no",
    "off_day", "night", "long_distance", "explained", "explanation",
)  # fmt: skip


def seed(ctx):
    rng = ctx.rng
    seed_calendar()
    per_unit = 5 if ctx.scale == "small" else 10
    vehicles = seed_vehicles(ctx, per_unit)
    seed_quotas(ctx, vehicles)
    years = (ctx.year,) if ctx.scale == "small" else (ctx.year - 2, ctx.year - 1, ctx.year)
    # City: about 1,000 trips per vehicle over three years (vehicles bought since 2020 have fewer).
    trips_per_workday = 1.2 if ctx.scale == "small" else 1.55
    drivers = {}
    for person in Person.objects.filter(unit__in=ctx.units).only("name", "unit_id").order_by("pk"):
        drivers.setdefault(person.unit_id, []).append(person.name)
    write_trips(ctx, vehicles, years, trips_per_workday, drivers)
    for year in years:
        for month in range(1, 13):
            rollup_month(year, month)
    seed_support(ctx, vehicles)
    seed_rentals(ctx)
    seed_inspection(ctx, vehicles)
    seed_costs(ctx, vehicles, rng)


def day(text):
    return datetime.date.fromisoformat(text)


def seed_calendar():
    rows = []
    for first, last, name in HOLIDAYS:
        d = day(first)
        while d <= day(last):
            rows.append(CalendarDay(date=d, kind=DayKind.HOLIDAY, name=name))
            d += datetime.timedelta(days=1)
    rows += [CalendarDay(date=day(d), kind=DayKind.WORKDAY, name="调休上班") for d in WORKDAYS]
    CalendarDay.objects.bulk_create(rows)


def pick(rng, weighted):
    return rng.choices([k for k, _w in weighted], [w for _k, w in weighted])[0]


def seed_vehicles(ctx, per_unit):
    rng = ctx.rng
    vehicles = []
    n = 0
    for unit in ctx.units:
        for _ in range(per_unit):
            n += 1
            energy = pick(rng, ENERGY_WEIGHTS)
            new_energy = energy in NEW_ENERGY
            bought = datetime.date(rng.randint(2012, ctx.year), rng.randint(1, 12), rng.randint(1, 28))
            age = ctx.year - bought.year
            price = Decimal(rng.randrange(90_000, 180_000 if new_energy else 128_000, 1000))
            status = Status.IN_SERVICE
            roll = rng.random()
            if roll < 0.03:
                status = Status.REPAIR
            elif roll < 0.06 and age >= 8:
                status = Status.AWAITING_DISPOSAL
            vehicles.append(
                Vehicle(
                    plate=f"鄂A{'D' if new_energy else ''}{n:05d}",
                    unit=unit,
                    category=pick(rng, CATEGORY_WEIGHTS),
                    energy_type=energy,
                    brand=rng.choice(BRANDS[energy]),
                    displacement=None
                    if energy in (EnergyType.BEV, EnergyType.FCEV)
                    else rng.choice((Decimal("1.4"), Decimal("1.5"), Decimal("1.6"), Decimal("1.8"), Decimal("2.0"))),
                    purchase_price=price,
                    purchase_date=bought,
                    odometer_km=rng.randint(3_000, 28_000) * max(age, 1),
                    status=status,
                    status_since=bought if status == Status.IN_SERVICE else datetime.date(ctx.year, 11, 1),
                    device_id=f"HB{n:07d}" if rng.random() < 0.92 else "",
                    marking=Marking.EXEMPT if rng.random() < 0.03 else Marking.MARKED,
                )
            )
    return Vehicle.objects.bulk_create(vehicles, batch_size=2000)


def seed_quotas(ctx, vehicles):
    rng = ctx.rng
    counts = {}
    for v in vehicles:
        if v.status in (Status.IN_SERVICE, Status.REPAIR):
            counts[(v.unit_id, v.category)] = counts.get((v.unit_id, v.category), 0) + 1
    quotas = [
        # Most units within their quota, a few over it (over-quota units to follow up).
        Quota(
            unit_id=unit_id,
            category=category,
            approved=max(n - (1 if rng.random() < 0.05 else 0), 0) + (1 if rng.random() < 0.3 else 0),
            approval_ref=f"X编办〔{ctx.year - 3}〕{rng.randint(1, 99)}号",
            effective_from=datetime.date(ctx.year - 3, 1, 1),
        )
        for (unit_id, category), n in counts.items()
    ]
    Quota.objects.bulk_create(quotas, batch_size=2000)


def write_trips(ctx, vehicles, years, per_workday, drivers):
    """Each vehicle's trips one after another (never overlapping, odometer rising)."""
    rng = ctx.rng
    rules = Rules.current()
    first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)
    off = CalendarDay.off_days(first, last)
    days = []
    d = first
    while d <= last:
        days.append((d.isoformat(), d in off))
        d += datetime.timedelta(days=1)
    now = timezone.now().isoformat()
    buffer, rows, written = io.StringIO(), [], 0
    postgres = connection.vendor == "postgresql"
    if postgres:
        foreign_keys = _unload()
    random = rng.random
    long_km = float(rules.long_trip_km)
    for v in vehicles:
        if v.purchase_date > last:
            continue
        odo = float(rng.randint(2_000, 60_000))
        names = drivers.get(v.unit_id) or ["驾驶员"]
        driver = names[v.pk % len(names)]
        serial = 0
        for date_text, is_off in days:
            if date_text < v.purchase_date.isoformat():
                continue
            chance = 0.04 if is_off else per_workday
            count = 2 if random() < chance - 1 else (1 if random() < chance else 0)
            hour = 8 + int(random() * 3)
            for _ in range(count):
                night = random() < 0.02
                start_h = 22 if night else hour
                minutes = 20 + int(random() * 150)
                long_trip = random() < 0.003
                km = round(320 + random() * 200, 1) if long_trip else round(minutes / 60 * (20 + random() * 20), 1)
                if long_trip:
                    minutes = 480
                start_m = int(random() * 40)
                end_total = start_h * 60 + start_m + minutes
                end_date = date_text
                if end_total >= 24 * 60:
                    end_total -= 24 * 60
                    end_date = (datetime.date.fromisoformat(date_text) + datetime.timedelta(days=1)).isoformat()
                serial += 1
                origin, destination = rng.sample(PLACES, 2)
                row = (
                    now, now, 1, v.pk, v.unit_id, f"P{v.pk:05d}{serial:05d}", driver,
                    f"{date_text} {start_h:02d}:{start_m:02d}:00+08",
                    f"{end_date} {end_total // 60:02d}:{end_total % 60:02d}:00+08",
                    round(odo, 1), round(odo + km, 1), km, origin, destination, rng.choice(PURPOSES), "",
                    is_off, night or rules.is_night(end_total // 60), km > long_km, False, "",
                )  # fmt: skip
                odo += km + round(random() * 3, 1)
                hour = (start_h * 60 + start_m + minutes) // 60 + 1
                if postgres:
                    buffer.write("\t".join("t" if x is True else "f" if x is False else str(x) for x in row))
                    buffer.write("\n")
                else:
                    rows.append(row)
                written += 1
                if hour >= 20:
                    break
        if postgres and buffer.tell() > 8_000_000:
            _copy(buffer)
            buffer = io.StringIO()
        elif len(rows) > 20_000:
            _insert(rows)
            rows = []
    if postgres:
        _copy(buffer)
        _restore(foreign_keys)
    else:
        _insert(rows)
    ctx.stdout.write(f"    vehicles: {len(vehicles)} 辆车，{written} 条行程")


def _unload():
    """Before COPYing millions of trips: drop the secondary indexes and the foreign keys (whose
    deferred per-row checks would otherwise all run at commit); `_restore` rebuilds them once."""
    table = Trip._meta.db_table
    with connection.schema_editor() as editor:
        for index in Trip._meta.indexes:
            editor.remove_index(Trip, index)
    with connection.cursor() as cursor:
        # Run the checks still pending on the tables the foreign keys point to (ALTER needs that).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        constraints = connection.introspection.get_constraints(cursor, table)
        foreign_keys = {name: c for name, c in constraints.items() if c["foreign_key"]}
        for name in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return foreign_keys


def _restore(foreign_keys):
    table = Trip._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, constraint in foreign_keys.items():
            target, column = constraint["foreign_key"]
            cursor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("{constraint["columns"][0]}") '
                f'REFERENCES "{target}" ("{column}") DEFERRABLE INITIALLY DEFERRED'
            )
    with connection.schema_editor() as editor:
        for index in Trip._meta.indexes:
            editor.add_index(Trip, index)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')


def _copy(buffer):
    buffer.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {Trip._meta.db_table} ({', '.join(TRIP_COLUMNS)}) FROM STDIN") as copy,
    ):
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)
    tablecache.changed(Trip._meta.db_table)  # COPY does not pass the execute() that tablecache watches


def _insert(rows):
    """Other databases (the SQLite demo): plain bulk inserts, without audit entries."""
    names = [c.strip('"') for c in TRIP_COLUMNS]
    trips = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for key in ("start", "end"):
            values[key] = datetime.datetime.fromisoformat(values[key] + ":00")
        for key in ("created", "updated"):
            values[key] = datetime.datetime.fromisoformat(values[key])
        trips.append(Trip(**values))
    models.QuerySet(Trip).bulk_create(trips, batch_size=2000)


def seed_support(ctx, vehicles):
    rng = ctx.rng
    pool = [v for v in vehicles if v.category == Category.ENFORCEMENT and v.status == Status.IN_SERVICE]
    requests = []
    for unit in ctx.units:
        for _ in range(rng.randint(0, 8)):
            start = datetime.datetime(ctx.year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 15), tzinfo=TZ)
            roll = rng.random()
            status = (
                SupportStatus.DISPATCHED
                if roll < 0.85
                else SupportStatus.UNFULFILLED
                if roll < 0.93
                else SupportStatus.CANCELLED
                if roll < 0.97
                else SupportStatus.REQUESTED
            )
            requests.append(
                SupportRequest(
                    unit=unit,
                    task=rng.choice(("联合执法检查", "安全生产检查", "防汛巡查", "市场监管执法", "夜间巡查")),
                    start=start,
                    end=start + datetime.timedelta(hours=rng.randint(2, 8)),
                    place=rng.choice(PLACES),
                    passengers=rng.randint(1, 6),
                    status=status,
                    vehicle=rng.choice(pool) if status == SupportStatus.DISPATCHED and pool else None,
                    reason="保障车辆均已派出" if status == SupportStatus.UNFULFILLED else "",
                )
            )
    SupportRequest.objects.bulk_create(requests, batch_size=2000)


def seed_rentals(ctx):
    rng = ctx.rng
    orders = []
    for unit in ctx.units[: max(3, len(ctx.units) // 10)]:
        for _ in range(rng.randint(1, 4)):
            start = datetime.date(ctx.year, rng.randint(1, 12), rng.randint(1, 25))
            days = rng.randint(1, 3)
            orders.append(
                RentalOrder(
                    unit=unit,
                    provider=rng.choice(("X市公务用车服务有限公司", "X市交投汽车租赁公司")),
                    vehicle_desc=f"鄂A{rng.randint(10000, 99999)} {rng.choice(RENTAL_MODELS)}",
                    start_date=start,
                    end_date=start + datetime.timedelta(days=days),
                    cost=Decimal(450 * (days + 1)),
                    purpose="重要会议接送",
                )
            )
    RentalOrder.objects.bulk_create(orders)


def seed_inspection(ctx, vehicles):
    rng = ctx.rng
    round_ = InspectionRound.objects.create(
        name=f"{ctx.year} 年公车标识喷涂专项检查",
        start_date=datetime.date(ctx.year, 6, 1),
        end_date=datetime.date(ctx.year, 6, 30),
        note="结合全市文明创建开展公车标识喷涂和车容车貌检查。",
    )
    results = []
    for v in vehicles:
        if v.status != Status.IN_SERVICE:
            continue
        if v.marking == Marking.EXEMPT:
            outcome = InspectionOutcome.EXEMPT
        else:
            outcome = pick(
                rng,
                [
                    (InspectionOutcome.COMPLIANT, 90),
                    (InspectionOutcome.MARK_MISSING, 3),
                    (InspectionOutcome.DAMAGED, 3),
                    (InspectionOutcome.DIRTY, 4),
                ],
            )
        failing = outcome not in (InspectionOutcome.COMPLIANT, InspectionOutcome.EXEMPT)
        checked = datetime.date(ctx.year, 6, rng.randint(1, 25))
        results.append(
            Inspection(
                round=round_,
                vehicle=v,
                unit_id=v.unit_id,
                checked_on=checked,
                outcome=outcome,
                exempt_reason="安全保卫用车" if outcome == InspectionOutcome.EXEMPT else "",
                rectify_by=checked + datetime.timedelta(days=15) if failing else None,
                rectified_on=checked + datetime.timedelta(days=rng.randint(3, 20))
                if failing and rng.random() < 0.7
                else None,
            )
        )
    Inspection.objects.bulk_create(results, batch_size=2000)


def seed_costs(ctx, vehicles, rng):
    costs = []
    for v in vehicles:
        if v.status not in (Status.IN_SERVICE, Status.REPAIR) or v.purchase_date.year > ctx.year:
            continue
        electric = v.energy_type in (EnergyType.BEV, EnergyType.FCEV)
        for month in range(1, 13):
            costs.append(
                RunningCost(
                    vehicle=v,
                    unit_id=v.unit_id,
                    date=datetime.date(ctx.year, month, 20),
                    kind=CostKind.CHARGING if electric else CostKind.FUEL,
                    amount=Decimal(rng.randint(150, 400) if electric else rng.randint(600, 1400)),
                )
            )
        costs.append(
            RunningCost(
                vehicle=v,
                unit_id=v.unit_id,
                date=datetime.date(ctx.year, 3, 1),
                kind=CostKind.INSURANCE,
                amount=Decimal(rng.randint(3500, 6000)),
            )
        )
        if rng.random() < 0.6:
            costs.append(
                RunningCost(
                    vehicle=v,
                    unit_id=v.unit_id,
                    date=datetime.date(ctx.year, rng.randint(1, 12), 10),
                    kind=CostKind.MAINTENANCE,
                    amount=Decimal(rng.randint(500, 5000)),
                )
            )
    RunningCost.objects.bulk_create(costs, batch_size=5000)
