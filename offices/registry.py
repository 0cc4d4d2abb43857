"""What the office-space registry tells other areas (energy's base data is pre-filled from it)."""

from django.db.models import Sum

from offices.choices import BuildingStatus
from offices.models import Building

# Buildings a unit actually occupies: idle, leased-out and disposed ones use no energy for it.
OCCUPIED = (BuildingStatus.IN_USE, BuildingStatus.REPAIR)


def office_floor_area(unit_ids):
    """{unit_id: floor area (m²) of the office buildings the unit mainly uses}."""
    rows = (
        Building.objects.filter(unit_id__in=unit_ids, status__in=OCCUPIED)
        .order_by()
        .values("unit_id")
        .annotate(area=Sum("floor_area"))
    )
    return {r["unit_id"]: r["area"] for r in rows}
