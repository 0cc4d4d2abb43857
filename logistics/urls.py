from django.urls import path

from logistics import views

menu = []

urlpatterns = [
    *views.VenueViews.urls(),
    *views.BookingViews.urls(),
    *views.EventViews.urls(),
    *views.EventAssignmentViews.urls(),
    *views.PrintOrderViews.urls(),
    *views.SurveyViews.urls(),
    *views.SurveyAnswerViews.urls(),
    *views.RouteViews.urls(),
    *views.CheckpointViews.urls(),
    *views.PatrolViews.urls(),
    *views.CheckinViews.urls(),
    *views.JournalViews.urls(),
    *views.ApplicantViews.urls(),
    *views.SaleFlatViews.urls(),
    *views.CanteenMilestoneViews.urls(),
    *views.CanteenMonthViews.urls(),
    path("saleflat/<int:pk>/act/", views.saleflat_act, name="saleflat_act"),
    path("route/<int:pk>/qr/", views.route_qr, name="route_qr"),
    path("checkin/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path("patrol/<int:pk>/close/", views.patrol_close, name="patrol_close"),
    path("venue/<int:pk>/calendar/", views.venue_calendar, name="venue_calendar"),
    path("booking/<int:pk>/decide/", views.booking_decide, name="booking_decide"),
    path("survey/<int:pk>/send/", views.survey_send, name="survey_send"),
]
