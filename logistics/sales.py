"""Flat sales: reserve in ranking order, sell when paid, release; each a claim on the flat's state
(a conditional UPDATE), so two requests at once cannot both reserve or sell one flat."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import FlatState
from logistics.models import Applicant, SaleFlat


def next_in_line(compound):
    """The best-ranked eligible applicant of the compound who holds no flat yet."""
    return Applicant.objects.filter(compound=compound, eligible=True, flats=None).order_by("ranking").first()


def reserve(flat, applicant):
    if applicant.compound != flat.compound:
        raise ValidationError(_("申请人不是该小区的配售对象。"))
    if not applicant.eligible:
        raise ValidationError(_("申请人资格未审核通过。"))
    first = next_in_line(flat.compound)
    if first is not None and first.pk != applicant.pk:
        raise ValidationError(
            _("请按排序选房：排序号 %(r)s 的 %(n)s 尚未选房。") % {"r": first.ranking, "n": first.name}
        )
    try:
        with transaction.atomic():
            claimed = SaleFlat.objects.filter(pk=flat.pk, state=FlatState.AVAILABLE).update(
                state=FlatState.RESERVED, applicant=applicant, reserved_on=timezone.localdate()
            )
    except IntegrityError:
        raise ValidationError(_("%(n)s 已预订其他房源，每人限购一套。") % {"n": applicant.name}) from None
    if not claimed:
        raise ValidationError(_("%(f)s 已被预订或售出。") % {"f": flat})
    flat.refresh_from_db()


def sell(flat):
    flat.refresh_from_db()
    if flat.state == FlatState.RESERVED and flat.paid < flat.price:
        raise ValidationError(_("房款未付清：售价 %(p)s 元，已付 %(d)s 元。") % {"p": flat.price, "d": flat.paid})
    if not SaleFlat.objects.filter(pk=flat.pk, state=FlatState.RESERVED, paid__gte=flat.price).update(
        state=FlatState.SOLD, sold_on=timezone.localdate()
    ):
        raise ValidationError(_("%(f)s 不是已预订状态（可能已售出），不能售出。") % {"f": flat})
    flat.refresh_from_db()


def release(flat):
    """A reservation given up: the flat is available again for the next in line."""
    if not SaleFlat.objects.filter(pk=flat.pk, state=FlatState.RESERVED).update(
        state=FlatState.AVAILABLE, applicant=None, reserved_on=None
    ):
        raise ValidationError(_("只有已预订的房源可以退订。"))
    flat.refresh_from_db()
