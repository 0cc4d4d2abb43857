"""The generic page, API, permission and audit tests for every performance model (tests/base.py)."""

import itertools

from performance.models import (
    Adjustment,
    Assessment,
    Evaluation,
    Indicator,
    IndicatorValue,
    Item,
    Plan,
    ProgressReport,
    Supervision,
)
from tests.base import ModelTests
from tests.factories import PersonFactory
from tests.performance.factories import (
    AdjustmentFactory,
    AssessmentFactory,
    EvaluationFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ItemFactory,
    PlanFactory,
    ProgressReportFactory,
)

_n = itertools.count(3000)


class TestPlan(ModelTests):
    model = Plan
    edit = {"title": "修订后的计划"}

    def make(self, unit):
        return PlanFactory()

    def form_data(self, unit):
        return {
            "year": next(_n),
            "title": "新计划",
            "preamble": "导语。\n",
            "report_frequency": "monthly",
            "report_grace_days": 5,
            "base_score": "100",
            "excellent_quota": "20",
            "deadline_points": "2",
            "late_report_points": "0.5",
            "late_submission_points": "0.5",
            "rectification_points": "1",
            "indicator_points": "1",
            "evaluation_high": "90",
            "evaluation_low": "60",
            "evaluation_points": "2",
        }


class TestItem(ModelTests):
    model = Item
    edit = {"division": "vehicles"}

    def make(self, unit):
        return ItemFactory()

    def form_data(self, unit):
        plan = PlanFactory()  # a part: an item would bring its part along, one record more than asked
        return {
            "plan": plan.pk,
            "level": "part",
            "number": "二",
            "text": "二、以职能建设为依托\n",
            "order": 2,
            "division": "offices",
            "deadline": f"{plan.year}-06-30",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"parent": None}


class TestIndicator(ModelTests):
    model = Indicator
    edit = {"label": "新能源车更新占比"}

    def make(self, unit):
        return IndicatorFactory()

    def form_data(self, unit):
        return {
            "item": ItemFactory().pk,
            "label": "执法用车保障率",
            "comparison": "ge",
            "target": "95",
            "unit_of_measure": "%",
            "metric": "vehicles.support_rate",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"manual_value": None}


class TestIndicatorValue(ModelTests):
    model = IndicatorValue
    edit = {"value": "4200.0000"}

    def make(self, unit):
        return IndicatorValueFactory()

    def form_data(self, unit):
        return {"indicator": IndicatorFactory().pk, "date": "2022-03-31", "occasion": "period", "value": "3000"}


class TestProgressReport(ModelTests):
    model = ProgressReport
    edit = {"percent": 80}

    def make(self, unit):
        return ProgressReportFactory()

    def form_data(self, unit):
        item = ItemFactory()
        return {"item": item.pk, "period": f"{item.plan.year}-03", "text": "已开工。", "percent": 40}


class TestAssessment(ModelTests):
    model = Assessment
    edit = {"note": "年度考核"}

    def make(self, unit):
        return AssessmentFactory()

    def form_data(self, unit):
        return {"plan": PlanFactory().pk, "division": "offices", "base_score": "100"}


class TestAdjustment(ModelTests):
    model = Adjustment
    edit = {"reason": "获国家级表彰"}

    def make(self, unit):
        return AdjustmentFactory()

    def form_data(self, unit):
        return {
            "assessment": AssessmentFactory().pk,
            "kind": "deduction",
            "points": "0.5",
            "reason": "重大活动保障出现失误",
            "evidence": "情况通报",
            "state": "proposed",
        }


class TestEvaluation(ModelTests):
    model = Evaluation
    edit = {"note": "工作主动"}

    def make(self, unit):
        return EvaluationFactory(person=PersonFactory(unit=unit))

    def form_data(self, unit):
        return {
            "person": PersonFactory(unit=unit).pk,
            "date": "2022-05-10",
            "quantity": 90,
            "quality": 88,
            "ability": 85,
            "conduct": 92,
        }


class TestSupervision(ModelTests):
    model = Supervision
    edit = {"note": "分管领导"}

    def make(self, unit):
        return Supervision.objects.create(person=PersonFactory(unit=unit), supervisor=PersonFactory(unit=unit))

    def form_data(self, unit):
        return {"person": PersonFactory(unit=unit).pk, "supervisor": PersonFactory(unit=unit).pk, "note": "处室负责人"}
