"""Each 核查会审 check fires on a crafted case and stays quiet on clean data."""

import datetime
from decimal import Decimal

import pytest

from bureau.models import Unit
from energy import verification
from energy.choices import FlagCheck, Item
from energy.figures import rebuild_rollups
from energy.forms import VerificationFlagForm
from energy.models import Consumption, VerificationFlag
from tests.energy.helpers import fill, profile
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2023, 5, 1)  # 2022 is complete: all 12 months are due


def clean_city(n=6, kwh=10000):
    """n same-kind institutions, each 1,000 m², the same steady use in 2021 and 2022."""
    units = [UnitFactory() for _ in range(n)]
    for i, u in enumerate(units):
        profile(u, 2022, "1000", 40)
        for year in (2021, 2022):
            fill(u, year, {m: kwh + 10 * m + i for m in range(1, 13)})
            fill(u, year, {m: 50 + m for m in range(1, 13)}, item=Item.WATER)
    return units


def kinds(units):
    found = verification.findings(2022, Unit.objects.filter(pk__in=[u.pk for u in units]), TODAY)
    return {(unit_id, kind) for unit_id, kind, _item in found}


def test_clean_data_raises_nothing():
    units = clean_city()
    assert kinds(units) == set()


def test_missing_month_fires():
    units = clean_city()
    Consumption.objects.filter(unit=units[0], year=2022, month=7).delete()
    rebuild_rollups(2022, [units[0].pk])
    found = verification.findings(2022, Unit.objects.filter(pk=units[0].pk), TODAY)
    assert found[(units[0].pk, FlagCheck.MISSING_MONTH, "")] == "缺少 7 月的数据。"


def test_months_not_yet_due_are_not_missing():
    assert list(verification.expected_months(2023, TODAY)) == [1, 2, 3, 4]
    assert list(verification.expected_months(2024, TODAY)) == []


def test_repeated_figures_fire():
    units = clean_city()
    fill(units[0], 2022, {m: 7 if 3 <= m <= 5 else m for m in range(1, 13)}, item=Item.DIESEL)
    found = verification.findings(2022, Unit.objects.filter(pk=units[0].pk), TODAY)
    assert "3–5 月连续填报相同数量 7" in found[(units[0].pk, FlagCheck.REPEATED, Item.DIESEL)]
    assert verification.repeated_runs({1: 5, 2: 5, 3: 6, 4: 6}) == []  # two in a row is not a pattern
    assert verification.repeated_runs({1: 0, 2: 0, 3: 0}) == []  # nothing used is not copied


def test_yoy_beyond_20_percent_fires_and_within_stays_quiet():
    u = UnitFactory()
    fill(u, 2021, 10000)
    fill(u, 2022, 13000)  # +30%
    v = UnitFactory()
    fill(v, 2021, 10000)
    fill(v, 2022, 11000)  # +10%
    found = kinds([u, v])
    assert (u.pk, FlagCheck.YOY) in found
    assert (v.pk, FlagCheck.YOY) not in found
    assert verification.beyond_yoy(Decimal(120), Decimal(100)) is None  # exactly +20% is allowed
    assert verification.beyond_yoy(Decimal(79), Decimal(100)) == Decimal("-0.21")


def test_intensity_far_from_peers_fires():
    units = clean_city()
    odd = UnitFactory()
    profile(odd, 2022, "1000", 40)
    fill(odd, 2021, 30000)
    fill(odd, 2022, 30000)  # three times the peers' kgce/m²
    found = verification.findings(2022, Unit.objects.filter(pk__in=[u.pk for u in [*units, odd]]), TODAY)
    message = found[(odd.pk, FlagCheck.PEER, "")]
    # 12 x 30,000 kWh x 0.1229 / 1,000 m² = 44.24 kgce/m²; the peers' median is about 14.76
    assert message.startswith("单位建筑面积能耗 44.24 kgce/m²")
    assert not any(k == FlagCheck.PEER for _u, k in kinds(units))


def test_run_keeps_resolved_flags_and_drops_fixed_ones(world):
    u, v = UnitFactory(), UnitFactory()
    for unit in (u, v):
        fill(unit, 2021, {m: 10000 + m for m in range(1, 13)})
        fill(unit, 2022, {m: 13000 + m for m in range(1, 13)})  # +30%: one YoY flag each
    scope = Unit.objects.filter(pk__in=[u.pk, v.pk])
    assert verification.run(2022, scope, TODAY) == (2, 0)
    flag = VerificationFlag.objects.get(unit=u)
    form = VerificationFlagForm(
        {"unit": u.pk, "year": 2022, "kind": flag.kind, "message": flag.message, "resolved": "on", "note": ""},
        instance=flag,
        user=world.staff("energy"),
    )
    assert not form.is_valid() and "note" in form.errors  # resolving needs a note
    flag.resolved, flag.note = True, "新增数据中心，经核实无误"
    flag.save()
    Consumption.objects.filter(unit=v, year=2022).update(kgce=1229)  # v's data corrected
    rebuild_rollups(2022, [v.pk])
    assert verification.run(2022, scope, TODAY) == (0, 1)
    assert VerificationFlag.objects.get(unit=u).resolved
    assert not VerificationFlag.objects.filter(unit=v).exists()


def test_spot_check_sample_is_reproducible_and_at_least_five_percent():
    units = [UnitFactory() for _ in range(41)]
    scope = Unit.objects.filter(pk__in=[u.pk for u in units])
    first = verification.spot_check_sample(2022, scope)
    assert len(first) == 3  # ceil(41 x 5%) = ceil(2.05)
    assert verification.spot_check_sample(2022, scope) == first
    assert set(first) <= {u.pk for u in units}
