import datetime
from decimal import Decimal

import factory

from energy.choices import AuditState, CreationState, FlagCheck, InspectionResult, InspectionTopic, Item, RetrofitKind
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    Factor,
    FactorSet,
    Inspection,
    Profile,
    Retrofit,
    Target,
    VerificationFlag,
)
from tests.factories import UnitFactory


class FactorSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FactorSet

    name = factory.Sequence(lambda n: f"测试系数集{n}")
    year = 2030
    source = "测试"


class FactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factor

    factor_set = factory.SubFactory(FactorSetFactory)
    item = Item.ELECTRICITY
    coal = Decimal("0.1229")
    co2 = Decimal("0.5366")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    key = "kgce_per_m2"
    base_year = 2020
    target_year = factory.Sequence(lambda n: 2030 + n)
    value = Decimal("-0.05")
    source = "测试"


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    unit = factory.SubFactory(UnitFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    floor_area = Decimal("10000.00")
    heated_area = Decimal(0)
    people = 200


_months = iter(range(10**9))


class ConsumptionFactory(factory.django.DjangoModelFactory):
    """Each made row takes a fresh (year, month) so several fit one unit and item."""

    class Meta:
        model = Consumption

    class Params:
        serial = factory.LazyFunction(lambda: next(_months))

    unit = factory.SubFactory(UnitFactory)
    year = factory.LazyAttribute(lambda o: 2030 + o.serial // 12 % 60)
    month = factory.LazyAttribute(lambda o: o.serial % 12 + 1)
    item = Item.ELECTRICITY
    quantity = Decimal("10000.000")
    measure = "kWh"
    cost = Decimal("8000.00")


class VerificationFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerificationFlag

    unit = factory.SubFactory(UnitFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    kind = FlagCheck.YOY
    message = "综合能耗同比上升 30.0%，超过 ±20%。"


class EnergyAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnergyAudit

    unit = factory.SubFactory(UnitFactory)
    year = 2022
    auditor = "某节能技术服务中心"
    state = AuditState.PLANNED


class ConservationOrganFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConservationOrgan

    unit = factory.SubFactory(UnitFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    state = CreationState.PLANNED


class RetrofitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Retrofit

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"照明改造{n}")
    kind = RetrofitKind.RETROFIT
    investment = Decimal("500000.00")
    start_year = 2022
    expected_tce = Decimal("12.500")
    expected_co2_t = Decimal("30.000")


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    unit = factory.SubFactory(UnitFactory)
    topic = InspectionTopic.WASTE
    date = datetime.date(2022, 6, 1)
    inspector = "李四"
    result = InspectionResult.PASS
