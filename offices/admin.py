from django.contrib import admin

from offices.models import Policy, RankLimit, Standard


class RankLimitInline(admin.TabularInline):
    model = RankLimit
    extra = 0


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("name", "document", "level", "effective_from")
    inlines = [RankLimitInline]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("year", "idle_target_area", "turnover_eligible_years")
