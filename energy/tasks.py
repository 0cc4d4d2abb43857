from celery import shared_task
from django.contrib.auth import get_user_model

from bureau import audit
from bureau.models import Unit


@shared_task
def run_verification(year, user_id):
    """The automatic checks of a year over the user's scope (e.g. scheduled after the 31 March deadline)."""
    from energy import verification

    user = get_user_model().objects.get(pk=user_id)
    if not user.has_perm("energy.add_verificationflag"):
        raise PermissionError("verification needs energy.add_verificationflag")
    with audit.acting_as(user):
        return verification.run(year, Unit.objects.for_user(user, "view"))


@shared_task
def recompute_year(year, factor_set_id, user_id):
    """The explicit recompute of a year with a factor set, run in the background for the city."""
    from energy import figures
    from energy.models import FactorSet

    user = get_user_model().objects.get(pk=user_id)
    if not user.has_perm("energy.change_consumption"):
        raise PermissionError("recompute needs energy.change_consumption")
    with audit.acting_as(user):
        return figures.recompute(year, FactorSet.objects.get(pk=factor_set_id))
