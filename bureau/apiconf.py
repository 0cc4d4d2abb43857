"""API settings classes, apart from the viewset bases because DRF imports them while loading its
own views."""

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
