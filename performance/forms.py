from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
from performance.choices import AdjustmentState
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
    evaluable,
)
from performance.progress import PROJECT_LEVELS

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(BaseModelForm):
    class Meta:
        model = Plan
        fields = [
            "year",
            "title",
            "preamble",
            "report_frequency",
            "report_grace_days",
            "base_score",
            "excellent_quota",
            "deadline_points",
            "late_report_points",
            "late_submission_points",
            "rectification_points",
            "indicator_points",
            "evaluation_high",
            "evaluation_low",
            "evaluation_points",
        ]


class ItemForm(BaseModelForm):
    class Meta:
        model = Item
        fields = [
            "plan",
            "parent",
            "level",
            "number",
            "text",
            "division",
            "owner",
            "deadline",
            "milestones",
            "retired",
            "retired_reason",
        ]
        widgets = {"deadline": DATE}

    def save(self, commit=True):
        from performance import tree

        adding = self.instance.pk is None
        saved = super().save(commit)
        if adding:
            tree.place(saved)  # last under its parent; the move buttons reorder it
        return saved


class IndicatorForm(BaseModelForm):
    class Meta:
        model = Indicator
        fields = [
            "item",
            "label",
            "comparison",
            "target",
            "unit_of_measure",
            "metric",
            "base",
            "manual_value",
            "evidence",
            "source_text",
        ]

    def __init__(self, *args, **kwargs):
        from bureau.metrics import all_metrics

        super().__init__(*args, **kwargs)
        keys = "；".join(f"{m.key}（{m.label}）" for m in all_metrics())
        self.fields["metric"].help_text = _("已登记的数据指标：%(keys)s。留空则手工填报。") % {"keys": keys}


class IndicatorValueForm(BaseModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "date", "occasion", "value", "state"]
        widgets = {"date": DATE}


class ProgressReportForm(BaseModelForm):
    class Meta:
        model = ProgressReport
        fields = ["item", "period", "text", "percent", "problems", "evidence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A division reports on its projects (items and sub-items), never on a part's heading.
        self.fields["item"].queryset = self.fields["item"].queryset.filter(level__in=PROJECT_LEVELS, retired=False)

    def save(self, commit=True):
        if self.instance.reported_by_id is None:
            self.instance.reported_by = self.user
        return super().save(commit)


class AssessmentForm(BaseModelForm):
    class Meta:
        model = Assessment
        fields = ["plan", "division", "person", "base_score", "grade", "note"]


class AdjustmentForm(BaseModelForm):
    class Meta:
        model = Adjustment
        fields = ["assessment", "kind", "points", "reason", "evidence", "state"]

    def save(self, commit=True):
        if "state" in self.changed_data and self.instance.state != AdjustmentState.PROPOSED:
            self.instance.approved_by, self.instance.approved_at = self.user, timezone.now()
        return super().save(commit)


class EvaluationForm(BaseModelForm):
    class Meta:
        model = Evaluation
        fields = ["person", "date", "quantity", "quality", "ability", "conduct", "note"]
        widgets = {"date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = evaluable(self.user, self.fields["person"].queryset)

    def save(self, commit=True):
        if self.instance.evaluator_id is None:
            self.instance.evaluator = self.user
        return super().save(commit)


class SupervisionForm(BaseModelForm):
    class Meta:
        model = Supervision
        fields = ["person", "supervisor", "note"]


class PlanUploadForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("计划文本"), help_text=_("UTF-8 编码的纯文本（.txt），格式同历年工作计划。"))
    title = forms.CharField(label=_("标题"), max_length=200, required=False)


class SplitForm(forms.Form):
    at = forms.CharField(
        label=_("从此处拆分"), max_length=200, help_text=_("原文中新项目开头的一段文字（须只出现一次）。")
    )
    number = forms.CharField(label=_("新项目序号"), max_length=10)
