"""API settings classes, apart from the viewset bases because DRF imports them while loading its
own views."""

import hashlib

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import authentication, exceptions, pagination, parsers, permissions
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from bureau import tablecache
from bureau.scoping import can, load_reach, reach_tables, refuses_as_missing

TOKEN_SECONDS = 300

ACTION_BY_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class JSONParser(parsers.JSONParser):
    """JSON as every view reads it. Python reads a lone surrogate ("\\ud800") from JSON, but it is
    no text: no database stores it, no page can show it. Refused here, once for every field."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        where = _not_text(data)
        if where is not None:
            name = where.encode("utf-8", "backslashreplace").decode() or api_settings.NON_FIELD_ERRORS_KEY
            raise exceptions.ValidationError({name: [_("含有无效字符（孤立的 UTF-16 代理码位）。")]})
        return data


def _not_text(data):
    """The dotted path ("rows.0.name") of the first string or key in parsed JSON that is not valid
    Unicode text, or None. Iterative: the nesting depth is the client's to choose."""
    stack = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            if isinstance(value, str) and not _encodable(value):
                return path
            continue
        for key, item in reversed(list(items)):
            name = f"{path}.{key}" if path else str(key)
            if not _encodable(name):
                return name
            stack.append((name, item))
    return None


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = _("页码“{page_number}”无效：{message}")

    def paginate_queryset(self, queryset, request, view=None):
        # A page that is not a number or past the last one is bad input: 400 naming `page`.
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.page_query_param: [exc.detail]}) from None


class ScopedPermission(permissions.BasePermission):
    """Signed in, and allowed the action on some rows of the model; which rows is for_user's job."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True
        if can(request.user, model, scope_action(view, request)):
            return True
        lookup = view.kwargs.get(view.lookup_url_kwarg or view.lookup_field)
        if lookup is not None and hasattr(model.objects, "for_user") and refuses_as_missing(request.user, model):
            # A record out of the user's scope is 404, as for the actions they may use: a 403
            # would tell that another unit's record exists.
            from rest_framework.generics import get_object_or_404

            get_object_or_404(model.objects.for_user(request.user, "view"), **{view.lookup_field: lookup})
        return False


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


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, its answer (and what the user's roles reach) kept in the cache while the
    token, user and role tables are unchanged: a request then costs one cache read and no query to
    learn who is asking. The password hash is not kept; the user is rebuilt with it deferred."""

    def authenticate_credentials(self, key):
        user_model = get_user_model()
        fields = [f.attname for f in user_model._meta.concrete_fields if f.attname != "password"]
        tables = {Token._meta.db_table, user_model._meta.db_table, *reach_tables()}
        cache_key = "token:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        found, stamps = tablecache.fresh(cache_key, tables)
        if found is None:
            with tablecache.reading() as read:
                user, token = super().authenticate_credentials(key)
                user._reach = load_reach(user)
            found = [getattr(user, f) for f in fields], token.created, user._reach
            tablecache.keep(cache_key, found, read, stamps, TOKEN_SECONDS)
            return user, token
        values, created, user_reach = found
        user = user_model.from_db(DEFAULT_DB_ALIAS, fields, values)
        user._reach = user_reach
        token = Token.from_db(DEFAULT_DB_ALIAS, ["key", "user_id", "created"], [key, user.pk, created])
        token.user = user
        return user, token


ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# A 400 names each field with its messages (a list, or a nested object for a nested field);
# a refused transition or a whole-body refusal says `detail`.
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}


def document_errors(result, generator, request, public):
    """drf-spectacular documents only the successes; add the refusals the bases answer (bureau.rest,
    Pagination, FilterBackend), so a client and the schema agree on every status code."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(Error=ERROR, FieldErrors=FIELD_ERRORS)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    fields = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/FieldErrors"}}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            codes = {"401": "未登录或令牌无效", "403": "角色无此操作的权限"}
            if "{" in path:
                codes["404"] = "记录不存在或不在调用者的权限范围内"
            queried = any(p.get("in") == "query" for p in operation.get("parameters", ()))
            if method in ("post", "put", "patch") or queried:
                codes["400"] = "输入有误：按字段列出原因"
            if method in ("put", "patch"):
                codes |= {"409": "记录已被他人修改", "412": "If-Match 的版本已过期", "428": "未带读取时的版本"}
            if method == "delete":
                codes["409"] = "仍有其他记录引用此记录"
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                body = fields if code == "400" else error
                responses.setdefault(code, {"description": description, **body})
    return result
