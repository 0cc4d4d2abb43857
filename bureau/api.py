import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from bureau import metrics, workflow
from bureau.apiconf import scope_action
from bureau.filtersets import DataRequestFilterSet, PersonFilterSet, SubmissionFilterSet, UnitFilterSet
from bureau.models import DataRequest, Person, Submission, Unit
from bureau.rest import CachedList, ModelSerializer, ModelViewSet
from bureau.scoping import can


class UnitSerializer(ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "uscc", "kind", "parent", "is_public_institution", "active", "version"]

    def to_internal_value(self, data):
        if hasattr(data, "get") and isinstance(data.get("uscc"), str):
            data = data.copy()
            data["uscc"] = data["uscc"].strip().upper()
        return super().to_internal_value(data)


class PersonSerializer(ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "unit", "rank", "version"]


class UnitViewSet(ModelViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class PersonViewSet(ModelViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet


class DataRequestSerializer(ModelSerializer):
    class Meta:
        model = DataRequest
        fields = [
            "id",
            "kind",
            "title",
            "year",
            "frequency",
            "deadline",
            "grace_days",
            "units",
            "note",
            "state",
            "version",
        ]
        read_only_fields = ["state"]

    def validate_kind(self, value):
        from bureau.requests import REGISTRY

        if value not in REGISTRY:
            raise serializers.ValidationError(_("未知的填报类型。"))
        return value

    def create(self, validated_data):
        validated_data["created_by"] = self.context["request"].user
        return super().create(validated_data)


class DataRequestViewSet(ModelViewSet):
    queryset = DataRequest.objects.prefetch_related("units")
    serializer_class = DataRequestSerializer
    filterset_class = DataRequestFilterSet

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        obj = self.get_object()
        return _transition(
            lambda: workflow.publish(obj, request.user), lambda: {"submissions": obj.submissions.count()}
        )


class SubmissionSerializer(ModelSerializer):
    class Meta:
        model = Submission
        fields = [
            "id",
            "request",
            "unit",
            "period",
            "deadline",
            "state",
            "rows",
            "flags",
            "comment",
            "submitted_at",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields


class CommentSerializer(serializers.Serializer):
    """The body of approve and return: the reviewer's comment, text like any field (not an object,
    no NUL character, which PostgreSQL cannot store)."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _valid(serializer_class, data):
    found = serializer_class(data=data)
    found.is_valid(raise_exception=True)
    return found.validated_data


def _transition(run, body=None):
    try:
        result = run()
    except workflow.TransitionError as exc:
        raise exceptions.ValidationError({"detail": str(exc)}) from None
    except DjangoPermissionDenied:
        raise exceptions.PermissionDenied() from None
    if isinstance(result, list) and result:
        return Response({"rows": [{"row": r, "column": c, "message": m} for r, c, m in result]}, status=400)
    return Response(body() if body else {"status": "ok"})


class SubmissionViewSet(CachedList, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read, and move through the workflow with the actions; never written directly."""

    queryset = Submission.objects.all()
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, scope_action(self, self.request))

    def _act(self, run):
        sub = self.get_object()
        return _transition(lambda: run(sub), lambda: SubmissionSerializer(Submission.objects.get(pk=sub.pk)).data)

    @action(detail=True, methods=["post"])
    def rows(self, request, pk=None):
        rows = request.data.get("rows") if hasattr(request.data, "get") else None
        if not isinstance(rows, list):
            raise exceptions.ValidationError({"rows": [_("须为数组，每个元素是一行数据。")]})
        return self._act(lambda sub: workflow.save_rows(sub, rows, request.user))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(lambda sub: workflow.submit(sub, request.user))

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        comment = _valid(CommentSerializer, request.data)["comment"]
        return self._act(lambda sub: workflow.approve(sub, request.user, comment))

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        comment = _valid(CommentSerializer, request.data)["comment"]
        return self._act(lambda sub: workflow.return_(sub, request.user, comment))

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        reason = _valid(ReasonSerializer, request.data)["reason"]
        return self._act(lambda sub: workflow.reopen(sub, request.user, reason))


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit_of_measure = serializers.CharField()
    area = serializers.CharField()


class MetricValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit_of_measure = serializers.CharField()
    year = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)


class MetricQuerySerializer(serializers.Serializer):
    # A year a date can have: the metrics count the rows dated within it.
    year = serializers.IntegerField(
        min_value=datetime.MINYEAR,
        max_value=datetime.MAXYEAR,
        error_messages={
            "required": gettext_lazy("请用 year=YYYY 指定年度。"),
            "invalid": gettext_lazy("请用 year=YYYY 指定年度。"),
        },
    )
    unit = serializers.IntegerField(required=False, error_messages={"invalid": gettext_lazy("单位编号须为整数。")})


class MetricViewSet(viewsets.ViewSet):
    """Registered metrics; a value is computed in the caller's scope (a liaison: their units)."""

    lookup_field = "key"
    lookup_value_regex = r"[a-z_]+\.[a-z0-9_]+"
    serializer_class = MetricSerializer

    @extend_schema(responses=MetricSerializer(many=True))
    def list(self, request):
        return Response(
            [
                {"key": m.key, "label": m.label, "unit_of_measure": m.unit_of_measure, "area": m.area}
                for m in metrics.all_metrics()
            ]
        )

    @extend_schema(
        responses=MetricValueSerializer,
        parameters=[
            OpenApiParameter("year", int, required=True, description="年度"),
            OpenApiParameter("unit", int, description="单位编号；不填为调用者权限内的全部单位"),
        ],
    )
    def retrieve(self, request, key=None):
        found = metrics.REGISTRY.get(key)
        if found is None:
            raise Http404
        query = _valid(MetricQuerySerializer, request.query_params)
        year, unit = query["year"], query.get("unit")
        try:
            units = metrics.scope_units(request.user, unit)
        except Unit.DoesNotExist:
            raise Http404 from None
        return Response(
            {
                "key": found.key,
                "label": found.label,
                "value": found.compute(year, units),
                "unit_of_measure": found.unit_of_measure,
                "year": year,
                "unit": unit,
            }
        )


router = SimpleRouter()
router.register("units", UnitViewSet)
router.register("persons", PersonViewSet)
router.register("requests", DataRequestViewSet)
router.register("submissions", SubmissionViewSet)
router.register("metrics", MetricViewSet, basename="metric")


class ApiIndex(APIView):
    """/api/v1/: each area's routes (their list URLs) and the docs, so a client starts from one URL."""

    routers = ()  # (area, namespace, router)

    def get_view_name(self):
        return _("API 目录")

    def get_view_description(self, html=False):
        return _("各业务领域的接口（列表地址）与接口文档。")

    @extend_schema(exclude=True)
    def get(self, request):
        index = {}
        for area, namespace, area_router in self.routers:
            routes = {}
            for prefix, viewset, basename in area_router.registry:
                model = getattr(getattr(viewset, "queryset", None), "model", None)
                if model is not None and not can(request.user, model, "view"):
                    continue  # only what this user may open
                try:
                    routes[prefix] = reverse(f"{namespace}:{basename}-list", request=request)
                except NoReverseMatch:
                    continue
            index[area] = routes
        index["docs"] = reverse("api_docs", request=request)
        return Response(index)
