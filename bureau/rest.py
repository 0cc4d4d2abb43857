"""API bases: a model's serializer and viewset are declarations on these."""

import copy
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from bureau import audit, tablecache
from bureau.apiconf import scope_action
from bureau.choices import AuditAction
from bureau.models import Conflict
from bureau.scoping import fingerprint


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


class StillReferenced(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "still_referenced"


# Anonymous refusals are scans and expired sessions, not people the audit trail is for: a log line,
# at most one per address a minute, so that a scan floods neither the table nor the log.
anonymous_log = logging.getLogger("bureau.audit")


def exception_handler(exc, context):
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        refused(context["request"], context["view"])
    elif isinstance(exc, Http404 | exceptions.NotFound):
        probed(context["request"], context["view"])
    return drf_exception_handler(exc, context)


def _target(view):
    """The model and the object id a refused request was about, as far as the route names them."""
    model = getattr(getattr(view, "queryset", None), "model", None)
    kwargs = getattr(view, "kwargs", None) or {}
    pk = kwargs.get(getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk"))
    return model, "" if pk is None else str(pk)


def refused(request, view):
    user = request.user if request.user and request.user.is_authenticated else None
    ip = audit.client_ip(request)
    if user is None:
        if cache.add(f"refused-anonymously:{ip}", 1, 60):
            anonymous_log.warning("anonymous API request refused: %s %s from %s", request.method, request.path, ip)
        return
    model, pk = _target(view)
    with audit.acting_as(user, ip, request.path):
        audit.record(AuditAction.DENIED, model=model, object_id=pk[:64], object_repr=request.path[:200], user=user)


def probed(request, view):
    """A signed-in user asked for a record that exists outside their scope: they get the 404 of a
    missing record, the trail gets an entry naming the record."""
    user = request.user if request.user and request.user.is_authenticated else None
    model, pk = _target(view)
    if user is None or model is None or not pk:
        return
    try:
        obj = model._base_manager.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return
    if obj is not None:
        with audit.acting_as(user, audit.client_ip(request), request.path):
            audit.record(AuditAction.DENIED, obj, user=user)


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
            for name in withheld(self.Meta.model, request.user):
                if name in fields:
                    fields[name].read_only = True
        return fields


def refusal(exc):
    """A model's ValidationError as the API's 400, field by field where it names fields."""
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class CleanedSerializer(ModelSerializer):
    """Runs the model's clean() on a copy carrying the new values, so the API refuses exactly what
    the forms refuse; a refusal found while saving (under a lock) is a 400 as well."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        try:
            instance.clean()
        except ValidationError as exc:
            raise refusal(exc) from None
        return attrs

    def save(self, **kwargs):
        try:
            return super().save(**kwargs)
        except ValidationError as exc:
            raise refusal(exc) from None


def withheld(model, user):
    """The fields the model's form leaves out for this user (a unit does not dispatch or review):
    the API writes no more than the form does."""
    from bureau.generic import registry

    form_class = getattr(registry().get(model), "form", None)
    if form_class is None:
        return set()
    return set(form_class._meta.fields or ()) - set(form_class(user=user).fields)


class CachedList:
    """List pages from the cache while no table they read has changed (bureau.tablecache), kept
    per everything that decides what the caller may see: user, roles, permissions, liaison units."""

    # Per process and view: the tables its lists were seen to read. A page is kept only when every
    # table it read had its stamp taken before the reading began, so the first is not.
    tables_read = None

    def list(self, request, *args, **kwargs):
        # JSON only: the browsable API's HTML carries the session's CSRF token.
        if not settings.LIST_CACHE_SECONDS or request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)
        cls = type(self)
        if cls.__dict__.get("tables_read") is None:
            cls.tables_read = frozenset({tablecache.ANY, self.queryset.model._meta.db_table})
        key = self.page_key(request)
        found, stamps = tablecache.fresh(key, cls.tables_read)
        if found is not None:
            return HttpResponse(found[0], content_type=found[1])
        with tablecache.reading() as read:
            response = super().list(request, *args, **kwargs)
        cls.tables_read = cls.tables_read | read  # a new set: other threads may be reading the old one
        if response.status_code == 200:
            response.add_post_render_callback(
                lambda r: tablecache.keep(
                    key, (r.content, r["Content-Type"]), read, stamps, settings.LIST_CACHE_SECONDS
                )
            )
        return response

    def page_key(self, request):
        parts = (
            type(self).__module__,
            type(self).__qualname__,
            request.get_full_path(),
            request.accepted_renderer.format,
            translation.get_language(),
            timezone.localdate(),
            fingerprint(request.user),
        )
        return "list:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


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
        if header == "*":
            # "Whatever is stored now": exactly the blind overwrite that a version prevents.
            header = ""
            if body in (None, ""):
                raise PreconditionRequired(_("If-Match: * 不指明版本：请带上读取时的 ETag 或 version 字段。"))
        expected = header or body
        if expected in (None, ""):
            raise PreconditionRequired()
        try:
            if isinstance(expected, bool | float):  # int() would read true as 1 and 1.5 as 1
                raise TypeError
            instance.version = int(expected)
        except (TypeError, ValueError):
            raise exceptions.ValidationError({"version": [_("版本号须为整数。")]}) from None
        try:
            with transaction.atomic():
                self.check_in_scope(serializer.save(), "change")
        except Conflict:
            raise (PreconditionFailed if header else ConflictError)() from None

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            # The same refusal as the web page's (bureau.generic.DeleteView), not a server error.
            names = "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
            raise StillReferenced(_("不能删除：仍有%(names)s引用此记录。") % {"names": names}) from None
