from django.urls import path

from energy import views

urlpatterns = [
    *(u for v in views.VIEWS for u in v.urls()),
    path("overview/", views.overview_page, name="overview"),
    path("verification/", views.verification_page, name="verification"),
    path("verification/run/", views.run_checks, name="run_checks"),
    path("factorset/<int:pk>/recompute/", views.recompute, name="recompute"),
]
