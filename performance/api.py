from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from bureau.rest import CleanedSerializer, ModelViewSet
from performance import filtersets, progress
from performance.choices import AdjustmentState, State
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


def serializer(model, names, base=CleanedSerializer):
    meta = type("Meta", (), {"model": model, "fields": ["id", *names, "version"]})
    return type(f"{model.__name__}Serializer", (base,), {"Meta": meta})


PlanSerializer = serializer(
    Plan,
    [
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
    ],
)
ItemSerializer = serializer(
    Item,
    [
        "plan",
        "parent",
        "level",
        "number",
        "code",
        "text",
        "order",
        "division",
        "owner",
        "deadline",
        "milestones",
        "retired",
        "retired_reason",
    ],
)
IndicatorValueSerializer = serializer(IndicatorValue, ["indicator", "date", "occasion", "value", "state"])


class ProgressReportSerializer(CleanedSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "item", "period", "text", "percent", "problems", "evidence", "due", "submitted_at", "late"]
        fields += ["reported_by", "version"]
        read_only_fields = ["reported_by"]

    def create(self, validated_data):
        return super().create(validated_data | {"reported_by": self.context["request"].user})


AssessmentSerializer = serializer(Assessment, ["plan", "division", "person", "base_score", "grade", "note"])


class EvaluationSerializer(CleanedSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "person", "date", "quantity", "quality", "ability", "conduct", "note", "evaluator", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            fields["person"].queryset = evaluable(request.user, fields["person"].queryset)
        return fields

    def create(self, validated_data):
        return super().create(validated_data | {"evaluator": self.context["request"].user})


SupervisionSerializer = serializer(Supervision, ["person", "supervisor", "note"])


class IndicatorSerializer(CleanedSerializer):
    value = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
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
            "value",
            "state",
            "version",
        ]

    def judge(self):
        return self.context.setdefault("judge", progress.Judge())

    def get_value(self, obj) -> float | None:
        value = self.judge().value(obj)
        return None if value is None else float(value)

    def get_state(self, obj) -> str | None:
        found = self.judge().state(obj)
        return State(found).value if found else None


class AdjustmentSerializer(CleanedSerializer):
    class Meta:
        model = Adjustment
        fields = [
            "id",
            "assessment",
            "kind",
            "points",
            "reason",
            "evidence",
            "evidence_url",
            "source",
            "state",
            "approved_by",
            "approved_at",
            "version",
        ]
        read_only_fields = ["evidence_url", "source", "approved_by", "approved_at"]

    def save(self, **kwargs):
        state = self.validated_data.get("state")
        if state and state != AdjustmentState.PROPOSED and (self.instance is None or self.instance.state != state):
            from django.utils import timezone

            kwargs |= {"approved_by": self.context["request"].user, "approved_at": timezone.now()}
        return super().save(**kwargs)


def viewset(model, serializer_class, filterset, queryset=None):
    return type(
        f"{model.__name__}ViewSet",
        (ModelViewSet,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer_class,
            "filterset_class": filterset,
        },
    )


router = SimpleRouter()
router.register("plans", viewset(Plan, PlanSerializer, filtersets.PlanFilterSet))
router.register("items", viewset(Item, ItemSerializer, filtersets.ItemFilterSet))
router.register(
    "indicators",
    viewset(
        Indicator, IndicatorSerializer, filtersets.IndicatorFilterSet, Indicator.objects.select_related("item__plan")
    ),
)
router.register(
    "indicator-values", viewset(IndicatorValue, IndicatorValueSerializer, filtersets.IndicatorValueFilterSet)
)
router.register(
    "reports",
    viewset(
        ProgressReport,
        ProgressReportSerializer,
        filtersets.ProgressReportFilterSet,
        ProgressReport.objects.select_related("item__plan"),
    ),
)
router.register("assessments", viewset(Assessment, AssessmentSerializer, filtersets.AssessmentFilterSet))
router.register("adjustments", viewset(Adjustment, AdjustmentSerializer, filtersets.AdjustmentFilterSet))
router.register("evaluations", viewset(Evaluation, EvaluationSerializer, filtersets.EvaluationFilterSet))
router.register("supervisions", viewset(Supervision, SupervisionSerializer, filtersets.SupervisionFilterSet))
