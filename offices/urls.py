from django.urls import path

from offices import views

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
