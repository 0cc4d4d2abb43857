"""The energy sheets of the annual workbook."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from bureau.reports import report
from energy import overview
from energy.choices import LITRE, Item, official_unit
from energy.models import Consumption, FactorSet, Profile, Retrofit, VerificationFlag

ITEMS = list(Item)


def _r(value, places=2):
    return None if value is None else round(float(value), places)


@report("energy.consumption", "公共机构能源资源消费统计表", order=300)
def consumption(out, year, units):
    """Per institution, each item's annual quantity in its official unit and cost (统计调查制度 layout)."""
    out.title(f"{year} 年度公共机构能源资源消费统计表")
    out.note("实物量按法定计量单位；按升报送的油品以所用系数集的密度折算为千克。")
    header = ["单位名称", "统一社会信用代码", "建筑面积（m²）", "用能人数"]
    for item in ITEMS:
        header += [f"{item.label}（{official_unit(item)}）", f"{item.label}金额（元）"]
    out.header([*header, "综合能耗（tce）", "二氧化碳（tCO₂）"])
    density = {
        (f.factor_set_id, f.item): f.density
        for fs in FactorSet.objects.prefetch_related("factors")
        for f in fs.factors.all()
    }
    sums = (
        Consumption.objects.filter(year=year, unit__in=units)
        .order_by()
        .values_list("unit_id", "item", "measure", "factor_set_id")
        .annotate(q=Sum("quantity"), c=Sum("cost"), k=Sum("kgce"), e=Sum("co2_kg"))
    )
    table = defaultdict(lambda: defaultdict(Decimal))
    for unit_id, item, measure, set_id, q, c, k, e in sums:
        row = table[unit_id]
        row[(item, "q")] += q * density.get((set_id, item), 0) if measure == LITRE else q
        row[(item, "c")] += c
        row["kgce"] += k
        row["co2"] += e
    profiles = {
        p[0]: p[1:]
        for p in Profile.objects.filter(year=year, unit__in=units).values_list("unit_id", "floor_area", "people")
    }
    grand = defaultdict(Decimal)
    for unit_id, name, uscc in units.filter(pk__in=table.keys()).order_by("name").values_list("pk", "name", "uscc"):
        row = table[unit_id]
        area, people = profiles.get(unit_id, (None, None))
        cells = [name, uscc, _r(area), people]
        for item in ITEMS:
            cells += [_r(row[(item, "q")], 3), _r(row[(item, "c")])]
            grand[(item, "q")] += row[(item, "q")]
            grand[(item, "c")] += row[(item, "c")]
        grand["kgce"] += row["kgce"]
        grand["co2"] += row["co2"]
        out.row([*cells, _r(row["kgce"] / 1000, 3), _r(row["co2"] / 1000, 3)])
    totals = ["合计", "", None, None]
    for item in ITEMS:
        totals += [_r(grand[(item, "q")], 3), _r(grand[(item, "c")])]
    out.total([*totals, _r(grand["kgce"] / 1000, 3), _r(grand["co2"] / 1000, 3)])


@report("energy.summary", "公共机构能耗汇总表", order=310)
def summary(out, year, units):
    data = overview.build(year, units)
    out.title(f"{year} 年度公共机构能耗汇总表（含同比及“十四五”目标进度）")
    out.header(["指标", "数值", "同比"])
    total, yoy, inten = data["total"], data["yoy"], data["intensity"]
    out.row(["综合能耗（tce）", _r(total.tce, 3), _r(yoy["tce"], 4)])
    out.row(["二氧化碳排放（tCO₂）", _r(total.co2_t, 3), _r(yoy["co2"], 4)])
    for key, label in (
        ("kgce_per_m2", "单位建筑面积能耗（kgce/m²）"),
        ("kgce_per_person", "人均综合能耗（kgce/人）"),
        ("water_per_person", "人均用水量（m³/人）"),
        ("co2_per_m2", "单位建筑面积碳排放（kgCO₂/m²）"),
    ):
        out.row([label, _r(inten[key], 4), _r(yoy[key], 4)])
    out.header(["目标指标", "基准年", "基准值", "本年值", "较基准年变化", "目标变化", "目标年", "是否达到"])
    for t in data["targets"]:
        out.row(
            [
                str(t["label"]),
                t["base_year"] or "—",
                _r(t["base"], 4),
                _r(t["value"], 4),
                _r(t["change"], 4),
                _r(t["target"], 4),
                t["target_year"],
                "—" if t["value"] is None else ("是" if t["on_track"] else "否"),
            ]
        )
    out.header(
        ["单位", "建筑面积（m²）", "用能人数", "综合能耗（tce）", "同比", "kgce/m²", "kgce/人", "用水 m³/人", "tCO₂"]
    )
    for u in data["units"]:
        r = u["r"]
        out.row(
            [
                u["name"],
                _r(r.floor_area),
                r.people,
                _r(r.tce, 3),
                _r(u["yoy"], 4),
                _r(r.kgce_per_m2, 3),
                _r(r.kgce_per_person, 3),
                _r(r.water_per_person, 3),
                _r(r.co2_t, 3),
            ]
        )


@report("energy.flags", "能耗数据核查问题清单", order=320)
def flags(out, year, units):
    out.title(f"{year} 年度公共机构能耗数据核查会审问题清单")
    out.header(["单位", "检查项", "品种", "提示", "是否处理", "处理说明"])
    rows = (
        VerificationFlag.objects.filter(year=year, unit__in=units).select_related("unit").order_by("unit__name", "kind")
    )
    for f in rows.iterator(chunk_size=2000):
        out.row(
            [
                f.unit.name,
                f.get_kind_display(),
                f.get_item_display() if f.item else "",
                f.message,
                "是" if f.resolved else "否",
                f.note,
            ]
        )


@report("energy.retrofits", "节能低碳改造及合同能源管理项目表", order=330)
def retrofits(out, year, units):
    out.title(f"{year} 年度节能低碳改造及合同能源管理项目表")
    out.header(
        [
            "单位",
            "项目名称",
            "类型",
            "合同能源管理模式",
            "实施单位",
            "投资额（元）",
            "开工年度",
            "预计节能（tce）",
            "预计减碳（tCO₂）",
            "实测节能（tce）",
            "实测减碳（tCO₂）",
            "状态",
        ]
    )
    total = defaultdict(Decimal)
    rows = (
        Retrofit.objects.filter(unit__in=units, start_year__lte=year)
        .select_related("unit")
        .order_by("unit__name", "name")
    )
    for p in rows.iterator(chunk_size=2000):
        out.row(
            [
                p.unit.name,
                p.name,
                p.get_kind_display(),
                p.get_emc_mode_display() if p.emc_mode else "",
                p.contractor,
                _r(p.investment),
                p.start_year,
                _r(p.expected_tce, 3),
                _r(p.expected_co2_t, 3),
                _r(p.measured_tce, 3),
                _r(p.measured_co2_t, 3),
                p.get_state_display(),
            ]
        )
        for name in ("investment", "expected_tce", "expected_co2_t"):
            total[name] += getattr(p, name)
    out.total(
        [
            "合计",
            "",
            "",
            "",
            "",
            _r(total["investment"]),
            "",
            _r(total["expected_tce"], 3),
            _r(total["expected_co2_t"], 3),
        ]
    )
