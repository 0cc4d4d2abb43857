"""The administrator edits factor sets and targets here as well as on the portal's pages."""

from django.contrib import admin

from energy.models import Factor, FactorSet, Target


class FactorInline(admin.TabularInline):
    model = Factor
    fields = ("item", "coal", "co2", "density", "source")
    extra = 0


@admin.register(FactorSet)
class FactorSetAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "active")
    list_filter = ("active",)
    inlines = (FactorInline,)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("key", "base_year", "target_year", "value", "source")
