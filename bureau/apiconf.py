"""API settings classes, apart from the viewset bases because DRF imports them while loading its
own views."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination, permissions

from bureau.scoping import can

ACTION_BY_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedPermission(permissions.BasePermission):
    """Signed in, and allowed the action on some rows of the model; which rows is for_user's job."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        return can(request.user, model, scope_action(view, request))


def scope_action(view, request):
    """The scoping action of a request: custom actions on a record (approve, publish) change it."""
    name = getattr(view, "action", None)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return "view"
    if name == "create":
        return "add"
    if name == "destroy":
        return "delete"
    return "change" if name else ACTION_BY_METHOD.get(request.method, "change")


class FilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the query string names no filter: an unfiltered list page then
    builds no filter set, form or dropdown querysets."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = set(filterset_class.base_filters)
        if not names.intersection(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
