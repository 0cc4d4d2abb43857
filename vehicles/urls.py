from django.urls import path

from vehicles import views

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
