from importlib import import_module

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bureau import cockpit, views
from bureau.api import ApiIndex
from bureau.api import router as core_router

AREA_APPS = ("offices", "vehicles", "energy", "logistics", "party", "performance")

bureau_patterns = (
    [
        *views.UnitViews.urls(),
        *views.PersonViews.urls(),
        *views.DataRequestViews.urls(),
        path("datarequest/<int:pk>/publish/", views.request_publish, name="datarequest_publish"),
        path("datarequest/<int:pk>/grid/", views.request_grid, name="datarequest_grid"),
        *views.SubmissionViews.urls(),
        path("submission/<int:pk>/", views.submission_detail, name="submission_detail"),
        path("submission/<int:pk>/template/", views.submission_template, name="submission_template"),
    ],
    "bureau",
)


def app_module(app, name):
    """An area app's `urls` or `api` module, or None while the app has none."""
    try:
        return import_module(f"{app}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.{name}":
            raise
        return None


def area_urls():
    modules = [(app, app_module(app, "urls")) for app in AREA_APPS]
    return [path(f"{app}/", include((m.urlpatterns, app))) for app, m in modules if m is not None]


def api_urls():
    modules = [(app, app_module(app, "api")) for app in AREA_APPS]
    routers = [("bureau", "bureau-api", core_router)]
    routers += [(app, f"{app}-api", m.router) for app, m in modules if hasattr(m, "router")]
    index = ApiIndex.as_view(routers=routers)
    return [path("", index, name="api_index")] + [
        path(f"{app}/" if app != "bureau" else "", include((r.urls, namespace))) for app, namespace, r in routers
    ]


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("base/", include(bureau_patterns)),
    path("jobs/", include(("bureau.jobs", "jobs"))),
    path("reports/", views.annual_reports, name="annual_reports"),
    path("cockpit/metric/<str:key>/", cockpit.metric_page, name="cockpit_metric"),
    path("cockpit/years/", cockpit.years_page, name="cockpit_years"),
    *area_urls(),
    path("api/v1/", include(api_urls())),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="bureau/swagger_ui.html"),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]
# No /media/ route, not even under DEBUG: the only files kept are job results and uploads in
# transit (bureau.jobs), served to their owner by jobs:download alone.
