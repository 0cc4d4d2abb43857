from rest_framework.routers import SimpleRouter

from bureau.filtersets import PersonFilterSet, UnitFilterSet
from bureau.models import Person, Unit
from bureau.rest import ModelSerializer, ModelViewSet


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


router = SimpleRouter()
router.register("units", UnitViewSet)
router.register("persons", PersonViewSet)
