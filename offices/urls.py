from django.urls import path
from django.utils.translation import gettext_lazy as _

from offices import views
from offices.models import Room

menu = [(_("超标准核查"), "offices:over_standard", Room)]

urlpatterns = [
    *views.StandardViews.urls(),
    *views.RankLimitViews.urls(),
    *views.PolicyViews.urls(),
    *views.SiteViews.urls(),
    *views.BuildingViews.urls(),
    *views.FloorViews.urls(),
    *views.RoomViews.urls(),
    *views.AllocationViews.urls(),
    *views.RepairProjectViews.urls(),
    *views.RevitalisationViews.urls(),
    *views.FlatViews.urls(),
    *views.LeaseViews.urls(),
    *views.ReconciliationViews.urls(),
    path("over-standard/", views.over_standard, name="over_standard"),
]
