"""Organisational life against its required frequency: the periods of a year, which of them each
branch held each kind of meeting in, and the share held on time."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import ExtractMonth

from party.choices import PERIODS
from party.models import Meeting, MeetingKind, Requirement


def share(part, whole):
    return round(Decimal(100) * part / whole, 2) if whole else None


def periods(frequency, year):
    """The (first day, last day) of each period of `year` for a frequency; none for "not required"."""
    n = PERIODS[frequency]
    if not n:
        return []
    months = 12 // n
    found = []
    for i in range(n):
        last = (i + 1) * months
        found.append(
            (datetime.date(year, i * months + 1, 1), datetime.date(year, last, calendar.monthrange(year, last)[1]))
        )
    return found


@dataclass
class Slot:
    """One period in which a branch must hold a kind of meeting."""

    start: datetime.date
    end: datetime.date
    held: int

    def state(self, today):
        if self.held:
            return "held"
        if self.end < today:
            return "missing"
        return "open" if self.start <= today else "future"


def frequencies(branches, kinds):
    """(branch id, kind id) → the frequency that applies: the branch's own, else the kind's."""
    own = {
        (r.branch_id, r.kind_id): r.frequency
        for r in Requirement.objects.filter(branch__in=branches, kind__in=kinds).only("branch", "kind", "frequency")
    }
    return {(b.pk, k.pk): own.get((b.pk, k.pk), k.frequency) for b in branches for k in kinds}


def held_by_month(branches, kinds, year):
    rows = (
        Meeting.objects.filter(branch__in=branches, kind__in=kinds, held_on__year=year)
        .annotate(month=ExtractMonth("held_on"))
        .order_by()
        .values("branch", "kind", "month")
        .annotate(n=Count("pk"))
    )
    return {(r["branch"], r["kind"], r["month"]): r["n"] for r in rows}


def slots(branches, kinds, year):
    """{(branch id, kind id): (frequency, [Slot])} for the year."""
    branches, kinds = list(branches), list(kinds)
    held = held_by_month(branches, kinds, year)
    found = {}
    for (branch_id, kind_id), frequency in frequencies(branches, kinds).items():
        found[(branch_id, kind_id)] = (
            frequency,
            [
                Slot(
                    start,
                    end,
                    sum(held.get((branch_id, kind_id, m), 0) for m in range(start.month, end.month + 1)),
                )
                for start, end in periods(frequency, year)
            ],
        )
    return found


def on_time_share(branches, year, today):
    """Of the periods of `year` that have ended by `today`, the share in which the branch held the
    required meeting (every kind, every branch), in %."""
    due = held = 0
    for _frequency, found in slots(branches, MeetingKind.objects.all(), year).values():
        for slot in found:
            if slot.end < today:
                due += 1
                held += bool(slot.held)
    return share(held, due)


def missing_now(branches, today):
    """(branch, kind, slot) for each current period with no meeting held yet: what the reminders
    are about."""
    kinds = list(MeetingKind.objects.all())
    branches = list(branches)
    kind_by_pk = {k.pk: k for k in kinds}
    branch_by_pk = {b.pk: b for b in branches}
    found = []
    for (branch_id, kind_id), (_frequency, year_slots) in slots(branches, kinds, today.year).items():
        for slot in year_slots:
            if slot.state(today) == "open":
                found.append((branch_by_pk[branch_id], kind_by_pk[kind_id], slot))
    return found
