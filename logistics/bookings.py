"""What a booking goes through beyond its form: weekly series created as a whole, and decisions
(approve, decline, serve, cancel) taken by a claim on the booking's state."""

import copy
import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bureau.scoping import has_model_perm, user_unit_ids
from logistics.choices import BOOKING_MOVES
from logistics.models import Booking

WEEK = datetime.timedelta(weeks=1)
MOVE_LABELS = {
    "approve": gettext_lazy("批准"),
    "decline": gettext_lazy("不批准"),
    "serve": gettext_lazy("已保障"),
    "cancel": gettext_lazy("取消"),
}


def weekly(first, until):
    """The later meetings of a weekly series up to `until` (inclusive), each checked like the
    first; any that cannot be booked refuses the whole series, naming every date that fails."""
    if until < timezone.localtime(first.start).date():
        raise ValidationError(_("重复截止日期不能早于首次会议日期。"))
    if until > timezone.localtime(first.start).date() + datetime.timedelta(days=366):
        raise ValidationError(_("周期预订最长一年。"))
    first.series = first.series or uuid.uuid4()
    repeats, problems = [], []
    n = 1
    while timezone.localtime(first.start + n * WEEK).date() <= until:
        repeat = copy.copy(first)
        repeat.pk = repeat.id = None
        repeat._state = copy.copy(first._state)
        repeat._state.adding = True
        repeat.start, repeat.end = first.start + n * WEEK, first.end + n * WEEK
        try:
            repeat.full_clean(exclude=["version"])
        except ValidationError as exc:
            day = timezone.localtime(repeat.start).strftime("%Y-%m-%d")
            problems.extend(f"{day}：{m}" for m in exc.messages)
        repeats.append(repeat)
        n += 1
    if problems:
        raise ValidationError(problems)
    return repeats


def may_decide(user, booking, move):
    """Approve, decline, serve: the venue's own manager or the division. Cancel: those, or the
    organising unit's liaison (a cancellation by the requester)."""
    if has_model_perm(user, Booking, "change") or booking.venue.managed_by(user):
        return True
    return move == "cancel" and booking.unit_id in user_unit_ids(user)


def allowed_moves(user, booking):
    return [
        m
        for m, (sources, _target) in BOOKING_MOVES.items()
        if booking.state in sources and may_decide(user, booking, m)
    ]


def decide(booking, user, move, reason=""):
    if move not in BOOKING_MOVES:
        raise ValidationError(_("未知的操作。"))
    if not may_decide(user, booking, move):
        raise PermissionDenied
    reason = (reason or "").strip()
    if move in ("decline", "cancel") and not reason:
        raise ValidationError({"reason": _("请说明原因。")})
    sources, target = BOOKING_MOVES[move]
    by_requester = (
        move == "cancel" and not has_model_perm(user, Booking, "change") and not booking.venue.managed_by(user)
    )
    values = {"state": target, "decided_by": user}
    if reason:
        values["reason"] = reason[:200]
    if move == "cancel":
        values["cancelled_by_requester"] = by_requester
    # A claim on the state: of two people deciding at once, one wins and the other is told.
    if not Booking.objects.filter(pk=booking.pk, state__in=sources).update(**values):
        raise ValidationError(_("此预订的状态已变化，请刷新后再操作。"))
    booking.refresh_from_db()
    return booking
