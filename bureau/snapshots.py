"""Closed years, and the cache of open years' figures.

Closing a year computes every registered metric for every unit and for the city and stores the
figures as that year's next snapshot version (YearClose, MetricSnapshot). From then on
`Metric.compute` (and so the dashboard, the drill-down, the performance indicators and the annual
workbook) reads the year from the snapshot:

- a scope of exactly the units the city covered at closing reads the city figure, a scope of one
  unit that unit's figure;
- any other set of units (a liaison of two units, the units of one kind) reads the sum of its units'
  figures for an additive metric (counts, areas, totals); a share or an intensity cannot be put
  together from its units' figures, so it is computed from the records as for an open year.

Reopening (with a reason) ends the version's reign; its figures stay readable. Closing again makes
a new version. Both are audited.

An open year's figure is kept in the table-stamped cache (bureau.tablecache) under the metric, year
and scope, valid while no table the function read has been written: it always equals what the
function returns from the records now. Nothing is cached inside a transaction, whose writes another
reader must not see (and which a test rolls back).
"""

import contextvars
import hashlib

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import audit, tablecache
from bureau.choices import AuditAction

LIVE = object()  # "no frozen figure: compute it"
SECONDS = 3600  # bounds what a write outside Django could leave stale
_tables = {}  # cache key family -> the tables its builds were seen reading
_reading = contextvars.ContextVar("cockpit_reading", default=())  # the builds under way, outermost first


class ClosingError(ValueError):
    pass


def _remember(family, key, build):
    """`build()`, kept under `key` while the tables it read are unchanged. A build that serves an
    inner entry from the cache (a page built of figures) reads that entry's tables too."""
    if connection.in_atomic_block:
        return build()
    tables = _tables.get(family, frozenset({tablecache.ANY}))
    found, stamps = tablecache.fresh(key, tables)
    if found is not None:
        value, read = found
        for outer in _reading.get():
            outer.update(read)
        return value
    inner = set()
    token = _reading.set((*_reading.get(), inner))
    try:
        with tablecache.reading() as read:
            value = build()
    finally:
        _reading.reset(token)
    read = frozenset(read | inner)
    _tables[family] = tables | read
    tablecache.keep(key, (value, read), read, stamps, SECONDS)
    return value


def _scope_sql(units):
    sql, params = units.query.sql_with_params()
    return repr((sql, params))


def page(parts, build):
    """A rendered part of a page, kept like a figure; `parts` must name everything it depends on."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return _remember(parts[:1], f"page:{digest}", build)


def cached(parts, units, build):
    """`build()` for this figure and scope, from the cache while its tables are unchanged."""
    digest = hashlib.blake2b(repr((parts, _scope_sql(units))).encode(), digest_size=16).hexdigest()
    return _remember(parts[:2], f"metric:{digest}", build)


def closes():
    """{year: (version id, frozenset of the city's unit ids)} of the years closed now."""
    from bureau.models import YearClose

    def build():
        found = {}
        for close in YearClose.objects.order_by("year", "version"):
            found[close.year] = (close.pk, frozenset(close.city_units)) if close.closed else None
        return {year: v for year, v in found.items() if v is not None}

    return _remember(("closes",), "closes", build)


def figures(close_id, key):
    """{(unit id or None, month): value} of one metric in one snapshot version."""
    from bureau.models import MetricSnapshot

    def build():
        rows = MetricSnapshot.objects.filter(close_id=close_id, key=key).values_list("unit_id", "month", "value")
        return {(unit, month): value for unit, month, value in rows}

    return _remember(("figures",), f"snapshot:{close_id}:{key}", build)


def scope_ids(units):
    """The unit ids of a scope, read once per queryset object (a page passes one to every figure)."""
    ids = getattr(units, "_scope_ids", None)
    if ids is None:
        ids = units._scope_ids = frozenset(units.values_list("pk", flat=True))
    return ids


def frozen(key, year, units, months=False):
    """The closed year's figure for this scope (a list of 12 with `months`), or LIVE."""
    from bureau.metrics import REGISTRY

    found = closes().get(year)
    if found is None:
        return LIVE
    close_id, city = found
    data = figures(close_id, key)
    if not data:  # registered after the closing
        return LIVE
    ids = scope_ids(units)
    periods = range(1, 13) if months else (0,)
    if ids == city:
        picked = [data.get((None, p)) for p in periods]
    elif len(ids) == 1:
        (unit,) = ids
        picked = [data.get((unit, p)) for p in periods]
    elif REGISTRY[key].additive:
        picked = []
        for p in periods:
            values = [data.get((unit, p)) for unit in ids]
            values = [v for v in values if v is not None]
            picked.append(round(sum(values), 4) if values else None)
    else:
        return LIVE
    return picked if months else picked[0]


def closed_version(year):
    from bureau.models import YearClose

    close = YearClose.objects.filter(year=year).order_by("-version").first()
    return close if close is not None and close.closed else None


def _number(value):
    return float(value) if isinstance(value, int | float) or hasattr(value, "as_tuple") else None


def close_year(year, user, reason, progress=None):
    """Freeze `year`: every metric for the city and each unit, as the next snapshot version."""
    from bureau.metrics import all_metrics
    from bureau.models import MetricSnapshot, Unit, YearClose

    reason = (reason or "").strip()
    if not reason:
        raise ClosingError(_("关闭年度须填写原因。"))
    with transaction.atomic():
        earlier = YearClose.objects.select_for_update().filter(year=year).order_by("-version").first()
        if earlier is not None and earlier.closed:
            raise ClosingError(_("%(year)d 年度已关闭。") % {"year": year})
        unit_ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
        close = YearClose.objects.create(
            year=year,
            version=earlier.version + 1 if earlier else 1,
            reason=reason,
            closed_by=user,
            city_units=unit_ids,
        )
        everything = Unit.objects.all()
        scopes = [(None, everything)] + [(pk, Unit.objects.filter(pk=pk)) for pk in unit_ids]
        metrics = all_metrics()
        rows = []
        for done, m in enumerate(metrics):
            for unit, units in scopes:
                rows.append(MetricSnapshot(close=close, key=m.key, unit_id=unit, value=_number(m.live(year, units))))
                for month, value in enumerate(m.live_months(year, units) or (), start=1):
                    rows.append(MetricSnapshot(close=close, key=m.key, unit_id=unit, month=month, value=_number(value)))
            if progress:
                progress(done + 1, len(metrics))
        MetricSnapshot.objects.bulk_create(rows, batch_size=5000)
        audit.record(AuditAction.ACTION, close, changes={"关闭年度": [None, reason]}, user=user)
    return close


def reopen_year(year, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ClosingError(_("重新开放年度须填写原因。"))
    with transaction.atomic():
        close = closed_version(year)
        if close is None:
            raise ClosingError(_("%(year)d 年度未关闭。") % {"year": year})
        close.reopen_reason, close.reopened_by, close.reopened_at = reason, user, timezone.now()
        close.save(update_fields=["reopen_reason", "reopened_by", "reopened_at"])
        audit.record(AuditAction.ACTION, close, changes={"重新开放年度": [None, reason]}, user=user)
    return close
