"""What other registries know about an institution's base data, to pre-fill and cross-check it."""

from django.db.models import Count

from bureau.models import Person


def registry_people(unit_ids):
    """{unit_id: staff on the personnel register}: the starting point for 用能人数."""
    rows = Person.objects.filter(unit_id__in=unit_ids).order_by().values("unit_id").annotate(n=Count("id"))
    return {r["unit_id"]: r["n"] for r in rows}


def registry_floor_area(unit_ids):
    """{unit_id: office floor area (m², housing excluded)} from the office-space registry.

    Hook for the offices app: once it provides `offices.registry.office_floor_area(unit_ids)`
    returning that mapping, profiles are pre-filled and checked against it; until then, no figure."""
    try:
        from offices.registry import office_floor_area
    except ImportError:
        return {}
    return office_floor_area(unit_ids)


def differences(profile):
    """[(label, reported, registry)] where the profile departs from the registries."""
    found = []
    people = registry_people([profile.unit_id]).get(profile.unit_id)
    if people is not None and people != profile.people:
        found.append(("用能人数", profile.people, people))
    area = registry_floor_area([profile.unit_id]).get(profile.unit_id)
    if area is not None and area != profile.floor_area:
        found.append(("建筑面积（m²）", profile.floor_area, area))
    return found
