import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from bureau import audit
from bureau.choices import AuditAction


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
