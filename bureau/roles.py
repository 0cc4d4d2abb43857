"""The portal's roles (DESIGN.md "Who uses it"): each is a Django group whose model permissions are
derived from the models themselves, so a new model joins its area's role without editing this file.

A model belongs to the area named by its `area` attribute (default: its app label). Sensitive
models (discipline cases) set `area = "discipline"` and `sensitive = True`, which keeps them
away from the leader's and the admin's blanket view. `read_by_areas` lets other areas read a model
(纪检 picks party branches for the monthly case study).
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau import audit
from bureau.choices import AuditAction
from bureau.scoping import LIAISON_PERMISSION

AREAS = ("offices", "vehicles", "energy", "logistics", "party", "discipline", "performance")
PROJECT_APPS = ("bureau", "offices", "vehicles", "energy", "logistics", "party", "performance")
ADMIN_APPS = ("auth", "authtoken", "django_celery_beat", "axes", "bureau")


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    description: str


ROLES = {
    r.key: r
    for r in (
        Role("admin", _("系统管理员"), _("用户、角色、单位、折算系数、定时任务")),
        Role("leader", _("局领导"), _("全部只读、驾驶舱、导出")),
        Role("offices", _("办公用房处"), _("办公用房业务及审核")),
        Role("vehicles", _("公务用车处"), _("公务用车业务及审核")),
        Role("energy", _("节能处"), _("公共机构节能业务及审核")),
        Role("logistics", _("后勤服务处"), _("后勤服务业务")),
        Role("party", _("机关党委"), _("党建业务")),
        Role("discipline", _("纪检"), _("问题线索与廉政档案")),
        Role("performance", _("绩效办"), _("绩效计划、调度与考核")),
        Role("liaison", _("单位联络员"), _("仅本单位：填报、上传、查看审核意见")),
        Role("member", _("干部"), _("本人任务、进度与考核")),
    )
}


def area_of(model):
    # A model field may be called "area" (m²): only a plain string on the class, or on an abstract
    # base it inherits from (party's confidential records), names a role.
    for klass in model.__mro__:
        declared = klass.__dict__.get("area")
        if isinstance(declared, str):
            return declared
    return model._meta.app_label


def is_sensitive(model):
    return getattr(model, "sensitive", False)


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def reads(key, model):
    """Whether area `key` reads `model` it does not manage: the core's registries (`staff_view`),
    and models naming the area in `read_by_areas`."""
    core = model._meta.app_label == "bureau" and getattr(model, "staff_view", False)
    return core or key in getattr(model, "read_by_areas", ())


def role_permissions(key):
    """The permission ids a role's group holds."""
    models = project_models()
    wanted = []  # (model, actions)
    extra = []  # custom permissions by codename
    if key == "admin":
        extra = [LIAISON_PERMISSION, "view_annual_report"]
        for m in apps.get_models():
            if m._meta.app_label in ADMIN_APPS or getattr(m, "admin_managed", False):
                wanted.append((m, ("view", "add", "change", "delete")))
            elif not is_sensitive(m):
                wanted.append((m, ("view",)))
    elif key == "leader":
        extra = ["view_annual_report"]
        wanted = [(m, ("view",)) for m in models if not is_sensitive(m)]
    elif key in AREAS:
        extra = ["view_annual_report"]
        for m in models:
            if area_of(m) == key or getattr(m, "shared_by_areas", False):
                wanted.append((m, ("view", "add", "change", "delete")))
            elif reads(key, m):
                wanted.append((m, ("view",)))
    # A model may grant some actions to other roles (a division reports on its own projects),
    # its `scope_queryset` then deciding which rows.
    for m in models:
        actions = getattr(m, "role_actions", {}).get(key)
        if actions:
            wanted.append((m, actions))
    wanted_codes = {}
    for model, actions in wanted:
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for action in actions:
            wanted_codes.setdefault(ct.pk, set()).add(f"{action}_{model._meta.model_name}")
    perms = Permission.objects.filter(content_type_id__in=wanted_codes).only("id", "codename", "content_type_id")
    ids = [p.pk for p in perms if p.codename in wanted_codes[p.content_type_id]]
    return ids + list(Permission.objects.filter(codename__in=extra).values_list("pk", flat=True))


def sync_groups():
    """Create or refresh every role's group; runs after each migrate."""
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for key in ROLES:
        group, _created = Group.objects.get_or_create(name=key)
        group.permissions.set(role_permissions(key))


class RoleError(Exception):
    pass


@transaction.atomic
def assign_role(user, key, unit=None, by=None):
    """Give `user` a role; a liaison role needs the unit it serves."""
    from guardian.shortcuts import assign_perm

    if key not in ROLES:
        raise RoleError(_("未知角色“%(role)s”，可选：%(roles)s") % {"role": key, "roles": "、".join(ROLES)})
    if key == "liaison" and unit is None:
        raise RoleError(_("单位联络员必须指定所服务的单位（--unit 统一社会信用代码）。"))
    if key != "liaison" and unit is not None:
        raise RoleError(_("只有单位联络员角色需要指定单位。"))
    group = Group.objects.get(name=key)
    user.groups.add(group)
    if key == "admin" and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if unit is not None:
        assign_perm(LIAISON_PERMISSION, user, unit)
    user._reach = None
    with audit.acting_as(by):
        audit.record(
            AuditAction.GRANT,
            unit_id=unit.pk if unit else None,
            object_repr=user.username,
            changes={"role": [None, key], "unit": [None, unit.uscc if unit else None]},
        )


def user_roles(user):
    names = {g.name for g in user.groups.all()}
    return [ROLES[k] for k in ROLES if k in names]


@transaction.atomic
def revoke_liaison(user, unit, by=None):
    """Take back a liaison's unit (the grant assign_role gave)."""
    from guardian.shortcuts import remove_perm

    remove_perm(LIAISON_PERMISSION, user, unit)
    user._reach = None
    with audit.acting_as(by):
        audit.record(
            AuditAction.GRANT,
            unit_id=unit.pk,
            object_repr=user.username,
            changes={"role": ["liaison", None], "unit": [unit.uscc, None]},
        )
