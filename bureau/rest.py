"""API bases: a model's serializer and viewset are declarations on these."""

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from bureau import audit, tablecache
from bureau.apiconf import scope_action
from bureau.choices import AuditAction
from bureau.models import Conflict


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "更新须带上读取时的版本：请求体中的 version 字段，或 If-Match 头。"
    default_code = "precondition_required"


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "此记录已被他人修改，请重新读取后再提交。"
    default_code = "conflict"


class PreconditionFailed(ConflictError):
    status_code = status.HTTP_412_PRECONDITION_FAILED


def exception_handler(exc, context):
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated):
        request = context["request"]
        user = request.user if request.user and request.user.is_authenticated else None
        with audit.acting_as(user, audit.client_ip(request), request.path):
            audit.record(AuditAction.DENIED, object_repr=request.path[:200])
    return drf_exception_handler(exc, context)


class ModelSerializer(serializers.ModelSerializer):
    """Related choices scoped to the user; `version` read back for the next update."""

    version = serializers.IntegerField(read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        # Related choices matter only for writes; reads skip building the scoped querysets.
        if request is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            for field in fields.values():
                target = getattr(field, "child_relation", field)
                queryset = getattr(target, "queryset", None)
                if queryset is not None and hasattr(queryset, "for_user"):
                    target.queryset = queryset.for_user(request.user, "view")
        return fields


class CachedList:
    """List pages from the shared cache until a table they read changes (bureau.tablecache)."""

    def list(self, request, *args, **kwargs):
        return tablecache.cached_list(self, request, lambda: super(CachedList, self).list(request, *args, **kwargs))


class ModelViewSet(CachedList, viewsets.ModelViewSet):
    """Declare `queryset`, `serializer_class` and `filterset_class`; scoping, conflict detection
    and the rollback of writes that land outside the user's reach come from here."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user, scope_action(self, self.request))

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data.get("version")}"'
        return response

    def check_in_scope(self, obj, action):
        if not self.queryset.model.objects.for_user(self.request.user, action).filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(_("所保存的记录不在您的权限范围内。"))

    def perform_create(self, serializer):
        with transaction.atomic():
            self.check_in_scope(serializer.save(), "add")

    def perform_update(self, serializer):
        instance = serializer.instance
        header = self.request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
        body = self.request.data.get("version") if hasattr(self.request.data, "get") else None
        expected = header or body
        if expected in (None, ""):
            raise PreconditionRequired()
        try:
            instance.version = int(expected)
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"version": [_("版本号须为整数。")]}) from None
        try:
            with transaction.atomic():
                self.check_in_scope(serializer.save(), "change")
        except Conflict:
            raise (PreconditionFailed if header else ConflictError)() from None

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()
