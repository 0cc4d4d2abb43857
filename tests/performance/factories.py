import datetime
import itertools
from decimal import Decimal

import factory

from performance.models import Adjustment, Assessment, Evaluation, Indicator, IndicatorValue, Item, Plan, ProgressReport
from tests.factories import PersonFactory

_years = itertools.count(2200)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    year = factory.LazyFunction(lambda: next(_years))
    title = factory.LazyAttribute(lambda o: f"{o.year}年工作计划")


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    plan = factory.SubFactory(PlanFactory)
    level = "part"
    number = "一"
    text = "一、以政治建设为统领 \n"
    order = factory.Sequence(lambda n: n)


class ItemFactory(factory.django.DjangoModelFactory):
    """A project: an item under a part of its plan."""

    class Meta:
        model = Item

    parent = factory.SubFactory(PartFactory)
    plan = factory.LazyAttribute(lambda o: o.parent.plan)
    level = "item"
    number = "1"
    text = "1.扎实推进党的政治建设。深入开展创建活动。 \n"
    order = factory.Sequence(lambda n: n + 1)
    division = "offices"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    item = factory.SubFactory(ItemFactory)
    label = "盘活闲置房产"
    comparison = "ge"
    target = Decimal("5000")
    unit_of_measure = "m²"
    manual_value = Decimal("3000")
    evidence = "运营协议"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    date = factory.Sequence(lambda n: datetime.date(2022, 1, 1) + datetime.timedelta(days=n))
    occasion = "weekly"
    value = Decimal("3000")
    state = "yellow"


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    item = factory.SubFactory(ItemFactory)
    period = factory.LazyAttribute(lambda o: f"{o.item.plan.year}-01")
    text = "已完成方案起草。"
    percent = 30


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    plan = factory.SubFactory(PlanFactory)
    division = "offices"


class AdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adjustment

    assessment = factory.SubFactory(AssessmentFactory)
    kind = "bonus"
    points = Decimal("1")
    reason = "获省级表彰"


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    person = factory.SubFactory(PersonFactory)
    date = datetime.date(2022, 6, 1)
    quantity = 90
    quality = 85
    ability = 80
    conduct = 95
