from django.urls import path
from django.utils.translation import gettext_lazy as _

from party import views
from party.models import Meeting, Policy, Training

menu = [
    (_("组织生活开展情况"), "party:meeting_grid", Meeting),
    (_("年度制度汇编"), "party:policy_compilation", Policy),
    (_("个人学习培训学时"), "party:training_hours", Training),
]

urlpatterns = [
    *views.ClueViews.urls(),
    *views.ArchiveViews.urls(),
    *views.ArchiveEntryViews.urls(),
    *views.BranchViews.urls(),
    *views.MeetingKindViews.urls(),
    *views.RequirementViews.urls(),
    *views.MeetingViews.urls(),
    *views.AttendanceViews.urls(),
    *views.InspectionRoundViews.urls(),
    *views.RectificationViews.urls(),
    *views.QuizCampaignViews.urls(),
    *views.QuizResultViews.urls(),
    path("quizcampaign/<int:pk>/results-import/", views.quiz_import, name="quiz_import"),
    path("quiz-template/", views.quiz_template, name="quiz_template"),
    path("quizcampaign/<int:pk>/ranking-import/", views.quiz_ranking_import, name="quiz_ranking_import"),
    path("<str:model>/<int:pk>/attachments/", views.attachment_upload, name="attachments"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("quiz-ranking-template/", views.quiz_ranking_template, name="quiz_ranking_template"),
    *views.CaseStudyViews.urls(),
    *views.CaseSessionViews.urls(),
    *views.PolicyViews.urls(),
    *views.TrainingViews.urls(),
    path("policy/compilation/", views.policy_compilation, name="policy_compilation"),
    path("training/hours/", views.training_hours, name="training_hours"),
    path("grid/", views.meeting_grid, name="meeting_grid"),
]
