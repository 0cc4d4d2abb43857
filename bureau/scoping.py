"""The one choke point that decides which rows a user may see or touch.

Area staff and leaders reach every row of a model through Django model permissions (their role's
group). A unit liaison holds the object permission `liaise_unit` on one or more `Unit`s
(django-guardian, direct foreign-key table) and reaches the rows whose unit is one of them, for the
actions the model opens to liaisons. Records are scoped through their unit foreign key, never
through per-row grants — except the few confidential models (problem clues, integrity archives)
that declare `granted = True`: those rows are reached one by one through grants (`granted_scope`).
"""

from django.contrib.auth import get_user_model

from bureau import tablecache

ACTIONS = ("view", "add", "change", "delete")
LIAISON_PERMISSION = "liaise_unit"


REACH_SECONDS = 300


def reach(user):
    """What a user's roles give them: group names, the permissions of those groups and the units
    they serve as liaison. Read once per user from the shared cache (Redis in production), valid
    while the role, permission and grant tables are unchanged (bureau.tablecache), so a request
    costs no permission queries. An API token brings it along (bureau.apiconf).

    Permissions come from roles (groups) only: the portal grants nothing to users directly."""
    if not user.is_authenticated:
        return {"groups": frozenset(), "perms": frozenset(), "units": frozenset()}
    cached = getattr(user, "_reach", None)
    if cached is None:
        cached = user._reach = tablecache.remember(
            f"reach:{user.pk}", reach_tables(), lambda: load_reach(user), REACH_SECONDS
        )
    return cached


def reach_tables():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from bureau.models import UnitUserObjectPermission

    user_model = get_user_model()
    models = (
        Group,
        Permission,
        ContentType,
        UnitUserObjectPermission,
        user_model.groups.through,
        Group.permissions.through,
    )
    return {tablecache.ANY, *(m._meta.db_table for m in models)}


def load_reach(user):
    from django.contrib.auth.models import Permission

    from bureau.models import UnitUserObjectPermission

    groups = frozenset(user.groups.values_list("name", flat=True))
    perms = frozenset(
        f"{app}.{code}"
        for app, code in Permission.objects.filter(group__user=user).values_list("content_type__app_label", "codename")
    )
    units = frozenset(
        UnitUserObjectPermission.objects.filter(user_id=user.pk, permission__codename=LIAISON_PERMISSION).values_list(
            "content_object_id", flat=True
        )
    )
    return {"groups": groups, "perms": perms, "units": units}


def fingerprint(user):
    """Everything that decides what rows `user` may see, as a short text: whatever was built in
    one scope (a cached API page, an export file) is served only while it is unchanged."""
    import hashlib

    scope = reach(user)
    parts = (user.pk, user.is_superuser, sorted(scope["groups"]), sorted(scope["perms"]), sorted(scope["units"]))
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def user_unit_ids(user):
    """The ids of the units a user serves as liaison."""
    return reach(user)["units"]


def user_groups(user):
    """The names of the user's groups (their roles)."""
    return reach(user)["groups"]


def has_model_perm(user, model, action):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}" in reach(user)["perms"]


def is_liaison_action(model, action):
    return action in getattr(model, "liaison_actions", ()) and getattr(model, "unit_field", None)


def can(user, model, action):
    """May the user perform `action` on *some* rows of `model`? (Which rows: `for_user`.)"""
    if not user.is_authenticated:
        return False
    if has_model_perm(user, model, action):
        return True
    if action == "view" and is_granted(model):
        return owns_some(user, model)
    return bool(is_liaison_action(model, action) and user_unit_ids(user))


def is_granted(model):
    """Rows reached through per-object grants, directly or through a granted parent."""
    return getattr(model, "granted", False) or bool(getattr(model, "granted_through", None))


def refuses_as_missing(user, model):
    """Whether a record page refused to `user` answers 404 rather than 403: a 403 would tell that
    another unit's record exists, and for a granted model that any such record exists at all."""
    return is_granted(model) or can(user, model, "view")


def for_user(queryset, user, action="view"):
    """Restrict `queryset` to the rows `user` may `action`. Every list, detail, form choice,
    export, API list and background task goes through here."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    model = queryset.model
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if is_granted(model):
        return granted_scope(queryset, user, action)
    custom = getattr(model, "scope_queryset", None)
    if custom is not None:
        return custom(queryset, user, action)
    return default_scope(queryset, user, action)


def default_scope(queryset, user, action):
    model = queryset.model
    if has_model_perm(user, model, action):
        return queryset
    if is_liaison_action(model, action):
        return queryset.filter(**{f"{model.unit_field}__in": user_unit_ids(user)})
    return queryset.none()


# A grant to change a record is what lets its holder file records under it.
GRANT_CODENAMES = {"view": "view", "add": "change", "change": "change", "delete": "delete"}


def granted_scope(queryset, user, action):
    """Confidential rows: a user reaches one only with a grant on it (django-guardian, the model's
    direct foreign-key table) AND their role's model permission, so a grant left behind by someone
    who has moved on reaches nothing. Superusers are no exception: they run the system, they are
    not 纪检. A model may also open its rows to their subject for reading (`self_field`, the path
    to the subject's user), and a child model (`granted_through`) follows its parent's grants."""
    from django.db.models import Q

    model = queryset.model
    through = getattr(model, "granted_through", None)
    if through:
        parent = model._meta.get_field(through).related_model
        parent_action = "view" if action == "view" else "change"
        return queryset.filter(**{f"{through}__in": for_user(parent._base_manager.all(), user, parent_action)})
    rows = Q(pk__in=[])
    if has_model_perm(user, model, action):
        from guardian.utils import get_user_obj_perms_model

        grants = get_user_obj_perms_model(model).objects.filter(
            user_id=user.pk, permission__codename=f"{GRANT_CODENAMES[action]}_{model._meta.model_name}"
        )
        rows = Q(pk__in=grants.values("content_object_id"))
    self_field = getattr(model, "self_field", None)
    if self_field and action == "view":
        rows |= Q(**{self_field: user.pk})
    return queryset.filter(rows)


def owns_some(user, model):
    """Whether some row of a granted model is open to `user` as its subject (their own archive)."""
    through = getattr(model, "granted_through", None)
    if through:
        return can(user, model._meta.get_field(through).related_model, "view")
    self_field = getattr(model, "self_field", None)
    if not self_field:
        return False
    known = user.__dict__.setdefault("_owns", {})  # asked by every page's menu: once per request
    if model not in known:
        known[model] = model._base_manager.filter(**{self_field: user.pk}).exists()
    return known[model]


def unit_of(obj):
    """The unit id an object belongs to, following its model's `unit_field` path."""
    parts = obj.unit_field.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj.pk if parts[-1] == "pk" else getattr(obj, f"{parts[-1]}_id")
