from django.contrib import admin

from performance.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """The year's rules of assessment: reporting frequency and grace, points, the 优秀 quota."""

    list_display = ("year", "title", "report_frequency", "report_grace_days", "base_score", "excellent_quota")
    fields = (
        "year",
        "title",
        "report_frequency",
        "report_grace_days",
        "base_score",
        "excellent_quota",
        "deadline_points",
        "late_report_points",
        "late_submission_points",
        "rectification_points",
        "indicator_points",
        "evaluation_high",
        "evaluation_low",
        "evaluation_points",
    )
