from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from bureau.models import AuditEntry, Person, Unit


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    list_display = ("name", "short_name", "uscc", "kind", "is_public_institution", "active")
    list_filter = ("kind", "is_public_institution", "active")
    search_fields = ("name", "short_name", "uscc")
    raw_id_fields = ("parent",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "rank")
    list_filter = ("rank",)
    search_fields = ("name",)
    raw_id_fields = ("unit", "user")
    exclude = ("id_number",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits the log, admins included."""

    list_display = ("time", "username", "action", "content_type", "object_repr", "ip")
    list_filter = ("action", "content_type")
    search_fields = ("username", "object_repr", "object_id")
    date_hierarchy = "time"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
