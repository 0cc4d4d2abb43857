"""The project's URLs plus a bare DRF endpoint, for the API benchmark's gunicorn only."""

from django.urls import path
from rest_framework import generics, mixins, pagination, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bureau.api import PersonViewSet
from bureau.models import Person
from bureau.urls import urlpatterns as project_urls

# Shaped like a page of /api/v1/persons/: the same JSON size, none of the database work.
PAGE = {
    "count": 150_000,
    "next": "http://127.0.0.1/bench/bare/?page=2",
    "previous": None,
    "results": [
        {"id": i, "name": f"人员{i:06d}", "unit": 1 + i // 500, "rank": "below_bureau", "version": 1}
        for i in range(1, 51)
    ],
}


class Bare(APIView):
    """DRF's request/response cycle and JSON rendering, behind the same middleware, nothing else."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request):
        return Response(PAGE)


class PlainPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "unit", "rank", "version"]


class PlainPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"


class PlainList(generics.ListAPIView):
    """What DRF's documentation would write for one unit's people: token auth, a plain serializer
    and paginator, no scoping, roles or filters. The portal's list does the same database work plus
    its scoping, so the gap between the two is what the portal's layers cost."""

    permission_classes = (IsAuthenticated,)
    serializer_class = PlainPersonSerializer
    pagination_class = PlainPagination

    def get_queryset(self):
        return Person.objects.filter(unit_id=self.kwargs["unit"]).order_by("unit_id", "name")


class UncachedPersons(PersonViewSet):
    """The portal's person list computed on every request, as with LIST_CACHE_SECONDS=0."""

    def list(self, request, *args, **kwargs):
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)


urlpatterns = [
    path("bench/bare/", Bare.as_view()),
    path("bench/uncached/", UncachedPersons.as_view({"get": "list"})),
    path("bench/plain/<int:unit>/", PlainList.as_view()),
    *project_urls,
]
