"""公务用车 annual statistics sheets. Each reads one grouped query per table, then streams a row
per unit."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from bureau.reports import report
from vehicles import queries
from vehicles.choices import NEW_ENERGY, Category, CostKind, InspectionOutcome, SupportStatus
from vehicles.models import Inspection, RunningCost, SupportRequest, UnitMonthlyUsage


def unit_rows(units):
    return units.order_by("name").values_list("pk", "name")


@report("vehicles.fleet", "公务用车配备情况表", order=200)
def fleet(out, year, units):
    out.title(f"{year} 年公务用车配备情况表（年末在用，按单位和类别）")
    header = ["单位"]
    for _key, label in Category.choices:
        header += [f"{label}", f"{label}·新能源"]
    out.header([*header, "合计", "其中新能源", "新能源占比（%）"])
    counts = defaultdict(lambda: [0, 0])
    rows = (
        queries.fleet(year, units)
        .order_by()
        .values_list("unit_id", "category")
        .annotate(n=Count("pk"), nev=Count("pk", filter=Q(energy_type__in=NEW_ENERGY)))
    )
    for unit_id, category, n, nev in rows:
        counts[(unit_id, category)] = [n, nev]
    totals = [0] * (2 * len(Category.choices) + 2)
    for unit_id, name in unit_rows(units):
        cells = []
        for key, _label in Category.choices:
            cells += counts[(unit_id, key)]
        cells += [sum(cells[0::2]), sum(cells[1::2])]
        totals = [a + b for a, b in zip(totals, cells, strict=True)]
        out.row([name, *cells, queries.share(cells[-1], cells[-2])])
    out.total(["合计", *totals, queries.share(totals[-1], totals[-2])])


@report("vehicles.quota", "公务用车编制使用情况表", order=210)
def quota(out, year, units):
    out.title(f"{year} 年公务用车编制使用情况表")
    out.note("编制数为年末有效的核定数；在用数取自车辆登记的当前状态（在用、维修）。")
    out.header(["单位", "车辆类别", "编制数", "在用数", "超编数"])
    use = queries.quota_use(units, queries.year_end(year))
    approved_total = in_service_total = 0
    for unit_id, name in unit_rows(units):
        for key, label in Category.choices:
            if (unit_id, key) in use:
                approved, in_service = use[(unit_id, key)]
                approved_total += approved
                in_service_total += in_service
                out.row([name, str(label), approved, in_service, max(in_service - approved, 0)])
    out.total(["合计", "", approved_total, in_service_total, max(in_service_total - approved_total, 0)])


@report("vehicles.usage", "公务用车使用及运行费用表", order=220)
def usage(out, year, units):
    out.title(f"{year} 年公务用车使用及运行费用表")
    kinds = CostKind.choices
    out.header(
        ["单位", "出车行程数", "行驶里程（公里）", "用车时长（小时）", "异常行程数"]
        + [f"{label}（元）" for _k, label in kinds]
        + ["费用合计（元）", "每公里费用（元）"]
    )
    usage_rows = {
        row["unit_id"]: row
        for row in UnitMonthlyUsage.objects.filter(unit__in=units, month__year=year)
        .order_by()
        .values("unit_id")
        .annotate(trips=Sum("trips"), km=Sum("km"), hours=Sum("hours"), odd=Sum("anomalous"))
    }
    costs = defaultdict(Decimal)
    for unit_id, kind, amount in (
        RunningCost.objects.filter(unit__in=units, date__year=year)
        .order_by()
        .values_list("unit_id", "kind")
        .annotate(total=Sum("amount"))
    ):
        costs[(unit_id, kind)] = amount
    totals = [0, Decimal(0), Decimal(0), 0] + [Decimal(0)] * (len(kinds) + 1)
    for unit_id, name in unit_rows(units):
        use = usage_rows.get(unit_id, {})
        by_kind = [costs[(unit_id, k)] for k, _label in kinds]
        cells = [
            use.get("trips") or 0,
            use.get("km") or Decimal(0),
            use.get("hours") or Decimal(0),
            use.get("odd") or 0,
        ]
        cells += [*by_kind, sum(by_kind)]
        totals = [a + b for a, b in zip(totals, cells, strict=True)]
        out.row([name, *cells, per_km(cells[-1], cells[1])])
    out.total(["合计", *totals, per_km(totals[-1], totals[1])])


def per_km(cost, km):
    return round(cost / km, 2) if km else None


@report("vehicles.support", "执法执勤用车保障情况表", order=230)
def support(out, year, units):
    out.title(f"{year} 年执法执勤用车保障情况表")
    out.note("保障率 = 已派车 ÷（申请数 − 已取消）。")
    out.header(["单位", "申请数", "已派车", "未能保障", "待派车", "保障率（%）"])
    rows = {
        unit_id: (n, done, failed, waiting)
        for unit_id, n, done, failed, waiting in SupportRequest.objects.filter(unit__in=units, start__year=year)
        .exclude(status=SupportStatus.CANCELLED)
        .order_by()
        .values_list("unit_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=SupportStatus.DISPATCHED)),
            failed=Count("pk", filter=Q(status=SupportStatus.UNFULFILLED)),
            waiting=Count("pk", filter=Q(status=SupportStatus.REQUESTED)),
        )
    }
    totals = [0, 0, 0, 0]
    for unit_id, name in unit_rows(units):
        cells = list(rows.get(unit_id, (0, 0, 0, 0)))
        if cells[0]:
            totals = [a + b for a, b in zip(totals, cells, strict=True)]
            out.row([name, *cells, queries.share(cells[1], cells[0])])
    out.total(["合计", *totals, queries.share(totals[1], totals[0])])


@report("vehicles.inspection", "公车标识喷涂检查情况表", order=240)
def inspection(out, year, units):
    out.title(f"{year} 年公车标识喷涂及车容车貌检查情况表")
    out.note("合格率 = 合格 ÷（检查车辆 − 免检）。")
    outcomes = InspectionOutcome.choices
    out.header(["单位", "检查车辆", *[str(label) for _k, label in outcomes], "待整改", "合格率（%）"])
    found = defaultdict(int)
    waiting = defaultdict(int)
    for unit_id, outcome, n, open_ in (
        Inspection.objects.filter(unit__in=units, round__start_date__year=year)
        .order_by()
        .values_list("unit_id", "outcome")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(rectify_by__isnull=False, rectified_on__isnull=True)))
    ):
        found[(unit_id, outcome)] = n
        waiting[unit_id] += open_
    totals = [0] * (len(outcomes) + 2)
    for unit_id, name in unit_rows(units):
        by_outcome = [found[(unit_id, k)] for k, _label in outcomes]
        cells = [sum(by_outcome), *by_outcome, waiting[unit_id]]
        if cells[0]:
            totals = [a + b for a, b in zip(totals, cells, strict=True)]
            out.row([name, *cells, compliance(cells)])
    out.total(["合计", *totals, compliance(totals)])


def compliance(cells):
    # cells: checked, then the outcomes in InspectionOutcome order (compliant first, exempt last).
    return queries.share(cells[1], cells[0] - cells[len(InspectionOutcome.choices)])
