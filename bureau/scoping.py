"""The one choke point that decides which rows a user may see or touch.

Area staff and leaders reach every row of a model through Django model permissions (their role's
group). A unit liaison holds the object permission `liaise_unit` on one or more `Unit`s
(django-guardian, direct foreign-key table) and reaches the rows whose unit is one of them, for the
actions the model opens to liaisons. Records are scoped through their unit foreign key, never
through per-row grants.
"""

ACTIONS = ("view", "add", "change", "delete")
LIAISON_PERMISSION = "liaise_unit"


def user_unit_ids(user):
    """The ids of the units a user serves as liaison, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_liaison_unit_ids", None)
    if cached is None:
        from bureau.models import UnitUserObjectPermission

        cached = frozenset(
            UnitUserObjectPermission.objects.filter(
                user_id=user.pk, permission__codename=LIAISON_PERMISSION
            ).values_list("content_object_id", flat=True)
        )
        user._liaison_unit_ids = cached
    return cached


def user_groups(user):
    """The names of the user's groups (their roles), cached on the user object."""
    cached = getattr(user, "_group_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._group_names = cached
    return cached


def has_model_perm(user, model, action):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def is_liaison_action(model, action):
    return action in getattr(model, "liaison_actions", ()) and getattr(model, "unit_field", None)


def can(user, model, action):
    """May the user perform `action` on *some* rows of `model`? (Which rows: `for_user`.)"""
    if not user.is_authenticated:
        return False
    if has_model_perm(user, model, action):
        return True
    return bool(is_liaison_action(model, action) and user_unit_ids(user))


def for_user(queryset, user, action="view"):
    """Restrict `queryset` to the rows `user` may `action`. Every list, detail, form choice,
    export, API list and background task goes through here."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    model = queryset.model
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
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


def unit_of(obj):
    """The unit id an object belongs to, following its model's `unit_field` path."""
    parts = obj.unit_field.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj.pk if parts[-1] == "pk" else getattr(obj, f"{parts[-1]}_id")
