import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from bureau import audit


class AuditContextMiddleware:
    """Makes the signed-in user and address the author of every change made during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(getattr(request, "user", None), audit.client_ip(request), request.path):
            return self.get_response(request)


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
