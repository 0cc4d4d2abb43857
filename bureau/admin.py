from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from bureau.models import AuditEntry, Person, Unit, UnitUserObjectPermission
from bureau.roles import ROLES, assign_role, revoke_liaison
from bureau.scoping import LIAISON_PERMISSION


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


# The admin speaks the portal's name and language: its own title, the roles by their Chinese
# names, and a liaison's units on the user's page rather than under object permissions.
admin.site.site_header = _("机关事务管理局门户 · 系统管理")
admin.site.site_title = _("机关事务管理局门户")
admin.site.index_title = _("系统管理")


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return role_label(obj)


def role_label(group):
    role = ROLES.get(group.name)
    return f"{role.label}（{role.description}）" if role else group.name


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitSelector(FilteredSelectMultiple):
    """Wrapped as the admin wraps a relation's widget, or the selector lands after its label."""

    def render(self, *args, **kwargs):
        return format_html('<div class="related-widget-wrapper">{}</div>', super().render(*args, **kwargs))


class UserChangeForm(auth_admin.UserChangeForm):
    liaison_units = UnitChoiceField(
        Unit.objects.order_by("name"),
        required=False,
        label=_("联络单位"),
        help_text=_("单位联络员可填报、查看的单位；选定后自动具有“单位联络员”角色，全部移除则取消该角色。"),
        widget=UnitSelector(_("单位"), is_stacked=False),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["liaison_units"].initial = list(liaison_unit_ids(self.instance))


def liaison_unit_ids(user):
    return UnitUserObjectPermission.objects.filter(user=user, permission__codename=LIAISON_PERMISSION).values_list(
        "content_object_id", flat=True
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    fieldsets = (
        *auth_admin.UserAdmin.fieldsets[:2],
        (_("角色与单位"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "liaison_units")}),
        (_("单项权限"), {"classes": ("collapse",), "fields": ("user_permissions",)}),
        auth_admin.UserAdmin.fieldsets[3],
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
            kwargs["label"] = _("角色")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "liaison_units" in form.cleaned_data:
            set_liaison_units(form.instance, form.cleaned_data["liaison_units"], request.user)


def set_liaison_units(user, units, by):
    """Grant the liaison role for each newly chosen unit and revoke it for each dropped one; both
    go to the audit trail as grants (assign_role, revoke_liaison)."""
    current = set(liaison_unit_ids(user))
    wanted = {u.pk: u for u in units}
    for unit in Unit.objects.filter(pk__in=current - set(wanted)):
        revoke_liaison(user, unit, by)
    for pk in set(wanted) - current:
        assign_role(user, "liaison", wanted[pk], by=by)
    if not wanted:
        user.groups.remove(*Group.objects.filter(name="liaison"))


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    list_display = ("role",)

    @admin.display(description=_("角色"))
    def role(self, obj):
        return role_label(obj)
