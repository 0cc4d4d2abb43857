import logging
import time

import psycopg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from bureau import audit
from bureau.choices import AuditAction

log = logging.getLogger(__name__)
# Django wraps the driver's errors, except those of the driver's own calls it makes (COPY).
CONNECTION_LOST = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


class AuditContextMiddleware:
    """Makes the signed-in user and address the author of every change made during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(getattr(request, "user", None), audit.client_ip(request), request.path):
            return self.get_response(request)

    def process_exception(self, request, exception):
        """Any view's refusal of a signed-in user is an audit entry, once (the generic pages write
        their own, naming the model). The API's refusals are recorded by its exception handler."""
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if isinstance(exception, PermissionDenied) and signed_in and not audit.current().denied:
            audit.record(AuditAction.DENIED, object_repr=request.path[:200], user=user)


class SessionIdleTimeoutMiddleware:
    """Signs out a session left idle longer than SESSION_IDLE_SECONDS (the absolute limit is the
    session cookie's age)."""

    key = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(self.key)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("您已长时间未操作，请重新登录。"))
                    return redirect_to_login(request.get_full_path())
            else:
                # Written at most once a minute, so that reads do not write the session every time.
                if last is None or now - last >= 60:
                    request.session[self.key] = now
        return self.get_response(request)


class ChineseByDefaultMiddleware:
    """The portal speaks Chinese unless the user picked English (the language cookie): the
    browser's Accept-Language is ignored, as a government intranet's browsers vary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class HealthCheckMiddleware:
    """First in the chain: the health check answers the compose and load balancer probes over plain
    HTTP, whatever Host they send, before the host check and the HTTPS redirect (nothing else does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from bureau.views import healthz

            return healthz(request)
        return self.get_response(request)


class ServiceUnavailableMiddleware:
    """A database that went away in the middle of a request (a restart, a failover) answers 503 with
    a message to try again, not a 500: the request's transaction went with the connection, so
    nothing of it was saved, and the next request connects afresh. So does a background job that
    the broker (Redis) could not take. The page needs neither service."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CONNECTION_LOST):
            log.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
            # Errors of the driver's own calls leave Django thinking the connection fine: drop a
            # dead one now, so that the next request connects afresh.
            for conn in connections.all(initialized_only=True):
                if conn.connection is not None and not conn.is_usable():
                    conn.close()
            message = _("数据库连接中断，本次操作没有完成，也没有保存任何内容。请稍后重试。")
        elif isinstance(exception, BrokerError):
            log.warning("broker unavailable during %s %s: %s", request.method, request.path, exception)
            message = _("后台任务服务暂时不可用，任务未能开始。请稍后重试。")
        else:
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>503</title><p>{message}</p></html>',
                status=503,
            )
        response["Retry-After"] = "30"
        return response
