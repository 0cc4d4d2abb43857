from django.contrib import admin

from logistics.models import Venue


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "building", "room", "capacity", "active")
    filter_horizontal = ("managers",)
