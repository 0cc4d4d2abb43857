"""Hand-computed standard coal, CO₂, intensities and year-on-year change; factor-set versioning."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from bureau.metrics import REGISTRY
from bureau.models import AuditEntry, DataRequest, Submission, Unit
from energy import figures
from energy.choices import CreationState, Item
from energy.models import ConservationOrgan, Consumption, Factor, FactorSet, MonthlyRollup
from tests.energy.factories import FactorFactory, FactorSetFactory
from tests.energy.helpers import fill, profile
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

D = Decimal


def metric(key, year, units):
    return REGISTRY[key].func(year, units)


def row(unit, item, quantity, measure, year=2022, month=3):
    return Consumption.objects.create(
        unit=unit, year=year, month=month, item=item, quantity=D(quantity), measure=measure
    )


def test_seeded_sets_follow_domain_and_pick_by_year():
    s2022 = FactorSet.for_year(2022)
    assert s2022.name == "2022 年度系数"  # the inactive carbon-market set is never picked by itself
    elec = s2022.factors.get(item=Item.ELECTRICITY)
    assert (elec.coal, elec.co2) == (D("0.122900"), D("0.536600"))
    assert FactorSet.for_year(2019).year == 2021  # before the first set: the earliest
    assert FactorSet.for_year(2030).year == 2023
    assert Factor.objects.get(factor_set=s2022, item=Item.GASOLINE).density == D("0.73")


def test_electricity_10000_kwh_is_1229_kgce(world):
    r = row(world.unit_a, Item.ELECTRICITY, "10000", "kWh")
    # 10,000 kWh x 0.1229 kgce/kWh = 1,229 kgce; x 0.5366 kgCO2/kWh (2022 grid) = 5,366 kg
    assert r.kgce == D("1229.000")
    assert r.co2_kg == D("5366.000")
    assert r.factor_set == FactorSet.for_year(2022)


def test_litres_become_kg_through_the_density(world):
    petrol = row(world.unit_a, Item.GASOLINE, "100", "L")
    # 100 L x 0.73 kg/L = 73 kg; x 1.4714 = 107.4122 kgce; x 2.925 = 213.525 kg CO2
    assert (petrol.kgce, petrol.co2_kg) == (D("107.412"), D("213.525"))
    diesel = row(world.unit_a, Item.DIESEL, "200", "L")
    # 200 L x 0.84 = 168 kg; x 1.4571 = 244.7928 kgce; x 3.096 = 520.128 kg CO2
    assert (diesel.kgce, diesel.co2_kg) == (D("244.793"), D("520.128"))
    by_kg = row(world.unit_a, Item.DIESEL, "168", "kg", month=4)
    assert by_kg.kgce == diesel.kgce


def test_tonnes_and_gigajoules_use_the_kg_and_mj_coefficients(world):
    coal = row(world.unit_a, Item.COAL, "2", "t")
    assert coal.kgce == D("1428.600")  # 2 t = 2,000 kg x 0.7143
    heat = row(world.unit_a, Item.HEAT, "10", "GJ")
    assert (heat.kgce, heat.co2_kg) == (D("341.200"), D("1100.000"))  # 10,000 MJ x 0.03412; x 0.11
    other = row(world.unit_a, Item.OTHER, "1.5", "tce")
    assert other.kgce == D("1500.000")


def test_water_and_solar_are_not_energy(world):
    assert row(world.unit_a, Item.WATER, "500", "t").kgce == 0
    assert row(world.unit_a, Item.SOLAR, "3000", "kWh").kgce == 0


def test_litres_without_a_density_are_refused(world):
    # The seed has no kerosene density (DOMAIN.md gives none): litres cannot be converted.
    with pytest.raises(figures.MissingDensity):
        row(world.unit_a, Item.KEROSENE, "10", "L")


def test_rollup_follows_every_write(world):
    r = row(world.unit_a, Item.ELECTRICITY, "10000", "kWh")
    row(world.unit_a, Item.WATER, "300", "t")
    roll = MonthlyRollup.objects.get(unit=world.unit_a, year=2022, month=3)
    assert (roll.kgce, roll.electricity_kwh, roll.water_t) == (D("1229.000"), D("10000.000"), D("300.000"))
    r.delete()
    roll = MonthlyRollup.objects.get(unit=world.unit_a, year=2022, month=3)
    assert (roll.kgce, roll.water_t) == (0, D("300.000"))


def test_moving_a_row_to_another_year_updates_both_rollups(world):
    r = row(world.unit_a, Item.ELECTRICITY, "10000", "kWh", year=2021)
    r = Consumption.objects.get(pk=r.pk)
    r.year = 2022
    r.save()
    assert not MonthlyRollup.objects.filter(unit=world.unit_a, year=2021).exists()
    assert MonthlyRollup.objects.get(unit=world.unit_a, year=2022, month=3).kgce == D("1229.000")


def test_a_new_factor_set_leaves_approved_figures_until_the_explicit_recompute(world, django_user_model):
    fill(world.unit_a, 2022, 10000)
    assert metric("energy.tce", 2022, Unit.objects.all()) == D("14.748")  # 12 x 1,229 kgce
    newer = FactorSetFactory(year=2022, name="2022 修订")
    FactorFactory(factor_set=newer, item=Item.ELECTRICITY, coal=D("0.2"), co2=D("0.5"))
    assert FactorSet.for_year(2022) == newer
    # Adding the set, and editing an approved row, keep the set the row was computed with.
    edited = Consumption.objects.get(unit=world.unit_a, year=2022, month=1)
    edited.cost = D("100")
    edited.save()
    assert edited.kgce == D("1229.000") and edited.factor_set.name == "2022 年度系数"
    assert metric("energy.tce", 2022, Unit.objects.all()) == D("14.748")

    changed = figures.recompute(2022, newer)
    assert changed == 12
    # 10,000 kWh x 0.2 = 2,000 kgce a month, 24 tce a year; 10,000 x 0.5 = 5 t CO2 a month
    assert metric("energy.tce", 2022, Unit.objects.all()) == D("24")
    assert metric("energy.co2_t", 2022, Unit.objects.all()) == D("60")
    assert set(MonthlyRollup.objects.filter(year=2022).values_list("factor_set", flat=True)) == {newer.pk}
    logged = AuditEntry.objects.filter(action="action", object_id=str(newer.pk)).get()
    assert logged.changes["rows"] == 12
    updates = AuditEntry.objects.filter(
        action="update", content_type=ContentType.objects.get_for_model(Consumption), object_id=str(edited.pk)
    )
    # The recompute's change of the row is in its history, before and after.
    assert any(e.changes.get("kgce") == ["1229.000", "2000.000"] for e in updates)


@pytest.fixture
def two_units(world):
    a, b = world.unit_a, world.unit_b
    profile(a, 2022, "1000", 50)
    profile(b, 2022, "3000", 150)
    fill(a, 2022, 10000)
    fill(b, 2022, 20000)
    fill(a, 2022, 100, item=Item.WATER)
    fill(a, 2021, 10000)
    return a, b


def test_intensities_and_yoy(two_units, world):
    a, _b = two_units
    units = Unit.objects.all()
    # A: 12 x 1,229 = 14,748 kgce; B: 12 x 20,000 x 0.1229 = 29,496 kgce; together 44,244 kgce
    assert metric("energy.tce", 2022, units) == D("44.244")
    assert metric("energy.tce_per_m2", 2022, units) == D("44244") / D("4000")  # 11.061 kgce/m²
    assert metric("energy.tce_per_person", 2022, units) == D("44244") / D("200")  # 221.22 kgce/person
    # Only A reports water: 1,200 t / 50 people (B neither dilutes nor inflates it)
    assert metric("energy.water_per_person", 2022, units) == D("24")
    # CO2: 2022 = 360,000 kWh x 0.5366 = 193,176 kg; 2021 (A only) = 120,000 x 0.5568 = 66,816 kg
    assert metric("energy.co2_t", 2022, units) == D("193.176")
    only_a = Unit.objects.filter(pk=a.pk)
    # A alone: 64,392 kg in 2022 against 66,816 kg in 2021: (64,392 - 66,816) / 66,816
    assert metric("energy.co2_yoy", 2022, only_a) == (D("64392") - D("66816")) / D("66816")
    assert metric("energy.co2_yoy", 2021, only_a) is None  # nothing in 2020


def test_metrics_in_a_liaisons_scope_see_only_their_unit(two_units, world):
    scope = Unit.objects.for_user(world.liaison_a, "view")
    assert metric("energy.tce", 2022, scope) == D("14.748")
    assert metric("energy.tce_per_m2", 2022, scope) == D("14748") / D("1000")


def test_submission_completeness_counts_reported_submissions_due(world):
    request = DataRequest.objects.create(
        kind="energy.consumption", title="2022 能耗", year=2022, frequency="monthly", deadline="2022-12-31"
    )
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=1), today + datetime.timedelta(days=30)

    def sub(unit, period, deadline, state):
        Submission.objects.create(request=request, unit=unit, period=period, deadline=deadline, state=state)

    sub(world.unit_a, "2022-01", past, "approved")
    sub(world.unit_a, "2022-02", past, "submitted")
    sub(world.unit_b, "2022-01", past, "draft")  # overdue, not reported
    sub(world.unit_b, "2022-02", future, "draft")  # not yet due: not counted
    sub(world.unit_b, "2022-03", future, "submitted")  # early: counted
    units = Unit.objects.all()
    assert metric("energy.submission_completeness", 2022, units) == D(3) / 4
    assert metric("energy.submission_completeness", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 1
    assert metric("energy.submission_completeness", 2021, units) is None


def test_conservation_share_counts_organs_created_by_the_year(world):
    UnitFactory(kind="institution")  # 事业单位 are not organs: outside the share
    criteria = dict.fromkeys(ConservationOrgan.CRITERIA, True)
    ConservationOrgan.objects.create(unit=world.unit_a, year=2021, state=CreationState.CREATED, **criteria)
    ConservationOrgan.objects.create(unit=world.unit_b, year=2023, state=CreationState.CREATED, **criteria)
    units = Unit.objects.all()
    assert metric("energy.conservation_organ_share", 2020, units) == 0
    assert metric("energy.conservation_organ_share", 2022, units) == D(1) / 2
    assert metric("energy.conservation_organ_share", 2023, units) == 1


def test_metrics_read_at_most_a_few_queries(two_units, django_assert_max_num_queries):
    units = Unit.objects.all()
    for key in ("energy.tce", "energy.tce_per_m2", "energy.co2_yoy"):
        with django_assert_max_num_queries(2):
            metric(key, 2022, units)
