"""核查会审: the automatic checks real verification uses (DOMAIN.md "Energy and carbon") — gaps in
the monthly data, repeated (copied) figures, year-on-year change beyond ±20%, intensity far from
peers of the same kind — and the reproducible spot-check sample of ≥ 5% of institutions.

The checks are plain functions of plain data so that the stored data (`run`) and a submission
under review (energy.requests) are judged by the same rules."""

import math
import random
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from energy import figures
from energy.choices import FlagCheck, Item

YOY_LIMIT = Decimal("0.20")  # 核查会审: year-on-year change beyond ±20% is questioned
# Peers: same Unit.kind; an intensity above twice or below half the peers' median is questioned,
# provided the kind has enough peers for a median to mean something.
PEER_RATIO = Decimal(2)
MIN_PEERS = 5
REPEAT_RUN = 3  # the same non-zero figure in 3 consecutive months is likely copied, not metered
SPOT_CHECK_SHARE = Decimal("0.05")  # spot-check at least 5% of units a year


def missing_months(present, expected):
    return sorted(set(expected) - set(present))


def repeated_runs(series):
    """Runs of ≥ REPEAT_RUN consecutive months with the same non-zero quantity: [(first, last, qty)]."""
    runs, start = [], None
    months = sorted(series)
    for i, m in enumerate(months):
        if start is None:
            start = m
        nxt = months[i + 1] if i + 1 < len(months) else None
        if nxt is None or nxt != m + 1 or series[nxt] != series[m]:
            if series[m] and m - start + 1 >= REPEAT_RUN:
                runs.append((start, m, series[m]))
            start = None
    return runs


def beyond_yoy(current, previous):
    """The fractional change when it is beyond ±YOY_LIMIT, else None."""
    delta = figures.change(current, previous)
    return delta if delta is not None and abs(delta) > YOY_LIMIT else None


def peer_outliers(values):
    """`values`: {key: (kind, intensity)}. Returns {key: (intensity, peers' median)} for outliers."""
    by_kind = defaultdict(list)
    for kind, value in values.values():
        by_kind[kind].append(value)
    medians = {k: Decimal(statistics.median(v)) for k, v in by_kind.items() if len(v) >= MIN_PEERS}
    found = {}
    for key, (kind, value) in values.items():
        median = medians.get(kind)
        if median and (value > median * PEER_RATIO or value < median / PEER_RATIO):
            found[key] = (value, median)
    return found


def expected_months(year, today=None):
    """The months of `year` due by now: a month is due once it has ended."""
    today = today or timezone.localdate()
    if year < today.year:
        return range(1, 13)
    return range(1, today.month) if year == today.year else range(1, 1)


def findings(year, units, today=None):
    """{(unit_id, kind, item): message} for the institutions of `units` in `year`."""
    from energy.models import Consumption, MonthlyRollup

    institutions = units.filter(is_public_institution=True, active=True)
    kinds = dict(institutions.values_list("pk", "kind"))
    found = {}
    months = defaultdict(set)
    for unit_id, month in MonthlyRollup.objects.filter(year=year, unit__in=institutions).values_list(
        "unit_id", "month"
    ):
        months[unit_id].add(month)
    due = list(expected_months(year, today))
    for unit_id in kinds:
        gap = missing_months(months[unit_id], due)
        if gap:
            found[(unit_id, FlagCheck.MISSING_MONTH, "")] = _("缺少 %(months)s 月的数据。") % {
                "months": "、".join(str(m) for m in gap)
            }

    series = defaultdict(dict)
    rows = Consumption.objects.filter(year=year, unit__in=institutions).values_list(
        "unit_id", "item", "month", "quantity"
    )
    for unit_id, item, month, quantity in rows.order_by().iterator(chunk_size=5000):
        series[(unit_id, item)][month] = quantity
    for (unit_id, item), values in series.items():
        for first, last, qty in repeated_runs(values):
            found[(unit_id, FlagCheck.REPEATED, item)] = _(
                "%(item)s %(first)s–%(last)s 月连续填报相同数量 %(qty)s。"
            ) % {
                "item": Item(item).label,
                "first": first,
                "last": last,
                "qty": format(qty.normalize(), "f"),
            }

    current, previous = figures.by_unit(year, institutions), _annual(year - 1, institutions)
    for unit_id, r in current.items():
        for item, field, label in (("", "kgce", _("综合能耗")), (Item.WATER, "water_t", _("用水量"))):
            delta = beyond_yoy(getattr(r, field), previous.get(unit_id, {}).get(field))
            if delta is not None:
                found[(unit_id, FlagCheck.YOY, item)] = _("%(what)s同比%(dir)s %(pct)s%%，超过 ±20%%。") % {
                    "what": label,
                    "dir": _("上升") if delta > 0 else _("下降"),
                    "pct": f"{abs(delta) * 100:.1f}",
                }

    intensities = {
        u: (kinds[u], r.kgce_per_m2) for u, r in current.items() if r.kgce and r.kgce_per_m2 and len(months[u]) == 12
    }
    for unit_id, (value, median) in peer_outliers(intensities).items():
        found[(unit_id, FlagCheck.PEER, "")] = _("单位建筑面积能耗 %(value)s kgce/m²，同类单位中位数 %(median)s。") % {
            "value": f"{value:.2f}",
            "median": f"{median:.2f}",
        }
    return found


def _annual(year, units):
    from energy.models import MonthlyRollup

    rows = MonthlyRollup.objects.filter(year=year, unit__in=units).order_by().values("unit_id")
    return {
        r["unit_id"]: {"kgce": r["kgce"], "water_t": r["water_t"]}
        for r in rows.annotate(kgce=Sum("kgce"), water_t=Sum("water_t"))
    }


@transaction.atomic
def run(year, units, today=None):
    """Bring the stored flags of `year` and `units` in line with the checks: new findings are added,
    open flags no longer found are removed, resolved flags stay with their note. Returns (added, removed)."""
    from energy.models import VerificationFlag

    found = findings(year, units, today)
    existing = {
        (f.unit_id, f.kind, f.item): f
        for f in VerificationFlag.objects.filter(year=year, unit__in=units).select_for_update()
    }
    stale = [f.pk for key, f in existing.items() if key not in found and not f.resolved]
    VerificationFlag.objects.filter(pk__in=stale).delete()
    new = [
        VerificationFlag(unit_id=unit_id, year=year, kind=kind, item=item, message=message[:300])
        for (unit_id, kind, item), message in found.items()
        if (unit_id, kind, item) not in existing
    ]
    VerificationFlag.objects.bulk_create(new, batch_size=2000)
    return len(new), len(stale)


def spot_check_sample(year, units):
    """≥ 5% of the institutions of `units`, drawn with the year as seed: the same year and the same
    institutions always give the same sample, so the draw can be re-checked afterwards."""
    ids = sorted(units.filter(is_public_institution=True, active=True).values_list("pk", flat=True))
    if not ids:
        return []
    size = max(1, math.ceil(len(ids) * SPOT_CHECK_SHARE))
    return sorted(random.Random(year).sample(ids, size))
