from django.urls import path
from django.utils.translation import gettext_lazy as _

from energy import views
from energy.models import Consumption, VerificationFlag

menu = [
    (_("能耗总览"), "energy:overview", Consumption),
    (_("核查会审"), "energy:verification", VerificationFlag),
]

urlpatterns = [
    *(u for v in views.VIEWS for u in v.urls()),
    path("overview/", views.overview_page, name="overview"),
    path("verification/", views.verification_page, name="verification"),
    path("verification/run/", views.run_checks, name="run_checks"),
    path("factorset/<int:pk>/recompute/", views.recompute, name="recompute"),
]
