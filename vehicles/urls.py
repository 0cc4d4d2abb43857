from django.urls import path
from django.utils.translation import gettext_lazy as _

from vehicles import views
from vehicles.models import Quota, Trip, Vehicle

menu = [
    (_("公务用车概览"), "vehicles:index", Vehicle),
    (_("超编单位"), "vehicles:over_quota", Quota),
    (_("闲置车辆"), "vehicles:idle", Vehicle),
    (_("月度用车统计"), "vehicles:usage", Trip),
]

urlpatterns = [
    *views.VehicleViews.urls(),
    *views.QuotaViews.urls(),
    *views.TripViews.urls(),
    *views.SupportRequestViews.urls(),
    *views.RentalOrderViews.urls(),
    *views.InspectionRoundViews.urls(),
    *views.InspectionViews.urls(),
    *views.RunningCostViews.urls(),
    *views.VehicleStandardViews.urls(),
    *views.RulesViews.urls(),
    *views.CalendarDayViews.urls(),
    path("", views.index, name="index"),
    # The generic Excel import of the model form is trip/import/; this is the platform export.
    path("trip/platform-import/", views.import_trips, name="trip_platform_import"),
    path("trip/<int:pk>/explain/", views.explain_trip, name="trip_explain"),
    path("over-quota/", views.over_quota, name="over_quota"),
    path("idle/", views.idle, name="idle"),
    path("usage/", views.usage, name="usage"),
]
