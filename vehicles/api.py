from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from bureau.rest import CleanedSerializer, ModelSerializer, ModelViewSet
from vehicles import filtersets, queries, trips
from vehicles.models import (
    CalendarDay,
    Inspection,
    InspectionRound,
    Quota,
    RentalOrder,
    Rules,
    RunningCost,
    SupportRequest,
    Trip,
    Vehicle,
    VehicleStandard,
)
from vehicles.validators import normalise_plate


class VehicleStandardSerializer(CleanedSerializer):
    class Meta:
        model = VehicleStandard
        fields = ["id", "category", "name", "max_price", "max_displacement", "is_default", "source", "version"]


class RulesSerializer(CleanedSerializer):
    class Meta:
        model = Rules
        fields = [
            "id",
            "effective_from",
            "replacement_years",
            "replacement_km",
            "night_start",
            "night_end",
            "long_trip_km",
            "idle_days",
            "version",
        ]


class CalendarDaySerializer(CleanedSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name", "version"]


class VehicleSerializer(CleanedSerializer):
    is_new_energy = serializers.BooleanField(read_only=True)
    beyond_limits = serializers.BooleanField(read_only=True)
    replacement_due = serializers.BooleanField(read_only=True)

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "plate",
            "unit",
            "category",
            "standard",
            "energy_type",
            "brand",
            "displacement",
            "purchase_date",
            "purchase_price",
            "odometer_km",
            "status",
            "status_since",
            "device_id",
            "marking",
            "quota_approval",
            "is_new_energy",
            "beyond_limits",
            "replacement_due",
            "version",
        ]

    def to_internal_value(self, data):
        if hasattr(data, "get") and isinstance(data.get("plate"), str):
            data = data.copy()
            data["plate"] = normalise_plate(data["plate"])
        return super().to_internal_value(data)

    def validate(self, attrs):
        from vehicles.forms import quota_shortfall

        attrs = super().validate(attrs)
        message = quota_shortfall(self.instance, attrs)
        if message:
            raise serializers.ValidationError({"quota_approval": [message]})
        return attrs


class QuotaSerializer(CleanedSerializer):
    class Meta:
        model = Quota
        fields = ["id", "unit", "category", "approved", "approval_ref", "effective_from", "version"]


TRIP_FIELDS = [
    "id",
    "platform_id",
    "vehicle",
    "unit",
    "driver",
    "start",
    "end",
    "start_odometer",
    "end_odometer",
    "distance_km",
    "origin",
    "destination",
    "purpose",
    "approval_no",
    "off_day",
    "night",
    "long_distance",
    "explained",
    "explanation",
    "version",
]


class TripSerializer(ModelSerializer):
    plate = serializers.CharField(source="vehicle.plate", read_only=True)

    class Meta:
        model = Trip
        fields = [*TRIP_FIELDS, "plate"]
        read_only_fields = ["unit", "off_day", "night", "long_distance", "explained", "explanation"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        trip = Trip(pk=self.instance.pk if self.instance else None)
        if self.instance:
            for field in ("platform_id", "vehicle_id", "start", "end", "start_odometer", "end_odometer", "distance_km"):
                setattr(trip, field, getattr(self.instance, field))
        for name, value in attrs.items():
            setattr(trip, name, value)
        errors = {}
        for field, message in trips.check_one(trip):
            errors.setdefault(field or "non_field_errors", []).append(message)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TripCursor(pagination.CursorPagination):
    """Keyset pages over millions of trips: no COUNT, no OFFSET."""

    ordering = ("-start", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor_message = gettext_lazy("翻页标记无效：请用上一页返回的 next 或 previous 链接。")

    def decode_cursor(self, request):
        # A cursor this API did not hand out is bad input: 400 naming `cursor`, as Pagination does for
        # `page`. So is a well-formed one whose position is no time: the keyset filter would fail.
        try:
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                Trip._meta.get_field("start").to_python(cursor.position)
        except (exceptions.NotFound, ValidationError):
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        return cursor


class SupportRequestSerializer(CleanedSerializer):
    class Meta:
        model = SupportRequest
        fields = ["id", "unit", "task", "start", "end", "place", "passengers", "status", "vehicle", "reason", "version"]


class RentalOrderSerializer(CleanedSerializer):
    class Meta:
        model = RentalOrder
        fields = ["id", "unit", "provider", "vehicle_desc", "start_date", "end_date", "cost", "purpose", "version"]


class InspectionRoundSerializer(CleanedSerializer):
    class Meta:
        model = InspectionRound
        fields = ["id", "name", "start_date", "end_date", "note", "version"]


class InspectionSerializer(CleanedSerializer):
    class Meta:
        model = Inspection
        fields = [
            "id",
            "round",
            "vehicle",
            "unit",
            "checked_on",
            "outcome",
            "exempt_reason",
            "rectify_by",
            "rectified_on",
            "note",
            "version",
        ]
        read_only_fields = ["unit"]


class RunningCostSerializer(CleanedSerializer):
    class Meta:
        model = RunningCost
        fields = ["id", "vehicle", "unit", "date", "kind", "amount", "note", "version"]
        read_only_fields = ["unit"]


class VehicleStandardViewSet(ModelViewSet):
    queryset = VehicleStandard.objects.all()
    serializer_class = VehicleStandardSerializer
    filterset_class = filtersets.VehicleStandardFilterSet


class RulesViewSet(ModelViewSet):
    queryset = Rules.objects.all()
    serializer_class = RulesSerializer
    filterset_class = filtersets.RulesFilterSet


class CalendarDayViewSet(ModelViewSet):
    queryset = CalendarDay.objects.all()
    serializer_class = CalendarDaySerializer
    filterset_class = filtersets.CalendarDayFilterSet


class VehicleViewSet(ModelViewSet):
    queryset = Vehicle.objects.all()
    serializer_class = VehicleSerializer
    filterset_class = filtersets.VehicleFilterSet

    def get_queryset(self):
        return queries.with_flags(super().get_queryset())


class QuotaViewSet(ModelViewSet):
    queryset = Quota.objects.all()
    serializer_class = QuotaSerializer
    filterset_class = filtersets.QuotaFilterSet


class TripViewSet(ModelViewSet):
    """A list body is the platform's bulk push: validated and saved like a file import."""

    queryset = Trip.objects.select_related("vehicle")
    serializer_class = TripSerializer
    filterset_class = filtersets.TripFilterSet
    pagination_class = TripCursor

    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, list):
            return super().create(request, *args, **kwargs)
        items = []
        for number, item in enumerate(request.data, start=1):
            if not isinstance(item, dict):
                return Response(
                    {"errors": [{"row": number, "column": "", "message": _("每条行程须为对象。")}]}, status=400
                )
            items.append((number, item))
        try:
            result = trips.import_trips(items, request.user)
        except trips.TripErrors as exc:
            return Response(
                {"errors": [{"row": r, "column": c, "message": m} for r, c, m in exc.errors]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": result["created"], "updated": result["updated"]}, status=status.HTTP_201_CREATED)

    def perform_create(self, serializer):
        self._flag(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self._flag(serializer)
        super().perform_update(serializer)

    def _flag(self, serializer):
        """Unit and anomaly flags follow the vehicle and times being saved."""
        data = serializer.validated_data
        trip = Trip(**data)
        if serializer.instance is not None:
            for name in ("start", "end", "distance_km", "vehicle"):
                if name not in data:
                    setattr(trip, name, getattr(serializer.instance, name))
        trips.flag_trips([trip])
        data.update(unit=trip.vehicle.unit, off_day=trip.off_day, night=trip.night, long_distance=trip.long_distance)


class SupportRequestViewSet(ModelViewSet):
    queryset = SupportRequest.objects.all()
    serializer_class = SupportRequestSerializer
    filterset_class = filtersets.SupportRequestFilterSet


class RentalOrderViewSet(ModelViewSet):
    queryset = RentalOrder.objects.all()
    serializer_class = RentalOrderSerializer
    filterset_class = filtersets.RentalOrderFilterSet


class InspectionRoundViewSet(ModelViewSet):
    queryset = InspectionRound.objects.all()
    serializer_class = InspectionRoundSerializer
    filterset_class = filtersets.InspectionRoundFilterSet


class InspectionViewSet(ModelViewSet):
    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = filtersets.InspectionFilterSet


class RunningCostViewSet(ModelViewSet):
    queryset = RunningCost.objects.all()
    serializer_class = RunningCostSerializer
    filterset_class = filtersets.RunningCostFilterSet


router = SimpleRouter()
router.register("vehicles", VehicleViewSet)
router.register("quotas", QuotaViewSet)
router.register("trips", TripViewSet)
router.register("support-requests", SupportRequestViewSet)
router.register("rentals", RentalOrderViewSet)
router.register("inspection-rounds", InspectionRoundViewSet)
router.register("inspections", InspectionViewSet)
router.register("costs", RunningCostViewSet)
router.register("standards", VehicleStandardViewSet)
router.register("rules", RulesViewSet)
router.register("calendar", CalendarDayViewSet)
