"""The leader's cockpit: every registered metric as a tile with its target, charts per area, and a
drill-down from the city figure to the units behind it and on to each unit's records.

Nothing here knows an area: tiles, charts and drill-downs come from what the apps register in the
metric registry (area from the key, `monthly` series, `records`, target sources).
"""

import tempfile

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from bureau import generic, metrics, numbers, snapshots, tasks
from bureau.choices import SubmissionState, UnitKind
from bureau.excel import write_rows
from bureau.models import Job, Submission, Unit, YearClose
from bureau.scoping import reach, user_groups

MONTHS = list(range(1, 13))


def periods():
    found = {"": _("全年")}
    found |= {f"q{q}": _("第%(q)d季度") % {"q": q} for q in range(1, 5)}
    found |= {f"m{m}": _("%(m)d月") % {"m": m} for m in MONTHS}
    found |= {f"ytd{m}": _("1-%(m)d月累计") % {"m": m} for m in MONTHS[1:]}
    return found


def months_of(period):
    if period.startswith("q"):
        q = int(period[1:])
        return list(range(3 * q - 2, 3 * q + 1))
    if period.startswith("ytd"):
        return list(range(1, int(period[3:]) + 1))
    if period.startswith("m"):
        return [int(period[1:])]
    return None


def dashboard_areas(user):
    """Whose figures a user sees: leaders and admins every area's, area staff their own."""
    groups = user_groups(user)
    if user.is_superuser or groups & {"leader", "admin"}:
        return {m.area for m in metrics.all_metrics()}
    return {m.area for m in metrics.all_metrics() if m.area in groups}


def can_close(user):
    return user.is_superuser or bool(user_groups(user) & {"leader", "admin"})


def area_label(area):
    return str(apps.get_app_config(area).verbose_name) if apps.is_installed(area) else area


class Filters:
    """What the reader picked: year, period, area, unit kind, one unit (by id, or by name from the
    searchable picker). `units` is the scope every figure is computed for."""

    def __init__(self, request, areas):
        get = request.GET
        today = timezone.localdate()
        try:
            # The last complete year: the one the annual statistics are about.
            self.year = int(get.get("year", today.year - 1))
        except ValueError:
            self.year = today.year - 1
        self.years = list(range(today.year, today.year - 6, -1))
        self.period = get.get("period", "") if get.get("period", "") in periods() else ""
        self.area = get.get("area", "") if get.get("area", "") in areas else ""
        self.kind = get.get("kind", "") if get.get("kind", "") in UnitKind.values else ""
        self.choices = Unit.objects.for_user(request.user, "view")
        # The picker's list: names only (a city has some thousand units).
        self.names = self.choices.order_by("name").values_list("name", "short_name")
        self.unit = None
        self.unit_name = get.get("unit_name", "").strip()
        try:
            if get.get("unit"):
                self.unit = self.choices.get(pk=int(get["unit"]))
            elif self.unit_name:
                self.unit = self.choices.filter(Q(name=self.unit_name) | Q(short_name=self.unit_name)).first()
        except (ValueError, Unit.DoesNotExist):
            raise Http404 from None
        if self.unit is not None:
            self.units = Unit.objects.filter(pk=self.unit.pk)
        elif self.kind:
            self.units = self.choices.filter(kind=self.kind)
        else:
            self.units = self.choices
        self.city = self.unit is None and not self.kind

    def params(self, **changes):
        values = {
            "year": self.year,
            "period": self.period,
            "area": self.area,
            "kind": self.kind,
            "unit": self.unit.pk if self.unit else "",
        } | changes
        return {k: v for k, v in values.items() if v not in ("", None)}

    def query(self, **changes):
        return urlencode(self.params(**changes))

    def scope_label(self):
        if self.unit is not None:
            return self.unit.name
        if self.kind:
            return UnitKind(self.kind).label
        return _("全市")

    def context(self):
        return {
            "f": self,
            "periods": periods().items(),
            "kinds": UnitKind.choices,
            "months": MONTHS,
        }


def figure(m, year, units, period):
    """(value, annual_only): the period's figure where the metric has a monthly series it can sum,
    else the year's (and say so when a period was asked for)."""
    wanted = months_of(period)
    if wanted is None:
        return m.compute(year, units), False
    if m.monthly is None or not m.additive:
        return m.compute(year, units), True
    series = m.months(year, units)
    picked = [series[i - 1] for i in wanted if series[i - 1] is not None]
    return (round(sum(picked), 4) if picked else None), False


def shown(value, m):
    return numbers.figure(value, m.unit_of_measure)


def chart_value(value, m):
    if value is None:
        return None
    return round(value * 100, 2) if m.unit_of_measure == "0-1" else value


def axis_unit(m):
    return "%" if m.unit_of_measure == "0-1" else m.unit_of_measure


def target_text(target, m):
    if target is None:
        return ""
    if target.comparison == "decrease":
        base = shown(target.base, m)
        return _("较基准年下降 %(v)s%%（基准 %(base)s）") % {"v": f"{target.value:g}", "base": base}
    sign = {"ge": "≥", "le": "≤", "eq": "="}[target.comparison]
    return f"{sign} {shown(target.value, m)}"


def trend(current, previous, m):
    if current is None or previous is None or current == previous:
        return ""
    up = current > previous
    if m.higher_is_better is None:
        return "up" if up else "down"
    return ("up good" if up else "down bad") if m.higher_is_better else ("up bad" if up else "down good")


def tile(m, f):
    current, annual_only = figure(m, f.year, f.units, f.period)
    previous, _annual = figure(m, f.year - 1, f.units, f.period)
    # Plan targets are the city's, for the year.
    target = metrics.target_for(m.key, f.year) if f.city and not f.period else None
    return {
        "metric": m,
        "value": current,
        "previous": previous,
        "shown": shown(current, m),
        "shown_previous": shown(previous, m),
        "trend": trend(current, previous, m),
        "annual_only": annual_only,
        "target": target_text(target, m),
        "target_source": target.label if target else "",
        "colour": metrics.judge(target, current, f.year) if target else None,
        "url": reverse("cockpit_metric", args=[m.key]) + "?" + f.query(),
    }


def tabulated(chart):
    """A chart's data as a table (for screen readers and copying): a row per category."""
    chart["table_head"] = [chart["x_label"], *(s["name"] for s in chart["series"])]
    chart["table"] = [[c, *(s["data"][i] for s in chart["series"])] for i, c in enumerate(chart["categories"])]
    return chart


def trend_chart(m, f):
    """This year's months against last year's, for a metric with a monthly series."""
    this, last = m.months(f.year, f.units), m.months(f.year - 1, f.units)
    url = reverse("cockpit_metric", args=[m.key])
    return tabulated(
        {
            "id": f"trend-{m.key}",
            "kind": "line",
            "title": _("%(label)s 月度趋势（%(scope)s）") % {"label": m.label, "scope": f.scope_label()},
            "unit": axis_unit(m),
            "x_label": _("月份"),
            "categories": [_("%(m)d月") % {"m": i} for i in MONTHS],
            "series": [
                {"name": _("%(y)d年") % {"y": f.year}, "data": [chart_value(v, m) for v in this]},
                {"name": _("%(y)d年") % {"y": f.year - 1}, "data": [chart_value(v, m) for v in last]},
            ],
            "links": [f"{url}?{f.query(period=f'm{i}')}" for i in MONTHS],
        }
    )


def breakdown_chart(b, f):
    """What a figure is made of, this year (registered by the area; computed from the records, a
    closed year's too)."""
    parts = b.compute(f.year, f.units)
    return tabulated(
        {
            "id": f"breakdown-{b.key}",
            "kind": "bar",
            "title": _("%(label)s（%(y)d年，%(scope)s）") % {"label": b.label, "y": f.year, "scope": f.scope_label()},
            "unit": b.unit_of_measure,
            "x_label": _("类别"),
            "categories": [label for label, _value in parts],
            "series": [{"name": _("%(y)d年") % {"y": f.year}, "data": [value for _label, value in parts]}],
        }
    )


def compare_chart(area, items, f):
    """Each of an area's figures this year against last year. Figures in different units of
    measure share one axis only as indices: the larger of the two years is 100."""
    rows = [t for t in items if isinstance(t["value"], int | float) or isinstance(t["previous"], int | float)]
    if not rows:
        return None
    this, last = [], []
    for t in rows:
        top = max(abs(t["value"] or 0), abs(t["previous"] or 0))
        this.append(round(100 * t["value"] / top, 1) if top and t["value"] is not None else None)
        last.append(round(100 * t["previous"] / top, 1) if top and t["previous"] is not None else None)
    title = _("%(area)s 本年与上年对比（%(scope)s，两年中较大者 = 100）")
    return {
        "id": f"compare-{area}",
        "kind": "bar",
        "title": title % {"area": area_label(area), "scope": f.scope_label()},
        "unit": _("指数"),
        "x_label": _("指标"),
        "categories": [t["metric"].label for t in rows],
        "series": [
            {"name": _("%(y)d年") % {"y": f.year}, "data": this},
            {"name": _("%(y)d年") % {"y": f.year - 1}, "data": last},
        ],
        "table": [[t["metric"].label, t["shown"], t["shown_previous"], axis_unit(t["metric"])] for t in rows],
        "table_head": [_("指标"), _("%(y)d年") % {"y": f.year}, _("%(y)d年") % {"y": f.year - 1}, _("计量单位")],
        "links": [t["url"] for t in rows],
    }


def dashboard_context(request, areas):
    """Tiles and charts of every area the user sees, for the filters picked."""
    f = Filters(request, areas)
    sections = {}
    for m in metrics.all_metrics():
        if m.area not in areas or (f.area and m.area != f.area):
            continue
        sections.setdefault(m.area, []).append(tile(m, f))
    dashboard, charts = [], []
    for area, items in sections.items():
        area_charts = [trend_chart(t["metric"], f) for t in items if t["metric"].monthly]
        area_charts += [
            breakdown_chart(b, f) for b in metrics.all_breakdowns() if b.area == area and b.compute(f.year, f.units)
        ]
        compared = compare_chart(area, items, f)
        if compared:
            area_charts.append(compared)
        charts += area_charts
        dashboard.append({"area": area, "label": area_label(area), "tiles": items, "charts": area_charts})
    closed = snapshots.closes().get(f.year)
    return {
        "dashboard": dashboard,
        "charts": charts,
        "closed_year": closed is not None,
        "areas": [(a, area_label(a)) for a in sorted(areas)],
        "export_url": "?" + f.query(format="xlsx"),
        "can_close": can_close(request.user),
        **f.context(),
    }


def page_key(request, name):
    """What a cached part of a page depends on: the query, language, day and the reader's scope."""
    scope = reach(request.user)
    who = (request.user.is_superuser, sorted(scope["groups"]), sorted(scope["perms"]), sorted(scope["units"]))
    return (name, request.get_full_path(), translation.get_language(), timezone.localdate(), who)


def dashboard_html(request, areas):
    """The cockpit part of the home page, from the cache while no table behind it was written."""

    def build():
        return render_to_string("bureau/cockpit_home.html", dashboard_context(request, areas))

    return snapshots.page(page_key(request, "home"), build)


def dashboard_export(context):
    f = context["f"]
    head = [_("领域"), _("指标"), _("计量单位"), _("%(y)d年") % {"y": f.year}, _("%(y)d年") % {"y": f.year - 1}]
    head += [_("目标"), _("达标情况"), _("说明")]
    rows = []
    for section in context["dashboard"]:
        for t in section["tiles"]:
            m = t["metric"]
            note = _("仅有年度数据") if t["annual_only"] else ""
            rows.append([section["label"], m.label, axis_unit(m), t["shown"], t["shown_previous"], t["target"],
                         str(COLOURS.get(t["colour"], "")), note])  # fmt: skip
    title = _("驾驶舱 %(y)d年 %(scope)s") % {"y": f.year, "scope": f.scope_label()}
    return workbook_response(title, [(title, head, rows)])


COLOURS = {
    "green": gettext_lazy("已达标"),
    "yellow": gettext_lazy("未达标（年度未结束）"),
    "red": gettext_lazy("未达标"),
}


def workbook_response(filename, sheets):
    workbook = Workbook(write_only=True)
    for title, head, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        write_rows(sheet, head, rows)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx")


# Drill-down ------------------------------------------------------------------------------------


def unit_values(m, year, units, live=False):
    """{unit id: figure} for each unit of the scope: a closed year's from its snapshot (unless
    `live`), else computed per unit and kept in the table-stamped cache."""
    ids = snapshots.scope_ids(units)
    closed = None if live else snapshots.closes().get(year)
    if closed is not None:
        data = snapshots.figures(closed[0], m.key)
        if data:
            return {pk: data.get((pk, 0)) for pk in ids}
    return snapshots.cached(
        ("units", m.key, year),
        units,
        lambda: {pk: m.live(year, Unit.objects.filter(pk=pk)) for pk in sorted(ids)},
    )


def data_states(area, year, units):
    """{unit id: (approved, total)} of the area's data requests of the year."""
    rows = (
        Submission.objects.filter(unit__in=units, request__year=year, request__kind__startswith=f"{area}.")
        .values("unit")
        .annotate(total=Count("pk"), approved=Count("pk", filter=Q(state=SubmissionState.APPROVED)))
        .values_list("unit", "approved", "total")
    )
    return {unit: (approved, total) for unit, approved, total in rows}


def records_link(m, year):
    """`link(unit)`: the registry list of a unit's records behind the figure (filtered by unit and,
    where the list has one, year), or the unit's own page."""
    model = apps.get_model(m.records) if m.records else None
    config = generic.registry().get(model) if model is not None and model is not Unit else None
    filters = config.filterset.base_filters if config is not None and config.filterset else {}
    if "unit" not in filters or not config.has("list"):
        unit_page = reverse("bureau:unit_detail", args=[0]).replace("/0/", "/{}/")
        return unit_page.format
    url = reverse(config.url_name("list")) + "?" + urlencode({"year": year} if "year" in filters else {})
    return (url + ("&" if "year" in filters else "") + "unit={}").format


SORTS = {"name", "value", "share", "previous"}
UNITS_PER_PAGE = 100


def metric_rows(m, f, sort):
    units = list(f.units.only("pk", "name", "short_name", "kind").order_by("name"))
    values = unit_values(m, f.year, f.units)
    previous = unit_values(m, f.year - 1, f.units)
    closed = snapshots.closes().get(f.year) is not None
    live = unit_values(m, f.year, f.units, live=True) if closed else {}
    states = data_states(m.area, f.year, f.units)
    total = sum(v for v in values.values() if isinstance(v, int | float)) if m.additive else None
    records = records_link(m, f.year)
    scope_url = reverse("cockpit_metric", args=[m.key]) + "?" + f.query(unit="UNIT")
    rows = []
    for unit in units:
        value = values.get(unit.pk)
        approved, expected = states.get(unit.pk, (0, 0))
        row = {
            "unit": unit,
            "value": value,
            "shown": shown(value, m),
            "share": round(100 * value / total, 2) if total and isinstance(value, int | float) else None,
            "previous": previous.get(unit.pk),
            "shown_previous": shown(previous.get(unit.pk), m),
            "state": (_("已通过 %(a)d / %(t)d") % {"a": approved, "t": expected}) if expected else _("无填报任务"),
            "complete": expected and approved == expected,
            "records": records(unit.pk),
            "scope_url": scope_url.replace("UNIT", str(unit.pk)),
        }
        if closed and live.get(unit.pk) != value:
            row["live"] = shown(live.get(unit.pk), m)
        rows.append(row)
    field = sort.lstrip("-")
    if field in SORTS - {"name"}:
        present = [r for r in rows if r[field] is not None]
        present.sort(key=lambda r: r[field], reverse=sort.startswith("-"))
        rows = present + [r for r in rows if r[field] is None]
    elif sort == "-name":
        rows.reverse()
    return rows, total


def ranking_chart(m, f, rows):
    ranked = [r for r in rows if isinstance(r["value"], int | float)]
    ranked.sort(key=lambda r: r["value"], reverse=True)
    ranked = ranked[:20]
    return tabulated(
        {
            "id": f"ranking-{m.key}",
            "kind": "rank",
            "title": _("%(label)s 单位排名（%(y)d年，前 %(n)d 名）")
            % {"label": m.label, "y": f.year, "n": len(ranked)},
            "unit": axis_unit(m),
            "x_label": _("单位"),
            "categories": [r["unit"].short_name or r["unit"].name for r in ranked],
            "series": [{"name": _("%(y)d年") % {"y": f.year}, "data": [chart_value(r["value"], m) for r in ranked]}],
            "links": [r["records"] for r in ranked],
        }
    )


@login_required
def metric_page(request, key):
    m = metrics.REGISTRY.get(key)
    areas = dashboard_areas(request.user)
    if m is None:
        raise Http404
    if m.area not in areas:
        generic.deny(request)
    if request.GET.get("format") == "xlsx":
        return metric_export(m, Filters(request, areas))
    body = snapshots.page(
        page_key(request, "metric"),
        lambda: render_to_string("bureau/cockpit_metric_body.html", metric_context(request, m, areas)),
    )
    return render(request, "bureau/cockpit_metric.html", {"title": m.label, "body": body})


def metric_export(m, f):
    rows, _total = metric_rows(m, f, "-value")
    current, _annual = figure(m, f.year, f.units, f.period)
    previous, _annual = figure(m, f.year - 1, f.units, f.period)
    last_year = _("%(y)d年") % {"y": f.year - 1}
    head = [_("单位"), f"{m.label}（{axis_unit(m)}）", _("占比（%）"), last_year, _("数据状态")]
    body = [[r["unit"].name, r["shown"], r["share"] if r["share"] is not None else "", r["shown_previous"],
             r["state"]] for r in rows]  # fmt: skip
    total_label = _("合计（%(scope)s）") % {"scope": f.scope_label()}
    body.append([total_label, shown(current, m), "", shown(previous, m), ""])
    return workbook_response(f"{m.label}-{f.year}", [(m.label, head, body)])


def metric_context(request, m, areas):
    f = Filters(request, areas)
    sort = request.GET.get("sort", "-value")
    rows, total = metric_rows(m, f, sort)
    page = Paginator(rows, UNITS_PER_PAGE).get_page(request.GET.get("page"))
    current, annual_only = figure(m, f.year, f.units, f.period)
    previous, _annual = figure(m, f.year - 1, f.units, f.period)
    target = metrics.target_for(m.key, f.year) if f.city and not f.period else None
    closed = snapshots.closed_version(f.year)
    charts = [ranking_chart(m, f, rows)]
    if m.monthly:
        charts.insert(0, trend_chart(m, f))
    return {
        "metric": m,
        "area_label": area_label(m.area),
        "rows": page.object_list,
        "page": page,
        "unit_count": len(rows),
        "total": total,
        "value": shown(current, m),
        "previous": shown(previous, m),
        "annual_only": annual_only,
        "target": target_text(target, m),
        "target_source": target.label if target else "",
        "colour": metrics.judge(target, current, f.year) if target else None,
        "closed": closed,
        "differs": sum(1 for r in rows if "live" in r),
        "charts": charts,
        "sort": sort,
        "sort_query": f.query(),
        "query": f.query(sort=sort),
        "export_url": "?" + f.query(format="xlsx", sort=sort),
        "home_url": reverse("home") + "?" + f.query(),
        "records_label": apps.get_model(m.records)._meta.verbose_name_plural if m.records else "",
        **f.context(),
    }


# Closing a year ----------------------------------------------------------------------------------


@login_required
def years_page(request):
    """Closed years: close one (its figures are frozen), reopen one; both with a reason."""
    if not can_close(request.user):
        generic.deny(request, YearClose)
    if request.method == "POST":
        action = request.POST.get("action")
        reason = request.POST.get("reason", "").strip()
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            messages.error(request, _("请选择年度。"))
            return redirect("cockpit_years")
        if not reason:
            messages.error(request, _("请填写原因。"))
            return redirect("cockpit_years")
        if action == "reopen":
            try:
                snapshots.reopen_year(year, request.user, reason)
                messages.success(request, _("%(y)d 年度已重新开放。") % {"y": year})
            except snapshots.ClosingError as exc:
                messages.error(request, str(exc))
            return redirect("cockpit_years")
        if snapshots.closed_version(year) is not None:
            messages.error(request, _("%(year)d 年度已关闭。") % {"year": year})
            return redirect("cockpit_years")
        job = Job.objects.create(
            kind="close_year",
            title=_("关闭 %(y)d 年度") % {"y": year},
            user=request.user,
            params={"year": year, "reason": reason},
        )
        transaction.on_commit(lambda: tasks.close_year.delay(job.pk))
        messages.success(request, _("正在计算并冻结 %(y)d 年度的全部指标。") % {"y": year})
        return redirect("jobs:detail", job.pk)
    today = timezone.localdate()
    return render(
        request,
        "bureau/cockpit_years.html",
        {
            "title": _("年度关账"),
            "closes": YearClose.objects.select_related("closed_by", "reopened_by")[:100],
            "years": list(range(today.year, today.year - 6, -1)),
        },
    )
