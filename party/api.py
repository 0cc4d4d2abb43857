from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from bureau.rest import ModelSerializer, ModelViewSet
from party import filtersets
from party.forms import discipline_staff
from party.models import Archive, ArchiveEntry, Clue, grant, record_read


class CleanedSerializer(ModelSerializer):
    """Runs the model's clean(), so the API refuses exactly what the forms refuse."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class GrantingSerializer(CleanedSerializer):
    """Whoever files a confidential record holds it."""

    def create(self, validated_data):
        created = super().create(validated_data)
        user = self.context["request"].user
        grant(created, user, by=user)
        return created


class ClueSerializer(GrantingSerializer):
    handler = serializers.PrimaryKeyRelatedField(queryset=discipline_staff(), required=False, allow_null=True)

    class Meta:
        model = Clue
        fields = [
            "id",
            "number",
            "received_on",
            "source",
            "unit",
            "subject",
            "summary",
            "handler",
            "state",
            "disposal",
            "form",
            "outcome",
            "version",
        ]


class ArchiveSerializer(GrantingSerializer):
    class Meta:
        model = Archive
        fields = ["id", "person", "opened_on", "note", "version"]


class ArchiveEntrySerializer(CleanedSerializer):
    class Meta:
        model = ArchiveEntry
        fields = ["id", "archive", "kind", "date", "summary", "amount", "version"]


class ConfidentialViewSet(ModelViewSet):
    """Every record read through the API is in the audit trail, as on the detail page."""

    def get_object(self):
        obj = super().get_object()
        if self.action == "retrieve":
            record_read(obj, "API", self.request.user)
        return obj


def viewset(model, serializer, filterset, queryset=None, base=ModelViewSet):
    return type(
        f"{model.__name__}ViewSet",
        (base,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "filterset_class": filterset,
        },
    )


router = SimpleRouter()
router.register("clues", viewset(Clue, ClueSerializer, filtersets.ClueFilterSet, base=ConfidentialViewSet))
router.register(
    "archives",
    viewset(
        Archive,
        ArchiveSerializer,
        filtersets.ArchiveFilterSet,
        Archive.objects.select_related("person"),
        base=ConfidentialViewSet,
    ),
)
router.register(
    "archive-entries",
    viewset(ArchiveEntry, ArchiveEntrySerializer, filtersets.ArchiveEntryFilterSet, base=ConfidentialViewSet),
)
