"""Demo data for 公共机构节能: base data and five years of monthly consumption per institution, some
anomalies for the verification meeting, audits, 节约型机关 checklists, retrofits and inspections.
City scale adds public institutions until there are 1,000 (5 years x 12 months each)."""

import datetime
from decimal import Decimal

from django.db import connection, models
from django.db.models import Count

from bureau import audit
from bureau.choices import AuditAction, UnitKind
from bureau.demo import make_uscc
from bureau.models import Person, Unit
from energy import figures, verification
from energy.choices import (
    AuditState,
    CreationState,
    EmcMode,
    InspectionResult,
    InspectionTopic,
    Item,
    ProjectState,
    RetrofitKind,
    official_unit,
)
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    FactorSet,
    Inspection,
    MonthlyRollup,
    Profile,
    Retrofit,
)

CITY_INSTITUTIONS = 1000
YEARS = 5
DISTRICTS = ["江岸", "江汉", "硚口", "汉阳", "武昌", "青山", "洪山", "东西湖", "蔡甸", "江夏"]
KINDS = ["中学", "小学", "幼儿园", "卫生院", "社区服务中心", "图书馆", "文化馆", "体育中心", "疾控中心", "档案馆"]
# Electricity use by month relative to the average: air-conditioning in summer, heating in winter.
SEASON = [1.15, 1.05, 0.9, 0.85, 0.95, 1.1, 1.3, 1.3, 1.05, 0.85, 0.9, 1.1]
HEATING_MONTHS = (1, 2, 3, 11, 12)


def extra_institutions(ctx, count):
    used = set(Unit.objects.values_list("uscc", flat=True))
    units = []
    for n in range(count):
        code = make_uscc(ctx.rng, "12")
        while code in used:
            code = make_uscc(ctx.rng, "12")
        used.add(code)
        district, kind = DISTRICTS[n % len(DISTRICTS)], KINDS[(n // len(DISTRICTS)) % len(KINDS)]
        name = f"X市{district}区第{n // 100 + 1}{kind}（{n + 1:03d}）"
        units.append(Unit(name=name, short_name=name[:30], uscc=code, kind=UnitKind.INSTITUTION))
    return Unit.objects.bulk_create(units, batch_size=1000)


def seed(ctx):
    rng = ctx.rng
    units = list(ctx.units)
    if ctx.scale == "city":
        units += extra_institutions(ctx, CITY_INSTITUTIONS - len(units))
    years = range(ctx.year - YEARS + 1, ctx.year + 1)
    staff = dict(
        Person.objects.filter(unit__in=units)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )

    # Base data: floor area and people per unit, slowly changing over the years.
    shape = {}
    profiles = []
    for u in units:
        # 用能人数 as on the personnel register (a few differ, to show the warning); 25-45 m² each.
        people = staff.get(u.pk) or rng.randint(20, 300)
        if rng.random() < 0.02:
            people += rng.randint(1, 10)
        area = Decimal(people * rng.randint(25, 45))
        uses = {
            Item.NATURAL_GAS: rng.random() < 0.6,
            Item.GASOLINE: rng.random() < 0.7,
            Item.DIESEL: rng.random() < 0.2,
            Item.HEAT: rng.random() < 0.1,
            Item.SOLAR: rng.random() < 0.1,
        }
        shape[u.pk] = (area, people, uses, rng.uniform(60, 110))
        for year in years:
            profiles.append(
                Profile(
                    unit=u, year=year, floor_area=area, heated_area=area / 2 if uses[Item.HEAT] else 0, people=people
                )
            )
    Profile.objects.bulk_create(profiles, batch_size=5000)

    # Anomalies the verification meeting should find in the last year.
    gaps = {u.pk: rng.randint(1, 12) for u in rng.sample(units, max(1, len(units) // 50))}
    jumps = {u.pk for u in rng.sample(units, max(1, len(units) // 40))}

    for year in years:
        factor_set = FactorSet.for_year(year)
        factors = figures.factors_of(factor_set)
        trend = 1 - 0.02 * (year - years[0])  # 2% less energy a year, towards the 十四五 targets
        rows = []
        for u in units:
            area, people, uses, kwh_per_m2 = shape[u.pk]
            jump = 1.35 if year == ctx.year and u.pk in jumps else 1
            for month in range(1, 13):
                if year == ctx.year and gaps.get(u.pk) == month:
                    continue
                noise = rng.uniform(0.93, 1.07)
                base = float(area) * trend * jump * noise / 12
                quantities = {
                    Item.ELECTRICITY: base * kwh_per_m2 * SEASON[month - 1],
                    Item.WATER: people * 40 / 12 * noise,
                }
                if uses[Item.NATURAL_GAS]:
                    quantities[Item.NATURAL_GAS] = base * 2
                if uses[Item.GASOLINE]:
                    quantities[Item.GASOLINE] = people * 3 * noise
                if uses[Item.DIESEL]:
                    quantities[Item.DIESEL] = people * 1.5 * noise
                if uses[Item.HEAT] and month in HEATING_MONTHS:
                    quantities[Item.HEAT] = base * 0.25
                if uses[Item.SOLAR]:
                    quantities[Item.SOLAR] = base * 4 * (2 - SEASON[month - 1])
                for item, q in quantities.items():
                    quantity = Decimal(f"{q:.3f}")
                    row = Consumption(
                        unit=u, year=year, month=month, item=item, quantity=quantity, measure=official_unit(item)
                    )
                    figures.compute_row(row, factor_set, factors)
                    row.cost = (quantity * PRICE[item]).quantize(Decimal("0.01"))
                    rows.append(row)
        # Synthetic rows skip the per-row audit entries (a quarter of a million at city scale, which
        # would triple the load time); one entry records the load instead.
        models.QuerySet(Consumption).bulk_create(rows, batch_size=5000)
        figures.rebuild_rollups(year)
        audit.record(
            AuditAction.ACTION,
            model=Consumption,
            object_repr=f"演示数据：载入 {year} 年能耗 {len(rows)} 条",
            changes={"year": year, "rows": len(rows)},
        )

    if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses on an empty table
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {Consumption._meta.db_table}, {MonthlyRollup._meta.db_table}, {Profile._meta.db_table}"
            )
    verification.run(
        ctx.year, Unit.objects.filter(pk__in=[u.pk for u in units]), today=datetime.date(ctx.year + 1, 4, 1)
    )
    seed_programmes(ctx, units)


PRICE = {
    Item.ELECTRICITY: Decimal("0.85"),
    Item.WATER: Decimal("4.2"),
    Item.NATURAL_GAS: Decimal("3.6"),
    Item.GASOLINE: Decimal("10.5"),
    Item.DIESEL: Decimal("9.2"),
    Item.HEAT: Decimal("60"),
    Item.SOLAR: Decimal(0),
}


def seed_programmes(ctx, units):
    rng, year = ctx.rng, ctx.year
    organs = [u for u in units if u.kind != UnitKind.INSTITUTION]
    checks = []
    for u in organs:
        done = rng.random() < 0.7
        criteria = {name: done or rng.random() < 0.6 for name in ConservationOrgan.CRITERIA}
        state = CreationState.CREATED if done else rng.choice([CreationState.PLANNED, CreationState.APPLIED])
        checks.append(
            ConservationOrgan(
                unit=u, year=year - rng.randint(0, 1), state=state, evidence="节能管理制度；能耗台账", **criteria
            )
        )
    ConservationOrgan.objects.bulk_create(checks, batch_size=2000)

    key_users = rng.sample(units, max(2, len(units) // 20))
    EnergyAudit.objects.bulk_create(
        EnergyAudit(
            unit=u,
            year=year,
            auditor="X市节能监察中心",
            audit_date=datetime.date(year, rng.randint(3, 10), rng.randint(1, 28)),
            findings="空调系统能效偏低；部分楼层无分项计量。",
            measures="更换高效机组；加装分项计量表。",
            deadline=datetime.date(year + 1, 6, 30),
            state=rng.choice(list(AuditState)),
        )
        for u in key_users
    )
    projects = []
    for i, u in enumerate(rng.sample(units, max(3, len(units) // 15))):
        kind = [RetrofitKind.LOW_CARBON, RetrofitKind.EMC, RetrofitKind.RETROFIT][i % 3]
        expected = Decimal(rng.randint(5, 120))
        state = rng.choice(list(ProjectState))
        done = state in (ProjectState.RUNNING, ProjectState.ACCEPTED)
        projects.append(
            Retrofit(
                unit=u,
                name=rng.choice(["LED 照明改造", "空调系统节能改造", "屋顶光伏", "锅炉低氮改造", "能耗监测平台"]),
                kind=kind,
                emc_mode=EmcMode.SHARING if kind == RetrofitKind.EMC else "",
                contractor="X市节能服务有限公司" if kind == RetrofitKind.EMC else "",
                investment=Decimal(rng.randint(10, 500) * 10000),
                start_year=year - rng.randint(0, 2),
                expected_tce=expected,
                expected_co2_t=expected * Decimal("2.5"),
                measured_tce=expected * Decimal("0.9") if done else None,
                measured_co2_t=expected * Decimal("2.2") if done else None,
                state=state,
            )
        )
    Retrofit.objects.bulk_create(projects)
    inspections = []
    for u in rng.sample(units, max(4, len(units) // 10)):
        topic = rng.choice(list(InspectionTopic))
        result = rng.choices(list(InspectionResult), [8, 2, 1])[0]
        inspections.append(
            Inspection(
                unit=u,
                topic=topic,
                date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                inspector="节能处检查组",
                result=result,
                findings=""
                if result == InspectionResult.PASS
                else "分类投放点标识不清"
                if topic == "waste"
                else "食堂剩餐较多",
                rectified=result == InspectionResult.PASS,
            )
        )
    Inspection.objects.bulk_create(inspections)
