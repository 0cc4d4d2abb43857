"""The office-space annual tables. Each costs a handful of grouped queries for the whole city."""

from decimal import Decimal

from django.db.models import Count, Q, Sum

from bureau.reports import report
from offices import overstandard
from offices.choices import REVIEWED_STATES, BuildingStatus, RepairState, RoomCategory, TitleState
from offices.models import Building, RepairProject, Room

CATEGORIES = list(RoomCategory)


def _ratio(part, whole):
    return round(float(part) / float(whole), 4) if whole else None


@report("offices.overview", "办公用房情况统计表", order=10)
def overview(out, year, units):
    limits = overstandard.limits_on(overstandard.year_end(year))
    by_class = {}
    for row in (
        Room.objects.filter(unit__in=units)
        .order_by()
        .values("unit", "category")
        .annotate(n=Count("pk"), area=Sum("usable_area"))
    ):
        by_class[(row["unit"], row["category"])] = (row["n"], row["area"])
    out.title(f"{year} 年度办公用房情况统计表")
    out.header(
        ["单位", "房间数"]
        + [f"{c.label}（m²）" for c in CATEGORIES]
        + [
            "合计（m²）",
            "人数",
            "办公室用房标准面积（m²）",
            "办公室用房超出标准（m²）",
            "超标房间数",
            "房间超标面积（m²）",
        ]
    )
    total = [0] + [Decimal("0")] * len(CATEGORIES) + [Decimal("0"), 0, Decimal("0"), Decimal("0"), 0, Decimal("0")]
    for s in overstandard.unit_summary(units, limits):
        pk = s["unit"].pk
        counts = [by_class.get((pk, c), (0, Decimal("0"))) for c in CATEGORIES]
        areas = [a for _n, a in counts]
        values = [sum(n for n, _a in counts), *areas, sum(areas, Decimal("0"))]
        values += [s["staff"], s["standard_area"], s["unit_excess"], s["rooms_over"], s["rooms_excess"]]
        out.row([s["unit"].name, *values])
        total = [t + v for t, v in zip(total, values, strict=True)]
    out.total(["合计", *total])


@report("offices.over_standard", "超标准使用办公用房情况表", order=11)
def over_standard_findings(out, year, units):
    limits = overstandard.limits_on(overstandard.year_end(year))
    out.title(f"{year} 年度超标准使用办公用房情况表")
    out.header(["单位", "楼宇", "房间号", "使用面积（m²）", "使用人（职级）", "标准面积（m²）", "超标面积（m²）"])
    rooms = overstandard.finding_rooms(overstandard.findings(Room.objects.filter(unit__in=units), limits), limits)
    n, excess = 0, Decimal("0")
    for room in rooms:
        people = "、".join(f"{p.name}（{p.get_rank_display()}）" for p in room.occupants.all())
        out.row(
            [room.unit.name, room.building.name, room.number, room.usable_area, people, room.standard_area, room.excess]
        )
        n, excess = n + 1, excess + room.excess
    out.total([f"合计 {n} 间", "", "", "", "", "", excess])


@report("offices.repairs", "办公用房大中修项目审核情况表", order=12)
def repairs(out, year, units):
    out.title(f"{year} 年度办公用房维修项目审核情况表")
    out.header(
        ["单位", "楼宇", "项目名称", "类别", "状态", "申报概算（元）", "审定金额（元）", "核减额（元）", "核减率"]
    )
    projects = (
        RepairProject.objects.filter(year=year, unit__in=units)
        .select_related("unit", "building")
        .order_by("unit__name", "pk")
    )
    requested = approved = cut = Decimal("0")
    for p in projects:
        out.row(
            [
                p.unit.name,
                p.building.name,
                p.title,
                p.get_kind_display(),
                p.get_state_display(),
                p.requested_amount,
                p.approved_amount,
                p.cut_amount,
                float(p.cut_rate) if p.cut_rate is not None else None,
            ]
        )
        if p.state in REVIEWED_STATES:
            requested, approved, cut = requested + p.requested_amount, approved + p.approved_amount, cut + p.cut_amount
    out.total(["已批复合计", "", "", "", "", requested, approved, cut, _ratio(cut, requested)])
    out.note(f"核减率 = 核减额 ÷ 申报概算；合计只含{RepairState.APPROVED.label}、实施中和已验收的项目。")


@report("offices.titles", "办公用房权属登记情况表", order=13)
def titles(out, year, units):
    out.title(f"{year} 年度办公用房权属统一登记情况表")
    out.header(
        [
            "单位",
            "楼宇数",
            "建筑面积（m²）",
            "已统一登记（栋）",
            "已登记面积（m²）",
            "待登记（栋）",
            "历史遗留备案（栋）",
            "登记率",
            "是否全部登记",
        ]
    )
    registered = Q(title_state=TitleState.REGISTERED)
    rows = (
        Building.objects.filter(unit__in=units)
        .exclude(status=BuildingStatus.DISPOSED)
        .order_by("unit__name")
        .values("unit__name")
        .annotate(
            n=Count("pk"),
            area=Sum("floor_area"),
            done=Count("pk", filter=registered),
            done_area=Sum("floor_area", filter=registered),
            pending=Count("pk", filter=Q(title_state=TitleState.PENDING)),
            filed=Count("pk", filter=Q(title_state=TitleState.FILED)),
        )
    )
    total = [0, Decimal("0"), 0, Decimal("0"), 0, 0]
    complete = 0
    for r in rows:
        values = [r["n"], r["area"], r["done"], r["done_area"] or Decimal("0"), r["pending"], r["filed"]]
        complete += r["done"] == r["n"]
        out.row([r["unit__name"], *values, _ratio(r["done"], r["n"]), "是" if r["done"] == r["n"] else "否"])
        total = [t + v for t, v in zip(total, values, strict=True)]
    out.total(["合计", *total, _ratio(total[2], total[0]), f"{complete} 家全部登记"])
