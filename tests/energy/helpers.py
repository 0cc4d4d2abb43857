from decimal import Decimal

from energy import figures
from energy.choices import Item, official_unit
from energy.models import Consumption, Profile


def fill(unit, year, monthly, item=Item.ELECTRICITY, months=range(1, 13)):
    """Approved rows of one item for `months` (quantity `monthly`, or monthly[m] if a dict), the
    way approval writes them: computed with the year's factor set, roll-ups rebuilt."""
    rows = []
    for m in months:
        q = Decimal(str(monthly[m] if isinstance(monthly, dict) else monthly))
        row = Consumption(unit=unit, year=year, month=m, item=item, quantity=q, measure=official_unit(item))
        rows.append(figures.compute_row(row))
    Consumption.objects.bulk_create(rows)
    figures.rebuild_rollups(year, [unit.pk])
    return rows


def profile(unit, year, area, people):
    return Profile.objects.create(unit=unit, year=year, floor_area=Decimal(area), people=people)
