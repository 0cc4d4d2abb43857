from django.utils import timezone

from bureau.metrics import metric
from bureau.models import Unit
from party import organisation
from party.models import Branch, Clue


def whole_city(units):
    return units.count() == Unit.objects.count()


@metric("party.clue_count", "问题线索受理数", "件", order=80)
def clue_count(year, units):
    """A count for the whole city only: a count per unit (a drill-down, a liaison's scope) would
    tell which unit a clue concerns."""
    if not whole_city(units):
        return None
    return Clue.objects.filter(received_on__year=year).count()


@metric(
    "party.meetings_on_time_share",
    "组织生活按期开展率",
    "%",
    description="已结束的各期中，按要求频次开展了组织生活的期数占比（各支部、各类型）。",
    higher_is_better=True,
    order=10,
)
def meetings_on_time_share(year, units):
    return organisation.on_time_share(Branch.objects.filter(unit__in=units), year, timezone.localdate())
