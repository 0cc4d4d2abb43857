from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from bureau.models import Person
from bureau.rest import CleanedSerializer, ModelViewSet
from offices import filtersets, overstandard
from offices.forms import occupant_errors
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Policy,
    RankLimit,
    Reconciliation,
    RepairProject,
    Revitalisation,
    Room,
    Site,
    Standard,
)


class StandardSerializer(CleanedSerializer):
    class Meta:
        model = Standard
        fields = ["id", "name", "document", "level", "effective_from", "version"]


class RankLimitSerializer(CleanedSerializer):
    class Meta:
        model = RankLimit
        fields = ["id", "standard", "rank", "limit_area", "version"]


class PolicySerializer(CleanedSerializer):
    class Meta:
        model = Policy
        fields = ["id", "year", "idle_target_area", "turnover_eligible_years", "version"]


class SiteSerializer(CleanedSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "address", "land_area", "note", "version"]


class BuildingSerializer(CleanedSerializer):
    class Meta:
        model = Building
        fields = [
            "id",
            "code",
            "name",
            "site",
            "address",
            "year_built",
            "structure",
            "floor_area",
            "land_area",
            "unit",
            "status",
            "title_state",
            "certificate_no",
            "registered_owner",
            "title_note",
            "version",
        ]


class FloorSerializer(CleanedSerializer):
    class Meta:
        model = Floor
        fields = ["id", "building", "level", "name", "version"]


class RoomSerializer(CleanedSerializer):
    occupants = serializers.PrimaryKeyRelatedField(many=True, queryset=Person.objects.all(), required=False)
    standard_area = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    over_standard = serializers.BooleanField(read_only=True)

    class Meta:
        model = Room
        fields = [
            "id",
            "building",
            "floor",
            "number",
            "category",
            "kind",
            "usable_area",
            "unit",
            "occupants",
            "standard_area",
            "over_standard",
            "note",
            "version",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance
        occupants = attrs.get("occupants", list(current.occupants.all()) if current else [])
        category = attrs.get("category", getattr(current, "category", None))
        unit = attrs.get("unit", getattr(current, "unit", None))
        errors = occupant_errors(current or Room(), category, unit, occupants)
        if errors:
            raise serializers.ValidationError({"occupants": [str(e) for e in errors]})
        return attrs

    def to_representation(self, instance):
        if not hasattr(instance, "standard_area"):
            # A room just written: read it back with its figures.
            instance = overstandard.room_flag(Room.objects.filter(pk=instance.pk), overstandard.limits_on()).get()
        return super().to_representation(instance)


class AllocationSerializer(CleanedSerializer):
    class Meta:
        model = Allocation
        fields = [
            "id",
            "kind",
            "unit",
            "reason",
            "rooms",
            "total_area",
            "document_no",
            "approved_on",
            "effective_on",
            "note",
            "version",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        record = self.instance or Allocation()
        for name in ("kind", "unit", "total_area"):
            if name in attrs:
                setattr(record, name, attrs[name])
        rooms = attrs.get("rooms", list(record.rooms.all()) if record.pk else [])
        self.held = record.held_room_ids()
        problems = record.check_rooms(list(rooms), self.held)
        if problems:
            raise serializers.ValidationError({"rooms": [str(p) for p in problems]})
        return attrs

    def save(self, **kwargs):
        saved = super().save(**kwargs)
        rooms = self.validated_data.get("rooms", [])
        saved.apply([r.pk for r in rooms if r.pk not in self.held])
        return saved


class RepairProjectSerializer(CleanedSerializer):
    cut_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    cut_rate = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)

    class Meta:
        model = RepairProject
        fields = [
            "id",
            "unit",
            "building",
            "year",
            "kind",
            "title",
            "scope",
            "added_floor_area",
            "requested_amount",
            "approved_amount",
            "cut_amount",
            "cut_rate",
            "state",
            "review_note",
            "version",
        ]


class RevitalisationSerializer(CleanedSerializer):
    class Meta:
        model = Revitalisation
        fields = [
            "id",
            "building",
            "operator",
            "contract_no",
            "revitalised_area",
            "start",
            "end",
            "annual_revenue",
            "note",
            "version",
        ]


class FlatSerializer(CleanedSerializer):
    class Meta:
        model = Flat
        fields = ["id", "code", "address", "floor_area", "bedrooms", "monthly_rent", "version"]


class LeaseSerializer(CleanedSerializer):
    class Meta:
        model = Lease
        fields = [
            "id",
            "flat",
            "person",
            "unit",
            "joined_on",
            "start",
            "end",
            "monthly_rent",
            "moved_out_on",
            "version",
        ]
        read_only_fields = ["unit"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        person = attrs.get("person") or self.instance.person
        attrs["unit"] = person.unit
        return attrs


class ReconciliationSerializer(CleanedSerializer):
    class Meta:
        model = Reconciliation
        fields = ["id", "unit", "period", "differences", "settled", "settle_note", "version"]


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


class RoomViewSet(ModelViewSet):
    queryset = Room.objects.all()
    serializer_class = RoomSerializer
    filterset_class = filtersets.RoomFilterSet

    def get_queryset(self):
        rooms = super().get_queryset().prefetch_related("occupants").order_by("pk")
        return overstandard.room_flag(rooms, overstandard.limits_on())


router = SimpleRouter()
router.register("standards", viewset(Standard, StandardSerializer, filtersets.StandardFilterSet))
router.register("rank-limits", viewset(RankLimit, RankLimitSerializer, filtersets.RankLimitFilterSet))
router.register("policies", viewset(Policy, PolicySerializer, filtersets.PolicyFilterSet))
router.register("sites", viewset(Site, SiteSerializer, filtersets.SiteFilterSet))
router.register("buildings", viewset(Building, BuildingSerializer, filtersets.BuildingFilterSet))
router.register("floors", viewset(Floor, FloorSerializer, filtersets.FloorFilterSet))
router.register("rooms", RoomViewSet)
router.register(
    "allocations",
    viewset(
        Allocation, AllocationSerializer, filtersets.AllocationFilterSet, Allocation.objects.prefetch_related("rooms")
    ),
)
router.register("repairs", viewset(RepairProject, RepairProjectSerializer, filtersets.RepairProjectFilterSet))
router.register(
    "revitalisations", viewset(Revitalisation, RevitalisationSerializer, filtersets.RevitalisationFilterSet)
)
router.register("flats", viewset(Flat, FlatSerializer, filtersets.FlatFilterSet))
router.register("leases", viewset(Lease, LeaseSerializer, filtersets.LeaseFilterSet))
router.register(
    "reconciliations", viewset(Reconciliation, ReconciliationSerializer, filtersets.ReconciliationFilterSet)
)
