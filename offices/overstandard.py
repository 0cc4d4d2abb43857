"""The over-standard check (超标准使用办公用房), computed in SQL so that it costs the same few
queries for one room or the city's 40,000.

A room complies when its usable area ≤ the sum of its occupants' per-person limits (the standard in
force on the day looked at, by each occupant's rank); a room without occupants is no finding. A
unit's office-room area is set against the sum of its staff's limits. A finding exists only while
the room is over, so it closes by itself as soon as rooms or occupants change.
"""

import datetime
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from bureau.models import Person
from offices.choices import RoomCategory
from offices.models import Occupancy, RankLimit, Room, Standard

AREA = DecimalField(max_digits=12, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=AREA)


def limits_on(day=None):
    """{rank: m²} of the standard in force on `day` (today by default); empty if none is set."""
    standard = Standard.in_force(day)
    if standard is None:
        return {}
    return dict(RankLimit.objects.filter(standard=standard).values_list("rank", "limit_area"))


def year_end(year):
    return datetime.date(year, 12, 31)


def limit_of(rank_path, limits):
    """SQL: the per-person limit of the rank at `rank_path` (0 for a rank the standard lacks)."""
    if not limits:
        return ZERO
    return Case(*(When(**{rank_path: r}, then=Value(a)) for r, a in limits.items()), default=ZERO, output_field=AREA)


def with_standard(rooms, limits):
    """Annotate rooms with `standard_area` (sum of the occupants' limits) and `excess`, one
    correlated subquery per row: for pages and API lists, which show a page of rooms at a time."""
    per_room = (
        Occupancy.objects.filter(room=OuterRef("pk"))
        .order_by()
        .values("room")
        .annotate(total=Sum(limit_of("person__rank", limits)))
        .values("total")
    )
    return rooms.annotate(standard_area=Coalesce(Subquery(per_room, output_field=AREA), ZERO)).annotate(
        excess=F("usable_area") - F("standard_area")
    )


def over_standard(rooms, limits):
    """The findings among `rooms`: occupied office rooms larger than their occupants' total. One
    grouped join (HAVING on the sum), so the whole city costs a single pass over the tables."""
    return (
        rooms.filter(category=RoomCategory.OFFICE, occupancies__isnull=False)
        .annotate(standard_area=Sum(limit_of("occupancies__person__rank", limits)))
        .annotate(excess=F("usable_area") - F("standard_area"))
        .filter(standard_area__gt=0, usable_area__gt=F("standard_area"))
    )


def totals(rooms, limits):
    """{"rooms": count, "area": m² over} of the over-standard rooms among `rooms`."""
    found = over_standard(rooms, limits).order_by().aggregate(rooms=Count("pk"), area=Sum("excess"))
    return {"rooms": found["rooms"], "area": found["area"] or Decimal("0")}


def findings(rooms, limits):
    """[(room id, unit id, excess)] of the findings, by unit name then largest excess first: the
    one pass over the occupancy join that a page or sheet needs."""
    return list(
        over_standard(rooms, limits).order_by("unit__name", "-excess", "pk").values_list("pk", "unit", "excess")
    )


def finding_rooms(found, limits):
    """The rooms of `found` (rows of findings()), in that order, with their unit, building,
    occupants and figures: a fixed number of queries for any number of rooms."""
    ids = [pk for pk, _unit, _excess in found]
    rooms = with_standard(Room.objects.filter(pk__in=ids), limits).select_related("building", "unit")
    by_pk = {r.pk: r for r in rooms.prefetch_related("occupants").order_by()}
    return [by_pk[pk] for pk in ids]


def unit_summary(units, limits, found=None):
    """Per unit: office-room area, staff, the sum of staff limits and the excess over it, with the
    unit's findings (`found` as from findings(), computed here when not given). A few grouped
    queries whatever the number of units."""
    office = dict(
        Room.objects.filter(unit__in=units, category=RoomCategory.OFFICE)
        .order_by()
        .values("unit")
        .annotate(area=Sum("usable_area"))
        .values_list("unit", "area")
    )
    staff = {
        row["unit"]: row
        for row in Person.objects.filter(unit__in=units)
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"), limit=Sum(limit_of("rank", limits)))
    }
    if found is None:
        found = findings(Room.objects.filter(unit__in=units), limits)
    per_unit = {}
    for _pk, unit_id, excess in found:
        rooms, area = per_unit.get(unit_id, (0, Decimal("0")))
        per_unit[unit_id] = (rooms + 1, area + excess)
    rows = []
    for unit in units.order_by("name").only("pk", "name", "short_name"):
        area = office.get(unit.pk) or Decimal("0")
        people = staff.get(unit.pk, {})
        limit = people.get("limit") or Decimal("0")
        rooms_over, rooms_excess = per_unit.get(unit.pk, (0, Decimal("0")))
        rows.append(
            {
                "unit": unit,
                "office_area": area,
                "staff": people.get("n", 0),
                "standard_area": limit,
                "unit_excess": max(area - limit, Decimal("0")),
                "rooms_over": rooms_over,
                "rooms_excess": rooms_excess,
            }
        )
    return rows


def room_flag(rooms, limits):
    """Annotate `over_standard` (bool) for the API and the room pages."""
    return with_standard(rooms, limits).annotate(
        over_standard=Case(
            When(
                Q(category=RoomCategory.OFFICE, standard_area__gt=0, usable_area__gt=F("standard_area")),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
