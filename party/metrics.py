from django.db.models import Count, Q
from django.utils import timezone

from bureau.metrics import metric
from bureau.models import Unit
from party import organisation
from party.choices import RectificationState
from party.models import Branch, Clue, Rectification


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


def _items(year, units):
    return Rectification.objects.filter(round__started_on__year=year, unit__in=units)


@metric(
    "party.rectification_closed_share",
    "巡视巡察问题整改销号率",
    "%",
    description="当年进驻的巡视巡察轮次反馈问题中，已审核销号的占比。",
    higher_is_better=True,
    order=20,
)
def rectification_closed_share(year, units):
    found = _items(year, units).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(state=RectificationState.CLOSED))
    )
    return organisation.share(found["closed"], found["total"])


@metric(
    "party.rectification_overdue",
    "逾期未销号整改事项",
    "项",
    description="当年轮次中，今天已超过整改期限（含延期后期限）仍未销号的事项数（红灯）。",
    higher_is_better=False,
    order=30,
)
def rectification_overdue(year, units):
    today = timezone.localdate()
    return (
        _items(year, units)
        .exclude(state=RectificationState.CLOSED)
        .filter(Q(extended_to__lt=today) | Q(extended_to__isnull=True, deadline__lt=today))
        .count()
    )
