"""Trips from the city platform (全市一张网): one validation for the file import, the bulk API and
the single-trip form, all-or-nothing, with every error naming its row and column in Chinese.

Refused: end not after start, negative distance, an unknown plate (or one outside the user's
scope), two trips of one vehicle overlapping in time, an odometer going backwards, a trip id twice
in one file. A trip id already stored is updated, never duplicated.
"""

import csv
import datetime
import io
import operator
import zoneinfo
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring as quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau import audit, bulk
from bureau.models import AuditEntry
from bureau.scoping import has_model_perm
from vehicles.models import CalendarDay, Rules, Trip, Vehicle
from vehicles.validators import normalise_plate

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)

# Canonical field -> the headers accepted for it (the platform's export first, then API names).
COLUMNS = {
    "platform_id": ("行程编号", "平台行程编号", "platform_id"),
    "plate": ("车牌号", "plate"),
    "driver": ("驾驶员", "driver"),
    "start": ("开始时间", "start"),
    "end": ("结束时间", "end"),
    "start_odometer": ("起始里程", "start_odometer"),
    "end_odometer": ("结束里程", "end_odometer"),
    "distance_km": ("行驶里程", "行驶里程（公里）", "distance_km"),
    "origin": ("出发地", "origin"),
    "destination": ("目的地", "destination"),
    "purpose": ("事由", "purpose"),
    "approval_no": ("审批单号", "用车审批单号", "approval_no"),
}
REQUIRED = ("platform_id", "plate", "start", "end")
TEXT_LIMITS = {"platform_id": 40, "driver": 30, "origin": 100, "destination": 100, "purpose": 200, "approval_no": 40}
FIELDS = [*TEXT_LIMITS, "start", "end", "start_odometer", "end_odometer", "distance_km"]
UPDATED_FIELDS = [*FIELDS, "vehicle_id", "unit_id", "off_day", "night", "long_distance"]
HEADER_OF = {name: names[0] for name, names in COLUMNS.items()}
MAX_ERRORS = 200
# The years a trip may fall in: outside them a time is a typing error, and the day-by-day flags
# (calendar, night, monthly roll-ups) would run past the last date Python has.
YEARS = range(2000, 2101)
# The whole digits each number column holds (its DecimalField's max_digits less its decimal places).
DIGITS = {
    name: Trip._meta.get_field(name).max_digits - Trip._meta.get_field(name).decimal_places
    for name in ("start_odometer", "end_odometer", "distance_km")
}
LIMITS = {name: 10**digits for name, digits in DIGITS.items()}
ONE_DAY = datetime.timedelta(days=1)


class TripErrors(Exception):
    """The refused rows: `errors` is a list of (row, column, message), row as numbered in the file."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(format_error(e) for e in errors[:5]))


def format_error(error):
    row, column, message = error
    where = _("第 %(row)s 行") % {"row": row} if row else ""
    if column:
        where += _("“%(column)s”列") % {"column": column}
    return f"{where}：{message}" if where else message


# Reading files -----------------------------------------------------------------------------------


def read_upload(upload):
    """(row number, {field: raw value}) of a CSV or XLSX file; the header is row 1."""
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(upload)
    elif name.endswith(".csv"):
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")  # the platform's default export encoding
        rows = csv.reader(io.StringIO(text))
    else:
        raise TripErrors([(None, "", _("只接受 CSV 或 XLSX 文件。"))])
    return records(rows)


def _xlsx_rows(upload):
    """The first sheet's rows, after the same checks as every Excel upload (bureau.imports)."""
    from bureau.imports.checks import UploadRejected
    from bureau.imports.reading import read_sheet

    try:
        for _number, values in read_sheet(upload):
            yield values
    except UploadRejected as exc:
        raise TripErrors([(None, "", str(exc))]) from exc


def records(rows):
    rows = iter(rows)
    header = next(rows, None)
    if not header:
        raise TripErrors([(1, "", _("文件为空，缺少表头。"))])
    lookup = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    positions = {}
    for i, title in enumerate(header):
        field = lookup.get(str(title or "").strip())
        if field:
            positions[field] = i
    missing = [HEADER_OF[f] for f in REQUIRED if f not in positions]
    if "distance_km" not in positions and not {"start_odometer", "end_odometer"} <= positions.keys():
        missing.append(_("行驶里程（或起始、结束里程）"))
    if missing:
        raise TripErrors([(1, "", _("缺少列：%(cols)s。") % {"cols": "、".join(missing)})])
    fields, pick, width = list(positions), operator.itemgetter(*positions.values()), max(positions.values()) + 1
    for number, row in enumerate(rows, start=2):
        # any(row) settles almost every row at C speed; a row of only zeros and blanks is not empty
        if not any(row) and all(v in (None, "") for v in row):
            continue
        if len(row) < width:
            row = [*row, *[None] * (width - len(row))]
        yield number, dict(zip(fields, pick(row), strict=True))


# Parsing one row ---------------------------------------------------------------------------------


def parse_time(value):
    """An aware datetime; naive values are the bureau's local time (Asia/Shanghai)."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.fromisoformat(str(value).strip().replace("/", "-"))
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment


def years_message():
    return _("须在 %(first)d 至 %(last)d 年之间。") % {"first": YEARS[0], "last": YEARS[-1]}


def parse_number(value):
    if value in (None, ""):
        return None
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation
    return number.quantize(Decimal("0.1"))


def parse_row(number, raw, plates, errors):
    """A dict of Trip field values, or None after adding this row's errors to `errors`."""
    found = []
    row = {}
    for field, limit in TEXT_LIMITS.items():
        value = raw.get(field)
        if isinstance(value, (dict, list)):  # an API body's object or array
            found.append((field, _("须为文本。")))
            value = ""
        value = str(value or "").strip()
        if len(value) > limit:
            found.append((field, _("超过 %(n)s 个字符。") % {"n": limit}))
        if "\x00" in value:
            found.append((field, _("不能含有空字符。")))
        row[field] = value
    if not row["platform_id"]:
        found.append(("platform_id", _("不能为空。")))
    plate = normalise_plate(str(raw.get("plate") or ""))
    vehicle = plates.get(plate)
    if not plate:
        found.append(("plate", _("不能为空。")))
    elif vehicle is None:
        found.append(("plate", _("车牌号“%(plate)s”不在车辆登记中（或不属于您的单位）。") % {"plate": plate}))
    else:
        row["vehicle_id"], row["unit_id"] = vehicle
    for field in ("start", "end"):
        value = raw.get(field)
        if value in (None, ""):
            found.append((field, _("不能为空。")))
            continue
        try:
            row[field] = parse_time(value)
        except (TypeError, ValueError):
            found.append((field, _("“%(v)s”不是有效的时间，应如 2022-03-01 08:30。") % {"v": value}))
            continue
        if row[field].year not in YEARS:
            found.append((field, years_message()))
    for field, digits in DIGITS.items():
        try:
            row[field] = parse_number(raw.get(field))
        except (InvalidOperation, ValueError):
            found.append((field, _("“%(v)s”不是数字。") % {"v": raw.get(field)}))
            continue
        if row[field] is not None and abs(row[field]) >= LIMITS[field]:
            found.append((field, _("超出范围：最多 %(n)d 位整数。") % {"n": digits}))
    if "start" in row and "end" in row and row["end"] <= row["start"]:
        found.append(("end", _("结束时间早于或等于开始时间。")))
    if not found:
        start_odo, end_odo, distance = row["start_odometer"], row["end_odometer"], row["distance_km"]
        if start_odo is not None and end_odo is not None:
            if end_odo < start_odo:
                found.append(("end_odometer", _("结束里程小于起始里程（里程倒退）。")))
            elif distance is None:
                row["distance_km"] = end_odo - start_odo
        if row["distance_km"] is None and not found:
            found.append(("distance_km", _("缺少行驶里程（或起始、结束里程）。")))
        elif row["distance_km"] is not None and row["distance_km"] < 0:
            found.append(("distance_km", _("行驶里程不能为负数。")))
    for field, message in found:
        errors.append((number, HEADER_OF[field], message))
    return None if found else row


# Checks against the other trips of each vehicle --------------------------------------------------


def check_sequences(rows, errors, exclude_pk=None):
    """Overlaps and odometers, across the new rows and the stored trips of the same vehicles.
    `rows`: (row number, row dict) with vehicle_id, start, end and odometers; `exclude_pk`: the
    stored trip being edited."""
    if not rows:
        return
    ids = {row["platform_id"] for _n, row in rows}
    vehicle_ids = {row["vehicle_id"] for _n, row in rows}
    first = min(row["start"] for _n, row in rows)
    last = max(row["end"] for _n, row in rows)
    by_vehicle = defaultdict(list)
    for number, row in rows:
        by_vehicle[row["vehicle_id"]].append(
            (row["start"], row["end"], row["start_odometer"], row["end_odometer"], number)
        )
    others = Trip.objects.exclude(pk=exclude_pk) if exclude_pk else Trip.objects.all()
    # Stored trips of a vehicle never overlap one another, so of those starting before the window
    # only the last can reach into it: the rest is a range scan of the (vehicle, start) index.
    stored = others.filter(vehicle_id__in=vehicle_ids, start__gte=first, start__lt=last).values_list(
        "start", "end", "start_odometer", "end_odometer", "platform_id", "vehicle_id"
    )
    before = others.filter(vehicle=OuterRef("pk"), start__lt=first).order_by("-start")
    after = others.filter(vehicle=OuterRef("pk"), start__gte=last).order_by("start")
    neighbours = Vehicle.objects.filter(pk__in=vehicle_ids).values_list(
        *[Subquery(before.values(f)[:1]) for f in ("start", "end", "start_odometer", "end_odometer", "platform_id")],
        "pk",
    )
    far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    next_odometers = Vehicle.objects.filter(pk__in=vehicle_ids).values_list(
        Subquery(after.values("start_odometer")[:1]), Subquery(after.values("platform_id")[:1]), "pk"
    )
    for start, end, start_odo, end_odo, platform_id, vehicle_id in [*stored.iterator(chunk_size=5000), *neighbours]:
        # A trip being re-imported is replaced, not compared with itself.
        if platform_id is not None and platform_id not in ids:
            by_vehicle[vehicle_id].append((start, end, start_odo, end_odo, platform_id))
    for odometer, platform_id, vehicle_id in next_odometers:
        # The first stored trip after the window must not start below what the window ends with.
        if odometer is not None and platform_id not in ids:
            by_vehicle[vehicle_id].append((far_future, far_future, odometer, None, platform_id))
    for trips in by_vehicle.values():
        trips.sort(key=lambda t: (t[0], t[1]))
        latest_end = None  # the trip that ends last so far: overlap
        last_odo = None  # the last odometer reading so far: must not go back
        for start, end, start_odo, end_odo, ref in trips:
            if latest_end is not None and start < latest_end[0]:
                blame(errors, ref, latest_end[1], "start", _("与%(other)s时间重叠（同一车辆）。"))
            reading = start_odo if start_odo is not None else end_odo
            if last_odo is not None and reading is not None and reading < last_odo[0]:
                blame(
                    errors,
                    ref,
                    last_odo[1],
                    "start_odometer",
                    _("里程 %(r)s 小于%(other)s的结束里程 %(p)s（里程倒退）。"),
                    r=reading,
                    p=last_odo[0],
                )
            if latest_end is None or end > latest_end[0]:
                latest_end = (end, ref)
            if end_odo is not None:
                last_odo = (end_odo, ref)


def blame(errors, ref, other, field, message, **params):
    """Put the error on the new row of the pair (an int is a file row, a str a stored trip id)."""
    if not isinstance(ref, int):
        ref, other = other, ref
    if not isinstance(ref, int):
        return
    name = _("第 %(row)s 行") % {"row": other} if isinstance(other, int) else _("已有行程 %(id)s") % {"id": other}
    errors.append((ref, HEADER_OF[field], message % ({"other": name} | params)))


# Anomaly flags -----------------------------------------------------------------------------------


class Flagger:
    """Weekend/holiday, night and long-distance flags, from the rules and calendar in force."""

    def __init__(self, first_day, last_day, rules=None):
        self.rules = rules or Rules.current()
        self.off = CalendarDay.off_days(first_day, last_day) if self.rules else set()
        if self.rules:  # looked up once: flags() runs for every imported trip
            self.night_starts = datetime.time(self.rules.night_start)
            self.night_hours = {hour for hour in range(24) if self.rules.is_night(hour)}

    def flags(self, start, end, distance_km):
        """(off_day, night, long_distance) of a trip."""
        rules = self.rules
        if rules is None:
            return False, False, False
        start, end = start.astimezone(TZ), end.astimezone(TZ)
        day, off_day, night = start.date(), False, False
        while day <= end.date():
            off_day = off_day or day in self.off
            # The trip reaches into the night of this day if it runs at night_start o'clock.
            night_begins = datetime.datetime.combine(day, self.night_starts, TZ)
            night = night or start <= night_begins < end
            day += ONE_DAY
        night = night or start.hour in self.night_hours or end.hour in self.night_hours
        return off_day, night, distance_km > rules.long_trip_km

    def apply(self, trip):
        trip.off_day, trip.night, trip.long_distance = self.flags(trip.start, trip.end, trip.distance_km)
        return trip


def flag_trips(trips):
    trips = list(trips)
    if trips:
        days = [t.start.astimezone(TZ).date() for t in trips] + [t.end.astimezone(TZ).date() for t in trips]
        flagger = Flagger(min(days), max(days))
        for trip in trips:
            flagger.apply(trip)
    return trips


# Saving ------------------------------------------------------------------------------------------


def month_of(moment):
    local = moment.astimezone(TZ)
    return local.year, local.month


def import_trips(items, user):
    """Validate every row, then create or update them all in one transaction; raise TripErrors
    (nothing saved) otherwise. `items`: (row number, {field: raw value}). Returns a summary."""
    plates = {
        plate: (pk, unit_id)
        for plate, pk, unit_id in Vehicle.objects.for_user(user, "view").values_list("plate", "pk", "unit_id")
    }
    errors, rows, seen = [], [], {}
    for number, raw in items:
        row = parse_row(number, raw, plates, errors)
        if row is None:
            continue
        if row["platform_id"] in seen:
            errors.append(
                (
                    number,
                    HEADER_OF["platform_id"],
                    _("行程编号与第 %(row)s 行重复。") % {"row": seen[row["platform_id"]]},
                )
            )
            continue
        seen[row["platform_id"]] = number
        rows.append((number, row))
        if len(errors) >= MAX_ERRORS:
            break
    if not rows and not errors:
        errors.append((None, "", _("文件中没有行程数据。")))
    if errors:
        raise TripErrors(errors)
    # The audit trail names the importing user, whether called from a page, the API or a task.
    context = audit.current()
    with audit.acting_as(user, context.ip, context.path), transaction.atomic():
        check_sequences(rows, errors)
        if errors:
            raise TripErrors(sorted(errors, key=lambda e: e[0] or 0)[:MAX_ERRORS])
        existing = stored(list(seen))
        refuse_others_trips(existing, rows, user)
        # Every trip ends after it starts: the first start and the last end bound all the days.
        first, last = min(row["start"] for _n, row in rows), max(row["end"] for _n, row in rows)
        flagger = Flagger(first.astimezone(TZ).date(), last.astimezone(TZ).date())
        months = set()
        new, changed = [], []
        for _number, row in rows:
            row["off_day"], row["night"], row["long_distance"] = flagger.flags(
                row["start"], row["end"], row["distance_km"]
            )
            months.add(month_of(row["start"]))
            if row["platform_id"] in existing:
                trip = Trip(**{f: row[f] for f in UPDATED_FIELDS})
                trip.pk, trip.version, old_start = existing[row["platform_id"]]
                trip.version += 1
                months.add(month_of(old_start))
                changed.append(trip)
            else:
                new.append(row)
        create(new)
        if changed:
            Trip.objects.bulk_update(changed, [*UPDATED_FIELDS, "version"], batch_size=1000)
        advance_odometers(rows)
        from vehicles.tasks import rollup_months

        month_list = sorted(months)
        transaction.on_commit(lambda: rollup_months.delay([list(m) for m in month_list]))
    return {"created": len(new), "updated": len(changed), "months": sorted(months)}


def refuse_others_trips(existing, rows, user):
    """Re-importing a trip updates it: only where the user may change it. Area staff reach every
    trip; anyone else is asked through the scoping choke point for the trips the file names."""
    if not existing or has_model_perm(user, Trip, "change"):
        return
    pks = [pk for pk, _version, _start in existing.values()]
    allowed = set(Trip.objects.for_user(user, "change").filter(pk__in=pks).values_list("pk", flat=True))
    errors = [
        (number, HEADER_OF["platform_id"], _("行程编号“%(id)s”已登记在其他单位的车辆下。") % {"id": row["platform_id"]})
        for number, row in rows
        if row["platform_id"] in existing and existing[row["platform_id"]][0] not in allowed
    ]
    if errors:
        raise TripErrors(errors[:MAX_ERRORS])


def stored(platform_ids):
    """{platform id: (pk, version, start)} of the trips already stored under these ids."""
    if connection.vendor == "postgresql":
        # One array parameter: an IN of 100,000 placeholders costs more to build than to run.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT platform_id, id, version, start FROM {connection.ops.quote_name(Trip._meta.db_table)} "
                "WHERE platform_id = ANY(%s)",
                [platform_ids],
            )
            return {platform_id: (pk, version, start) for platform_id, pk, version, start in cursor.fetchall()}
    found = {}
    for i in range(0, len(platform_ids), 500):  # SQLite's limit on query parameters
        trips = Trip.objects.filter(platform_id__in=platform_ids[i : i + 500])
        for pk, platform_id, version, start in trips.values_list("pk", "platform_id", "version", "start"):
            found[platform_id] = (pk, version, start)
    return found


def advance_odometers(rows):
    """A vehicle's registered odometer follows the platform's latest reading (one audited UPDATE)."""
    vehicle_ids = {row["vehicle_id"] for _number, row in rows if row["end_odometer"] is not None}
    latest = (
        Trip.objects.filter(vehicle=OuterRef("pk"), end_odometer__isnull=False)
        .order_by("-start")
        .values("end_odometer")[:1]
    )
    reading = Cast(Floor(Subquery(latest)), IntegerField())
    Vehicle.objects.filter(pk__in=vehicle_ids, odometer_km__lt=reading).update(odometer_km=reading)


# The columns a new trip is written with: a model field added later must be added here, and to the
# line and audit entry create() writes.
COPY_COLUMNS = (
    "id", "created", "updated", "version", "vehicle_id", "unit_id", "platform_id", "driver", "start", "end",
    "start_odometer", "end_odometer", "distance_km", "origin", "destination", "purpose", "approval_no",
    "off_day", "night", "long_distance", "explained", "explanation",
)  # fmt: skip
TEXTS = ("platform_id", "driver", "origin", "destination", "purpose", "approval_no")
BOOLEAN = {True: "t", False: "f"}


def create(rows):
    """Insert new trips (row dicts) with their audit entries. On PostgreSQL through COPY: Django's
    bulk insert of 100,000 rows and as many audit entries spends most of its time adapting
    parameters, and building model instances."""
    if connection.vendor != "postgresql":
        Trip.objects.bulk_create([Trip(**{f: row[f] for f in UPDATED_FIELDS}) for row in rows], batch_size=5000)
        return
    if set(COPY_COLUMNS) != {f.column for f in Trip._meta.concrete_fields}:
        raise ImproperlyConfigured("vehicles.trips.COPY_COLUMNS no longer matches the Trip model")
    ids = bulk.reserve_ids(connection, Trip, len(rows))
    moment = timezone.now()
    now = moment.isoformat()
    # The same entries BaseQuerySet.bulk_create writes: who, when, and every field as created.
    entry_columns, entry_cells, where = bulk.entry_template(Trip, moment, connection)
    at_id, at_repr, at_unit, at_changes = (where[f] for f in ("object_id", "object_repr", "unit_id", "changes"))
    audit_lines = []

    # Per row only string formatting: this loop is most of the import's Python time. The trip's
    # cells follow COPY_COLUMNS; its entry's changes hold every field as audit.plain gives it, but
    # "version", "created" and "updated" (bureau.models.UNTRACKED), and no empty odometer. Lines
    # are made as COPY sends them, so PostgreSQL works on them while Python makes the next.
    def trip_lines():
        for pk, row in zip(ids, rows, strict=True):
            start, end, distance = row["start"].isoformat(), row["end"].isoformat(), str(row["distance_km"])
            start_odo, end_odo = row["start_odometer"], row["end_odometer"]
            texts = [row[f] for f in TEXTS]
            if bulk.COPY_SPECIAL.search("".join(texts)):  # only text from the file can hold a tab or newline
                texts = [text.translate(bulk.COPY_ESCAPES) for text in texts]
            platform_id, driver, origin, destination, purpose, approval_no = texts
            yield (
                "\t".join(
                    (
                        str(pk), now, now, "1", str(row["vehicle_id"]), str(row["unit_id"]), platform_id, driver,
                        start, end, "\\N" if start_odo is None else str(start_odo),
                        "\\N" if end_odo is None else str(end_odo), distance, origin, destination, purpose,
                        approval_no, BOOLEAN[row["off_day"]], BOOLEAN[row["night"]], BOOLEAN[row["long_distance"]],
                        "f", "",
                    )
                )
            )  # fmt: skip
            changes = CHANGES % (
                pk, row["vehicle_id"], row["unit_id"], quote(row["platform_id"]), quote(row["driver"]),
                quote(start), quote(end), "" if start_odo is None else f', "start_odometer": [null, "{start_odo}"]',
                "" if end_odo is None else f', "end_odometer": [null, "{end_odo}"]', quote(distance),
                quote(row["origin"]), quote(row["destination"]), quote(row["purpose"]), quote(row["approval_no"]),
                JSON_BOOLEAN[row["off_day"]], JSON_BOOLEAN[row["night"]], JSON_BOOLEAN[row["long_distance"]],
            )  # fmt: skip
            entry_cells[at_id] = str(pk)
            entry_cells[at_repr] = platform_id
            entry_cells[at_unit] = str(row["unit_id"])
            entry_cells[at_changes] = bulk.copy_text(changes)
            audit_lines.append("\t".join(entry_cells))

    bulk.copy_lines(connection, Trip._meta.db_table, COPY_COLUMNS, trip_lines())
    bulk.copy_lines(connection, AuditEntry._meta.db_table, entry_columns, audit_lines)


# An entry's changes as audit.diff({}, fields) gives them, as JSON: formatting one string per row is
# five times faster than json.dumps of the dict (a test compares the entries with bulk_create's).
CHANGES = (
    '{"id": [null, %d], "vehicle_id": [null, %d], "unit_id": [null, %d], "platform_id": [null, %s], '
    '"driver": [null, %s], "start": [null, %s], "end": [null, %s]%s%s, "distance_km": [null, %s], '
    '"origin": [null, %s], "destination": [null, %s], "purpose": [null, %s], "approval_no": [null, %s], '
    '"off_day": [null, %s], "night": [null, %s], "long_distance": [null, %s], '
    '"explained": [null, false], "explanation": [null, ""]}'
)
JSON_BOOLEAN = {True: "true", False: "false"}


def check_one(trip):
    """The same checks for one trip saved through a form or the API: a list of (field, message)."""
    times = {"start": trip.start, "end": trip.end}
    errors = [(field, years_message()) for field, moment in times.items() if moment and moment.year not in YEARS]
    if errors:
        return errors
    if trip.start and trip.end and trip.end <= trip.start:
        errors.append(("end", _("结束时间早于或等于开始时间。")))
    if trip.distance_km is not None and trip.distance_km < 0:
        errors.append(("distance_km", _("行驶里程不能为负数。")))
    if trip.start_odometer is not None and trip.end_odometer is not None and trip.end_odometer < trip.start_odometer:
        errors.append(("end_odometer", _("结束里程小于起始里程（里程倒退）。")))
    if errors or not trip.vehicle_id or not trip.start or not trip.end:
        return errors
    found = []
    row = {
        "platform_id": trip.platform_id,
        "vehicle_id": trip.vehicle_id,
        "start": trip.start,
        "end": trip.end,
        "start_odometer": trip.start_odometer,
        "end_odometer": trip.end_odometer,
    }
    check_sequences([(1, row)], found, exclude_pk=trip.pk)
    field_of = {header: name for name, header in HEADER_OF.items()}
    return [(field_of.get(column), message) for _row, column, message in found]
