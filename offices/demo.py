"""Demo office space: every unit's buildings, floors and rooms, its staff seated in offices sized
near the standard (a few rooms over it), repairs under review, idle property handed to an operator,
turnover flats and leases. City scale: 1,500 buildings, 40,000 rooms, the 20,000 staff seated."""

import datetime
from decimal import Decimal

from bureau.choices import Rank
from bureau.models import Person, Unit
from offices.choices import (
    KINDS_BY_CATEGORY,
    AllocationKind,
    BuildingStatus,
    RepairKind,
    RepairState,
    RoomCategory,
    Structure,
    TitleState,
)
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Occupancy,
    Policy,
    RepairProject,
    Revitalisation,
    Room,
    Site,
)
from offices.overstandard import limits_on

SCALES = {
    # buildings per unit, total rooms, turnover flats
    "small": (2, 180, 10),
    "city": (5, 40_000, 200),
}
FLOORS_PER_BUILDING = 6
BATCH = 2000
OWNER = "X市机关事务管理局"
DISTRICTS = ("江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "洪山区", "青山区")
STREETS = ("沿江大道", "解放大道", "中山大道", "建设大道", "发展大道", "武珞路", "中北路", "鹦鹉大道")
OTHER_USES = [
    (RoomCategory.SERVICE, 18, 90),
    (RoomCategory.SERVICE, 18, 60),
    (RoomCategory.EQUIPMENT, 10, 40),
    (RoomCategory.ANCILLARY, 30, 300),
]


def seed(ctx):
    rng = ctx.rng
    per_unit, total_rooms, n_flats = SCALES[ctx.scale]
    units = list(ctx.units) or list(Unit.objects.order_by("pk"))
    limits = limits_on(datetime.date(ctx.year, 12, 31))

    sites = Site.objects.bulk_create(
        Site(name=f"{d}{s}机关院落", address=f"X市{d}{s}{i + 1}号")
        for i, (d, s) in enumerate((d, s) for d in DISTRICTS for s in STREETS[:3])
    )
    buildings = []
    for i, unit in enumerate(units):
        for j in range(per_unit):
            n = i * per_unit + j
            registered = rng.random() < 0.72
            filed = not registered and rng.random() < 0.3
            buildings.append(
                Building(
                    code=f"JG{n + 1:05d}",
                    name=f"{unit.short_name or unit.name}{'综合楼' if j == 0 else f'{j + 1}号楼'}",
                    site=sites[n % len(sites)] if rng.random() < 0.6 else None,
                    address=f"X市{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randint(1, 400)}号",
                    year_built=rng.randint(1965, 2018),
                    structure=rng.choice([Structure.FRAME] * 4 + [Structure.BRICK, Structure.STEEL]),
                    floor_area=Decimal(rng.randint(30, 90) * 100),
                    land_area=Decimal(rng.randint(10, 40) * 100),
                    unit=unit,
                    status=BuildingStatus.IDLE if rng.random() < 0.03 else BuildingStatus.IN_USE,
                    title_state=TitleState.REGISTERED
                    if registered
                    else TitleState.FILED
                    if filed
                    else TitleState.PENDING,
                    certificate_no=f"鄂（{rng.randint(2016, 2022)}）X市不动产权第{n + 1:07d}号" if registered else "",
                    registered_owner=OWNER if registered else "",
                    title_note="原划拨手续不全，已按历史遗留问题备案" if filed else "",
                )
            )
    buildings = Building.objects.bulk_create(buildings, batch_size=BATCH)
    floors = Floor.objects.bulk_create(
        (
            Floor(building=b, level=level, name=f"{level}F")
            for b in buildings
            for level in range(1, FLOORS_PER_BUILDING + 1)
        ),
        batch_size=BATCH,
    )
    floors_of = {}
    for f in floors:
        floors_of.setdefault(f.building_id, []).append(f)

    staff = {}
    for pk, unit_id, rank in Person.objects.filter(unit__in=units).values_list("pk", "unit_id", "rank"):
        staff.setdefault(unit_id, []).append((pk, rank))

    # Each building's share of the rooms, spread evenly.
    base, extra = divmod(total_rooms, len(buildings))
    quota = {b.pk: base + (1 if i < extra else 0) for i, b in enumerate(buildings)}
    rooms, seats = [], []
    for unit in units:
        slots = []  # (building, floor, number) free for this unit, in order
        for b in (b for b in buildings if b.unit_id == unit.pk):
            levels = floors_of[b.pk]
            for k in range(quota[b.pk]):
                floor = levels[k % len(levels)]
                slots.append((b, floor, f"{floor.level}{k // len(levels) + 1:02d}"))
        groups = office_groups(rng, staff.get(unit.pk, []))
        for k, (b, floor, number) in enumerate(slots):
            if k < len(groups):
                group = groups[k]
                standard = sum(limits.get(rank, Decimal("9")) for _pk, rank in group)
                # Most rooms are within the standard; about one in twenty is over it.
                factor = rng.uniform(1.05, 1.5) if rng.random() < 0.05 else rng.uniform(0.7, 1.0)
                area, category = (standard * Decimal(str(factor))).quantize(Decimal("0.1")), RoomCategory.OFFICE
            else:
                category, low, high = rng.choice(OTHER_USES)
                area, group = Decimal(rng.randint(low, high)), ()
            kind = rng.choice(sorted(KINDS_BY_CATEGORY[category]))
            rooms.append(
                Room(building=b, floor=floor, number=number, category=category, kind=kind, usable_area=area, unit=unit)
            )
            seats.append(group)
    rooms = Room.objects.bulk_create(rooms, batch_size=BATCH)
    Occupancy.objects.bulk_create(
        (Occupancy(room=room, person_id=pk) for room, group in zip(rooms, seats, strict=True) for pk, _r in group),
        batch_size=5000,
    )

    seed_repairs(ctx, buildings)
    seed_idle(ctx, buildings)
    seed_housing(ctx, units, n_flats, staff)
    seed_allocations(ctx, buildings, rooms)


def office_groups(rng, people):
    """Who shares an office: leaders alone, other staff by two to four. More people than rooms
    leaves the rest unseated."""
    leaders = [(pk, r) for pk, r in people if r != Rank.BELOW_BUREAU]
    others = [(pk, r) for pk, r in people if r == Rank.BELOW_BUREAU]
    groups = [[p] for p in leaders]
    while others:
        size = min(len(others), rng.choice((2, 2, 3, 3, 4)))
        groups.append(others[:size])
        others = others[size:]
    return groups


def seed_repairs(ctx, buildings):
    rng, year = ctx.rng, ctx.year
    projects = []
    for b in rng.sample(buildings, max(3, len(buildings) // 8)):
        kind = rng.choice((RepairKind.MAJOR, RepairKind.MEDIUM, RepairKind.MEDIUM, RepairKind.ROUTINE))
        requested = Decimal(rng.randint(20, 800) * 10_000)
        state = rng.choice(list(RepairState))
        reviewed = state in (RepairState.APPROVED, RepairState.IN_PROGRESS, RepairState.ACCEPTED)
        cut = Decimal(str(rng.uniform(0.03, 0.18))) if reviewed else None
        projects.append(
            RepairProject(
                unit_id=b.unit_id,
                building=b,
                year=rng.choice((year - 1, year, year)),
                kind=kind,
                title=f"{b.name}{kind.label}工程",
                scope=rng.choice(("屋面防水及外墙维修", "给排水管网更换", "电气线路改造", "空调系统更新", "电梯更新")),
                added_floor_area=(b.floor_area * Decimal("0.05")).quantize(Decimal("1"))
                if kind == RepairKind.MAJOR and rng.random() < 0.3
                else Decimal("0"),
                requested_amount=requested,
                approved_amount=(requested * (1 - cut)).quantize(Decimal("100")) if reviewed else None,
                state=state,
                review_note="经审核，核减不合理费用。" if reviewed else "",
            )
        )
    RepairProject.objects.bulk_create(projects, batch_size=BATCH)


def seed_idle(ctx, buildings):
    rng = ctx.rng
    idle = [b for b in buildings if b.status == BuildingStatus.IDLE] or buildings[:2]
    Revitalisation.objects.bulk_create(
        Revitalisation(
            building=b,
            operator=rng.choice(("X市城市更新集团有限公司", "X市国有资产经营有限公司", "X市文旅投资集团")),
            contract_no=f"PH{ctx.year}-{i + 1:03d}",
            revitalised_area=min(b.floor_area, Decimal(rng.randint(8, 30) * 100)),
            start=datetime.date(ctx.year, rng.randint(1, 11), 1),
            end=datetime.date(ctx.year + 10, 12, 31),
            annual_revenue=Decimal(rng.randint(20, 120) * 10_000),
        )
        for i, b in enumerate(idle[:12])
    )


def seed_housing(ctx, units, n_flats, staff):
    rng, year = ctx.rng, ctx.year
    if not Policy.for_year(year):
        Policy.objects.create(year=year, idle_target_area=Decimal("5000"), turnover_eligible_years=5)
    flats = Flat.objects.bulk_create(
        Flat(
            code=f"ZZ{i + 1:04d}",
            address=f"X市{rng.choice(DISTRICTS)}人才公寓{i // 40 + 1}栋{i % 40 + 101}室",
            floor_area=Decimal(rng.choice((45, 55, 60, 70))),
            bedrooms=rng.choice((1, 1, 2)),
            monthly_rent=Decimal(rng.choice((600, 700, 800, 900))),
        )
        for i in range(n_flats)
    )
    juniors = [(pk, unit.pk) for unit in units for pk, rank in staff.get(unit.pk, [])[:6] if rank == Rank.BELOW_BUREAU]
    leases = []
    for flat, (person, unit_id) in zip(flats[: int(len(flats) * 0.8)], rng.sample(juniors, len(juniors)), strict=False):
        start = datetime.date(year - rng.randint(0, 2), rng.randint(1, 12), 1)
        leases.append(
            Lease(
                flat=flat,
                person_id=person,
                unit_id=unit_id,
                joined_on=start - datetime.timedelta(days=rng.randint(30, 700)),
                start=start,
                end=start.replace(year=start.year + 3) - datetime.timedelta(days=1),
                monthly_rent=flat.monthly_rent,
            )
        )
    Lease.objects.bulk_create(leases, batch_size=BATCH)


def seed_allocations(ctx, buildings, rooms):
    """A room taken back from one unit and allocated to another, so both kinds have records and
    the room has a history of using units."""
    moved = next(r for r in rooms if r.category == RoomCategory.SERVICE)
    other = next(b.unit_id for b in buildings if b.unit_id != moved.unit_id)
    for kind, unit_id, reason, day in (
        (AllocationKind.RECLAIM, moved.unit_id, "vacated", 1),
        (AllocationKind.ALLOCATE, other, "", 20),
    ):
        record = Allocation.objects.create(
            kind=kind,
            unit_id=unit_id,
            reason=reason,
            document_no=f"X机管〔{ctx.year}〕{day}号",
            approved_on=datetime.date(ctx.year, 3, day),
            effective_on=datetime.date(ctx.year, 4, day),
        )
        record.rooms.set([moved])
        record.apply([moved.pk])
