from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from bureau.rest import CleanedSerializer, ModelViewSet, refusal
from logistics import bookings, filtersets, sales
from logistics.forms import fleet_for
from logistics.models import (
    Applicant,
    Booking,
    CanteenMilestone,
    CanteenMonth,
    Checkin,
    Checkpoint,
    Event,
    EventAssignment,
    Journal,
    Patrol,
    PrintOrder,
    Route,
    SaleFlat,
    Survey,
    SurveyAnswer,
    Venue,
)


class VenueSerializer(CleanedSerializer):
    class Meta:
        model = Venue
        fields = ["id", "name", "building", "room", "capacity", "equipment", "managers", "active", "note", "version"]


class BookingSerializer(CleanedSerializer):
    repeat_until = serializers.DateField(
        write_only=True, required=False, help_text="每周重复至此日期（含）；任何一次冲突则全部不预订。"
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "venue",
            "unit",
            "title",
            "start",
            "end",
            "attendees",
            "contact",
            "tea",
            "sound",
            "screen",
            "banner",
            "state",
            "reason",
            "cancelled_by_requester",
            "series",
            "repeat_until",
            "version",
        ]
        read_only_fields = ["cancelled_by_requester", "series"]

    def validate(self, attrs):
        until = attrs.pop("repeat_until", None)
        attrs = super().validate(attrs)
        self.repeats = []
        if until is not None:
            if self.instance is not None:
                raise serializers.ValidationError({"repeat_until": ["只有新预订可以设为每周重复。"]})
            first = Booking(**attrs)
            try:
                self.repeats = bookings.weekly(first, until)
            except ValidationError as exc:
                raise serializers.ValidationError({"repeat_until": exc.messages}) from None
            attrs["series"] = first.series
        return attrs

    def create(self, validated_data):
        with transaction.atomic():
            booking = super().create(validated_data)
            for repeat in self.repeats:
                repeat.save()
        return booking


class EventSerializer(CleanedSerializer):
    class Meta:
        model = Event
        fields = [
            "id",
            "unit",
            "title",
            "place",
            "start",
            "end",
            "category",
            "vehicles_needed",
            "drivers_needed",
            "state",
            "reason",
            "version",
        ]


class EventAssignmentSerializer(CleanedSerializer):
    class Meta:
        model = EventAssignment
        fields = ["id", "event", "vehicle", "driver", "driver_phone", "note", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            fields["vehicle"].queryset = fleet_for(request.user)
        return fields


class PrintOrderSerializer(CleanedSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = PrintOrder
        fields = [
            "id",
            "unit",
            "document",
            "ordered_on",
            "pages",
            "copies",
            "binding",
            "page_price",
            "binding_price",
            "amount",
            "cost",
            "delivered_on",
            "errors",
            "error_note",
            "corrected_on",
            "version",
        ]


class SurveySerializer(CleanedSerializer):
    class Meta:
        model = Survey
        fields = [
            "id",
            "service",
            "year",
            "period",
            "title",
            "questions",
            "target",
            "follow_up_below",
            "request",
            "version",
        ]
        read_only_fields = ["request"]


class SurveyAnswerSerializer(CleanedSerializer):
    class Meta:
        model = SurveyAnswer
        fields = [
            "id",
            "survey",
            "unit",
            "item",
            "score",
            "comment",
            "follow_up",
            "action_taken",
            "closed_on",
            "version",
        ]


class RouteSerializer(CleanedSerializer):
    class Meta:
        model = Route
        fields = [
            "id",
            "unit",
            "site",
            "name",
            "patrols_per_month",
            "daily_notes",
            "weekly_journals",
            "target",
            "patrol_hours",
            "active",
            "version",
        ]


class CheckpointSerializer(CleanedSerializer):
    class Meta:
        model = Checkpoint
        fields = ["id", "route", "name", "order", "token", "version"]
        read_only_fields = ["token"]


class PatrolSerializer(CleanedSerializer):
    class Meta:
        model = Patrol
        fields = ["id", "route", "inspector", "started", "expires", "state", "note", "version"]
        read_only_fields = ["state"]


class CheckinSerializer(CleanedSerializer):
    class Meta:
        model = Checkin
        fields = ["id", "patrol", "checkpoint", "time", "inspector", "note", "version"]
        read_only_fields = ["inspector"]

    def create(self, validated_data):
        validated_data["inspector"] = self.context["request"].user
        return super().create(validated_data)


class JournalSerializer(CleanedSerializer):
    class Meta:
        model = Journal
        fields = ["id", "route", "kind", "date", "content", "issues", "rectify_by", "rectified_on", "version"]


class ApplicantSerializer(CleanedSerializer):
    class Meta:
        model = Applicant
        fields = ["id", "compound", "name", "unit", "ranking", "eligible", "note", "version"]


class SaleFlatSerializer(CleanedSerializer):
    class Meta:
        model = SaleFlat
        fields = [
            "id",
            "compound",
            "building",
            "number",
            "area",
            "price",
            "state",
            "applicant",
            "paid",
            "reserved_on",
            "sold_on",
            "version",
        ]
        read_only_fields = ["state", "applicant", "reserved_on", "sold_on"]


class SaleMoveSerializer(serializers.Serializer):
    move = serializers.ChoiceField(choices=["reserve", "sell", "release"])
    applicant = serializers.PrimaryKeyRelatedField(queryset=Applicant.objects.all(), required=False)


class CanteenMilestoneSerializer(CleanedSerializer):
    class Meta:
        model = CanteenMilestone
        fields = ["id", "unit", "project", "name", "planned", "actual", "state", "version"]


class CanteenMonthSerializer(CleanedSerializer):
    class Meta:
        model = CanteenMonth
        fields = ["id", "unit", "canteen", "month", "meals", "cost", "food_waste_kg", "version"]

    def validate_month(self, value):
        # Before the uniqueness check: a month is kept as its first day.
        return value.replace(day=1)


class DecisionSerializer(serializers.Serializer):
    move = serializers.ChoiceField(choices=list(bookings.MOVE_LABELS))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


def viewset(model, serializer, filterset, queryset=None):
    return type(
        f"{model.__name__}ViewSet",
        (ModelViewSet,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "filterset_class": filterset,
        },
    )


class BookingViewSet(ModelViewSet):
    queryset = Booking.objects.select_related("venue").order_by("-start", "-id")
    serializer_class = BookingSerializer
    filterset_class = filtersets.BookingFilterSet

    @extend_schema(request=DecisionSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        """Approve, decline, serve or cancel: the venue's manager or the division; a unit may cancel
        its own booking."""
        found = DecisionSerializer(data=request.data)
        found.is_valid(raise_exception=True)
        booking = get_object_or_404(Booking.objects.for_user(request.user, "view").select_related("venue"), pk=pk)
        try:
            bookings.decide(booking, request.user, found.validated_data["move"], found.validated_data["reason"])
        except ValidationError as exc:
            raise refusal(exc) from None
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied() from None
        return Response(BookingSerializer(booking, context=self.get_serializer_context()).data)


class PatrolViewSet(ModelViewSet):
    queryset = Patrol.objects.select_related("route").order_by("-started", "-id")
    serializer_class = PatrolSerializer
    filterset_class = filtersets.PatrolFilterSet

    @extend_schema(request=None, responses=PatrolSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """End the patrol: complete, incomplete (the missed checkpoints in `note`) or expired."""
        patrol = self.get_object()
        try:
            patrol.close()
        except ValidationError as exc:
            raise refusal(exc) from None
        return Response(PatrolSerializer(patrol, context=self.get_serializer_context()).data)


class SaleFlatViewSet(ModelViewSet):
    queryset = SaleFlat.objects.select_related("applicant").order_by("compound", "building", "number")
    serializer_class = SaleFlatSerializer
    filterset_class = filtersets.SaleFlatFilterSet

    @extend_schema(request=SaleMoveSerializer, responses=SaleFlatSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """reserve (for `applicant`, who must be next in ranking order), sell (when paid) or release."""
        flat = self.get_object()
        found = SaleMoveSerializer(data=request.data, context=self.get_serializer_context())
        found.is_valid(raise_exception=True)
        move, applicant = found.validated_data["move"], found.validated_data.get("applicant")
        try:
            if move == "reserve":
                if applicant is None:
                    raise ValidationError({"applicant": ["预订须指定申请人。"]})
                sales.reserve(flat, applicant)
            elif move == "sell":
                sales.sell(flat)
            else:
                sales.release(flat)
        except ValidationError as exc:
            raise refusal(exc) from None
        return Response(SaleFlatSerializer(flat, context=self.get_serializer_context()).data)


router = SimpleRouter()
router.register(
    "venues", viewset(Venue, VenueSerializer, filtersets.VenueFilterSet, Venue.objects.prefetch_related("managers"))
)
router.register("bookings", BookingViewSet)
router.register("events", viewset(Event, EventSerializer, filtersets.EventFilterSet))
router.register(
    "event-assignments",
    viewset(
        EventAssignment,
        EventAssignmentSerializer,
        filtersets.EventAssignmentFilterSet,
        EventAssignment.objects.order_by("-id"),
    ),
)
router.register("print-orders", viewset(PrintOrder, PrintOrderSerializer, filtersets.PrintOrderFilterSet))
router.register("surveys", viewset(Survey, SurveySerializer, filtersets.SurveyFilterSet))
router.register("survey-answers", viewset(SurveyAnswer, SurveyAnswerSerializer, filtersets.SurveyAnswerFilterSet))
router.register("routes", viewset(Route, RouteSerializer, filtersets.RouteFilterSet))
router.register(
    "checkpoints",
    viewset(
        Checkpoint,
        CheckpointSerializer,
        filtersets.CheckpointFilterSet,
        Checkpoint.objects.order_by("route", "order", "id"),
    ),
)
router.register("patrols", PatrolViewSet)
router.register(
    "checkins",
    viewset(Checkin, CheckinSerializer, filtersets.CheckinFilterSet, Checkin.objects.order_by("-time", "-id")),
)
router.register("journals", viewset(Journal, JournalSerializer, filtersets.JournalFilterSet))
router.register("sale-flats", SaleFlatViewSet)
router.register("applicants", viewset(Applicant, ApplicantSerializer, filtersets.ApplicantFilterSet))
router.register(
    "canteen-milestones", viewset(CanteenMilestone, CanteenMilestoneSerializer, filtersets.CanteenMilestoneFilterSet)
)
router.register("canteen-months", viewset(CanteenMonth, CanteenMonthSerializer, filtersets.CanteenMonthFilterSet))
