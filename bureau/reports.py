"""The report-sheet registry and the annual workbook built from it.

An app registers its annual statistics tables in its `reports.py`:

    @report("offices.overview", "办公用房情况统计表", order=10)
    def overview(out, year, units):
        out.title("……")                       # optional title lines (official layout)
        out.header(["单位", "房间数", "面积（m²）"])
        for row in ...:                      # stream rows; never build the whole table in memory
            out.row([...])
        out.total(["合计", n, area])

The workbook is a cover sheet, a contents sheet, then every registered sheet in order, written in
openpyxl's write-only (streaming) mode.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bureau.excel import append


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    func: object = field(repr=False)
    order: int = 100
    area: str = ""


REGISTRY = {}


def report(key, title, *, order=100, area=None):
    def register(func):
        if key in REGISTRY and REGISTRY[key].func is not func:
            raise ValueError(f"report sheet {key!r} is registered twice")
        REGISTRY[key] = Sheet(key, str(title), func, order, area or key.split(".")[0])
        return func

    return register


def all_sheets():
    return sorted(REGISTRY.values(), key=lambda s: (s.order, s.key))


class SheetWriter:
    """What a report function writes through: values are made safe (no formula injection)."""

    def __init__(self, worksheet):
        self.ws = worksheet
        self.rows = 0
        self.bold = Font(bold=True)

    def _styled(self, values, font=None, align=None):
        append(self.ws, values, font=font, alignment=align)
        self.rows += 1

    def title(self, text):
        self._styled([text], Font(bold=True, size=14))

    def note(self, text):
        self._styled([text], Font(italic=True, color="666666"))

    def header(self, values):
        self._styled(values, self.bold, Alignment(horizontal="center", wrap_text=True))

    def row(self, values):
        append(self.ws, values)
        self.rows += 1

    def total(self, values):
        self._styled(values, self.bold)


def sheet_name(title, used):
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    name = "".join("_" if c in "[]:*?/\\" else c for c in title)[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def build_workbook(path, year, units, *, by="", scope_label="全市", progress=None, sheets=None):
    """Write the annual workbook to `path`; `progress(done, total)` is called after each sheet."""
    sheets = sheets if sheets is not None else all_sheets()
    wb = Workbook(write_only=True)
    used = set()
    cover = SheetWriter(wb.create_sheet(sheet_name("封面", used)))
    cover.title(f"{year} 年度机关事务统计报表")
    cover.row(["统计范围", scope_label])
    cover.row(["单位数", units.count()])
    cover.row(["生成时间", timezone.localtime().replace(tzinfo=None, microsecond=0)])
    cover.row(["生成人", by])
    contents = SheetWriter(wb.create_sheet(sheet_name("目录", used)))
    contents.header(["序号", "表名", "工作表"])
    names = [sheet_name(s.title, used) for s in sheets]
    for i, (s, name) in enumerate(zip(sheets, names, strict=True), 1):
        contents.row([i, s.title, name])
    for done, (s, name) in enumerate(zip(sheets, names, strict=True), 1):
        out = SheetWriter(wb.create_sheet(name))
        s.func(out, year, units)
        if progress:
            progress(done, len(sheets))
    wb.save(path)
    return names


# The core's own sheet.


@report("bureau.units", "单位名录", order=1)
def unit_sheet(out, year, units):
    from django.db.models import Count

    out.title(f"{year} 年度单位名录")
    out.header(["序号", "单位名称", "统一社会信用代码", "单位类别", "公共机构", "在册人员"])
    rows = units.filter(active=True).annotate(staff=Count("persons")).order_by("name")
    total = 0
    for i, unit in enumerate(rows.iterator(chunk_size=500), 1):
        out.row(
            [i, unit.name, unit.uscc, unit.get_kind_display(), "是" if unit.is_public_institution else "否", unit.staff]
        )
        total += unit.staff
    out.total(["合计", "", "", "", "", total])


@report("bureau.metrics", "主要指标汇总", order=2)
def metric_sheet(out, year, units):
    """Every registered figure for the workbook's scope, this year and last: a closed year's from
    its snapshot, like the dashboard (bureau.snapshots)."""
    from django.apps import apps

    from bureau import metrics, snapshots

    closed = snapshots.closed_version(year)
    out.title(f"{year} 年度主要指标汇总" + (f"（{year} 年度已关账，第 {closed.version} 版快照）" if closed else ""))
    out.header(["领域", "指标", "计量单位", f"{year} 年", f"{year - 1} 年"])
    for m in metrics.all_metrics():
        area = apps.get_app_config(m.area).verbose_name if apps.is_installed(m.area) else m.area
        out.row([str(area), m.label, m.unit_of_measure, m.compute(year, units), m.compute(year - 1, units)])
