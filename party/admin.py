"""Only the settings an administrator keeps are here. Problem clues, integrity archives and their
grants are deliberately not registered: the admin site shows every row to a superuser, and the
people who run the system are not 纪检 — they reach those records through grants, like anyone."""

from django.contrib import admin

from party.models import MeetingKind


@admin.register(MeetingKind)
class MeetingKindAdmin(admin.ModelAdmin):
    list_display = ("name", "frequency", "order")
    list_editable = ("frequency", "order")
