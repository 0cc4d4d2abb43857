from bureau.metrics import metric
from bureau.models import Unit
from party.models import Clue


def whole_city(units):
    return units.count() == Unit.objects.count()


@metric("party.clue_count", "问题线索受理数", "件", order=80)
def clue_count(year, units):
    """A count for the whole city only: a count per unit (a drill-down, a liaison's scope) would
    tell which unit a clue concerns."""
    if not whole_city(units):
        return None
    return Clue.objects.filter(received_on__year=year).count()
