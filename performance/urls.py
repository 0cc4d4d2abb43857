from django.urls import path
from django.utils.translation import gettext_lazy as _

from performance import views
from performance.models import Item

menu = [(_("调度会"), "performance:dispatch", Item)]

urlpatterns = [
    path("plan/upload/", views.upload, name="plan_upload"),
    *views.PlanViews.urls(),
    *views.ItemViews.urls(),
    path("item/<int:pk>/move/", views.item_move, name="item_move"),
    path("item/<int:pk>/split/", views.item_split, name="item_split"),
    *views.IndicatorViews.urls(),
    *views.IndicatorValueViews.urls(),
    *views.ProgressReportViews.urls(),
    *views.AssessmentViews.urls(),
    path("assessment/<int:pk>/suggest/", views.suggest, name="assessment_suggest"),
    *views.AdjustmentViews.urls(),
    path("adjustment/<int:pk>/decide/", views.decide, name="adjustment_decide"),
    *views.EvaluationViews.urls(),
    *views.SupervisionViews.urls(),
    path("dispatch/", views.dispatch, name="dispatch"),
]
