from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from bureau.rest import CleanedSerializer, ModelViewSet
from energy import filtersets as fs
from energy.choices import accepted_units, official_unit
from energy.forms import assessment_refused
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
from energy.requests import PERIOD


def _serializer(model_, fields_):
    class Serializer(CleanedSerializer):
        class Meta:
            model = model_
            fields = ["id", *fields_, "version"]

    # "Energy…": other apps have models of the same name (vehicles.Inspection) in the OpenAPI schema.
    Serializer.__name__ = Serializer.__qualname__ = f"Energy{model_.__name__}Serializer"
    return Serializer


class FactorSerializer(CleanedSerializer):
    class Meta:
        model = Factor
        fields = ["id", "factor_set", "item", "coal", "co2", "density", "source", "version"]


class FactorSetSerializer(CleanedSerializer):
    factors = FactorSerializer(many=True, read_only=True)

    class Meta:
        model = FactorSet
        fields = ["id", "name", "year", "source", "active", "note", "factors", "version"]


class ConsumptionSerializer(CleanedSerializer):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")

    class Meta:
        model = Consumption
        fields = [
            "id",
            "unit",
            "period",
            "item",
            "quantity",
            "measure",
            "cost",
            "kgce",
            "co2_kg",
            "factor_set",
            "version",
        ]
        read_only_fields = ["kgce", "co2_kg", "factor_set"]
        extra_kwargs = {"measure": {"required": False}}

    def validate_period(self, value):
        match = PERIOD.match(value.strip())
        if not match or not match["month"] or not 1 <= int(match["month"]) <= 12:
            raise serializers.ValidationError(_("期间须为“YYYY-MM”，例如 2022-03。"))
        return int(match["year"]), int(match["month"])

    def validate(self, attrs):
        instance = self.instance
        if "period" in attrs:
            attrs["year"], attrs["month"] = attrs.pop("period")
        item = attrs.get("item", instance and instance.item)
        measure = attrs.get("measure") or (
            instance.measure if instance and "item" not in attrs else official_unit(item)
        )
        if measure not in accepted_units(item):
            raise serializers.ValidationError(
                {"measure": _("计量单位只能是 %(u)s。") % {"u": "、".join(accepted_units(item))}}
            )
        attrs["measure"] = measure
        key = {
            "unit": attrs.get("unit", instance and instance.unit),
            "year": attrs.get("year", instance and instance.year),
            "month": attrs.get("month", instance and instance.month),
            "item": item,
        }
        clash = Consumption.objects.filter(**key)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"item": _("该单位该月的此品种已有数据。")})
        return super().validate(attrs)


router = SimpleRouter()


def _register(prefix, model, serializer, filterset, queryset=None):
    viewset = type(
        f"{model.__name__}ViewSet",
        (ModelViewSet,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "filterset_class": filterset,
        },
    )
    router.register(prefix, viewset)
    return viewset


_register("consumptions", Consumption, ConsumptionSerializer, fs.ConsumptionFilterSet)
_register(
    "factor-sets", FactorSet, FactorSetSerializer, fs.FactorSetFilterSet, FactorSet.objects.prefetch_related("factors")
)
_register("factors", Factor, FactorSerializer, fs.FactorFilterSet)
_register(
    "targets", Target, _serializer(Target, ["key", "base_year", "target_year", "value", "source"]), fs.TargetFilterSet
)
_register(
    "profiles",
    Profile,
    _serializer(Profile, ["unit", "year", "floor_area", "heated_area", "people", "note"]),
    fs.ProfileFilterSet,
)
_register(
    "flags",
    VerificationFlag,
    _serializer(VerificationFlag, ["unit", "year", "kind", "item", "message", "resolved", "note"]),
    fs.VerificationFlagFilterSet,
)
_register(
    "audits",
    EnergyAudit,
    _serializer(
        EnergyAudit, ["unit", "year", "auditor", "audit_date", "findings", "measures", "deadline", "follow_up", "state"]
    ),
    fs.EnergyAuditFilterSet,
)


class ConservationOrganSerializer(
    _serializer(ConservationOrgan, ["unit", "year", *ConservationOrgan.CRITERIA, "evidence", "state"])
):
    def validate_state(self, state):
        previous = self.instance.state if self.instance is not None else None
        message = assessment_refused(self.context["request"].user, previous, state)
        if message:
            raise serializers.ValidationError(message)
        return state


_register("conservation-organs", ConservationOrgan, ConservationOrganSerializer, fs.ConservationOrganFilterSet)
_register(
    "retrofits",
    Retrofit,
    _serializer(
        Retrofit,
        [
            "unit",
            "name",
            "kind",
            "emc_mode",
            "contractor",
            "investment",
            "start_year",
            "expected_tce",
            "expected_co2_t",
            "measured_tce",
            "measured_co2_t",
            "state",
        ],
    ),
    fs.RetrofitFilterSet,
)
_register(
    "inspections",
    Inspection,
    _serializer(Inspection, ["unit", "topic", "date", "inspector", "result", "findings", "deadline", "rectified"]),
    fs.InspectionFilterSet,
)
