import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet
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


class PlanFilterSet(BaseFilterSet):
    search_fields = ("title",)

    class Meta:
        model = Plan
        fields = ["year"]


class ItemFilterSet(BaseFilterSet):
    search_fields = ("text", "code")

    class Meta:
        model = Item
        fields = ["plan", "level", "division", "retired"]


class IndicatorFilterSet(BaseFilterSet):
    search_fields = ("label", "metric")
    year = django_filters.NumberFilter(field_name="item__plan__year", label=_("年度"))

    class Meta:
        model = Indicator
        fields = ["comparison"]


class IndicatorValueFilterSet(BaseFilterSet):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "occasion", "state"]


class ProgressReportFilterSet(BaseFilterSet):
    search_fields = ("text", "problems", "item__code")

    class Meta:
        model = ProgressReport
        fields = ["period", "late"]


class AssessmentFilterSet(BaseFilterSet):
    class Meta:
        model = Assessment
        fields = ["plan", "division", "grade"]


class AdjustmentFilterSet(BaseFilterSet):
    search_fields = ("reason",)

    class Meta:
        model = Adjustment
        fields = ["kind", "state", "source"]


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EvaluationFilterSet(BaseFilterSet):
    # By number, not a dropdown: an assessment links to one cadre's year (its evidence).
    person = django_filters.NumberFilter(field_name="person", label=_("干部编号"))
    year = YearFilter(field_name="date", lookup_expr="year", label=_("年度"), min_value=2000, max_value=2100)

    class Meta:
        model = Evaluation
        fields = ["date"]


class SupervisionFilterSet(BaseFilterSet):
    class Meta:
        model = Supervision
        fields = ["person", "supervisor"]
