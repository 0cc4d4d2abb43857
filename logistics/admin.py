"""The administrator sees every logistics record here too; the targets and thresholds (a survey's
target and follow-up line, a route's required patrols) are data edited on the portal's pages or here."""

from django.contrib import admin

from logistics import models


class CheckpointInline(admin.TabularInline):
    model = models.Checkpoint
    fields = ("order", "name")
    extra = 0


@admin.register(models.Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "building", "room", "capacity", "active")
    filter_horizontal = ("managers",)


@admin.register(models.Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("start", "end", "venue", "title", "unit", "state")
    list_filter = ("state",)
    raw_id_fields = ("venue", "unit")


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("start", "title", "unit", "vehicles_needed", "state")
    list_filter = ("state",)


@admin.register(models.EventAssignment)
class EventAssignmentAdmin(admin.ModelAdmin):
    list_display = ("event", "vehicle", "driver")
    raw_id_fields = ("event", "vehicle")


@admin.register(models.Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("year", "service", "title", "target", "follow_up_below")


@admin.register(models.SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ("survey", "unit", "item", "score", "follow_up")
    list_filter = ("follow_up", "score")


@admin.register(models.Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("site", "name", "unit", "patrols_per_month", "target", "active")
    inlines = (CheckpointInline,)


@admin.register(models.Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ("started", "route", "inspector", "state")
    list_filter = ("state",)


@admin.register(models.Journal)
class JournalAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "route", "rectify_by", "rectified_on")
    list_filter = ("kind",)


@admin.register(models.PrintOrder)
class PrintOrderAdmin(admin.ModelAdmin):
    list_display = ("ordered_on", "unit", "document", "amount", "cost", "delivered_on", "errors")


@admin.register(models.Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("compound", "ranking", "name", "unit", "eligible")


@admin.register(models.SaleFlat)
class SaleFlatAdmin(admin.ModelAdmin):
    list_display = ("compound", "building", "number", "price", "state", "applicant", "paid")
    readonly_fields = ("state", "applicant", "reserved_on", "sold_on")


@admin.register(models.CanteenMilestone)
class CanteenMilestoneAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "planned", "actual", "state")


@admin.register(models.CanteenMonth)
class CanteenMonthAdmin(admin.ModelAdmin):
    list_display = ("month", "canteen", "unit", "meals", "cost", "food_waste_kg")
