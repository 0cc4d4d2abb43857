"""Background tasks take ids and act in the user's scope and with the user's rights."""

import datetime

import pytest

from energy import tasks
from energy.choices import Item
from energy.models import Consumption, VerificationFlag
from tests.energy.factories import FactorFactory, FactorSetFactory
from tests.energy.helpers import fill

pytestmark = pytest.mark.django_db


def test_verification_task_is_for_the_energy_staff(world):
    year = datetime.date.today().year - 1
    fill(world.unit_a, year, 100, months=[1])
    fill(world.unit_b, year, 100, months=[1])
    with pytest.raises(PermissionError):
        tasks.run_verification.delay(year, world.liaison_a.pk).get()
    added, _removed = tasks.run_verification.delay(year, world.staff("energy").pk).get()
    assert added == 2  # each unit's eleven missing months, as one flag
    assert set(VerificationFlag.objects.values_list("unit", flat=True)) == {world.unit_a.pk, world.unit_b.pk}


def test_recompute_task_needs_the_right_to_change_consumption(world):
    fill(world.unit_a, 2022, 10000)
    newer = FactorSetFactory(year=2022)
    FactorFactory(factor_set=newer, item=Item.ELECTRICITY, coal="0.2")
    with pytest.raises(PermissionError):
        tasks.recompute_year.delay(2022, newer.pk, world.liaison_a.pk).get()
    assert tasks.recompute_year.delay(2022, newer.pk, world.staff("energy").pk).get() == 12
    assert set(Consumption.objects.values_list("factor_set", flat=True)) == {newer.pk}
