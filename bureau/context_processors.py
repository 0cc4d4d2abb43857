import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau.choices import RequestState, SubmissionState
from bureau.models import Submission
from bureau.roles import user_roles
from bureau.scoping import can, user_unit_ids


def navigation(request):
    """The menu: each app's registry pages the user may open, grouped by work area."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from django.core.cache import cache
    from django.utils import translation

    from bureau.scoping import fingerprint

    # The menu depends only on what the user's roles reach (and the language): built once per
    # scope and kept, instead of reversing every registry page on every request.
    key = f"nav:{fingerprint(user)}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        found = _navigation(user)
        cache.set(key, found, 300)
    return found | {"nav_roles": user_roles(user), "nav_badge": task_count(user)}


def _navigation(user):
    from django.apps import apps

    from bureau.generic import registry
    from bureau.urls import AREA_APPS, app_module

    groups = {app: [] for app in ("bureau", *AREA_APPS)}
    # Each area's own pages first (an app's urls.menu: label, URL name, model it reads).
    for app in AREA_APPS:
        for label, url_name, model in getattr(app_module(app, "urls"), "menu", ()):
            if can(user, model, "view"):
                groups[app].append((label, reverse(url_name)))
    for model, config in registry().items():
        if not can(user, model, "view"):
            continue
        try:
            url = reverse(config.url_name("list"))
        except NoReverseMatch:
            continue
        groups[model._meta.app_label].append((model._meta.verbose_name_plural, url))
    menu = {
        str(apps.get_app_config(app).verbose_name): [(str(label), url) for label, url in items]
        for app, items in groups.items()
        if items
    }
    tools = [(_("我的导出任务"), reverse("jobs:list"))]
    if user.has_perm("bureau.view_annual_report"):
        tools.append((_("年度统计报表"), reverse("annual_reports")))
    from bureau.cockpit import can_close

    if can_close(user):
        tools.append((_("年度关账"), reverse("cockpit_years")))
    return {"nav_menu": menu, "nav_tools": [(str(label), url) for label, url in tools]}


def task_count(user):
    """A liaison's badge: returned submissions and those due within TASK_BADGE_DAYS (late included)."""
    units = user_unit_ids(user)
    if not units:
        return 0
    soon = timezone.localdate() + datetime.timedelta(days=settings.TASK_BADGE_DAYS)
    return (
        Submission.objects.for_user(user, "view")
        .filter(unit__in=units, request__state=RequestState.OPEN)
        .filter(Q(state=SubmissionState.RETURNED) | Q(state=SubmissionState.DRAFT, deadline__lte=soon))
        .count()
    )
