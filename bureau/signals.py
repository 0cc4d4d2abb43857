from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_migrate
from django.dispatch import receiver

from bureau import audit, tablecache
from bureau.choices import AuditAction
from bureau.models import BaseModel


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    # Also reached by cascades and QuerySet.delete(): Django's collector sends the signal per row.
    if isinstance(instance, BaseModel):
        before = getattr(instance, "_loaded", None) or audit.snapshot(instance)
        audit.record(
            AuditAction.DELETE, instance, changes=audit.diff({k: audit.plain(v) for k, v in before.items()}, {})
        )


@receiver(m2m_changed)
def log_m2m(sender, instance, action, model, pk_set, **kwargs):
    if not isinstance(instance, BaseModel) or action not in ("post_add", "post_remove", "post_clear"):
        return
    field = next((f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), "m2m")
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    audit.record(AuditAction.UPDATE, instance, changes={field: {verb: sorted(pk_set or [])}})


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    with audit.acting_as(user, audit.client_ip(request), request.path):
        audit.record(AuditAction.LOGIN, user=user, object_repr=user.username)


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    if user is not None:
        with audit.acting_as(user, audit.client_ip(request), request.path):
            audit.record(AuditAction.LOGOUT, user=user, object_repr=user.username)


@receiver(user_login_failed)
def log_login_failed(sender, credentials, request=None, **kwargs):
    ip = audit.client_ip(request) if request is not None else None
    with audit.acting_as(None, ip, getattr(request, "path", "")):
        audit.record(AuditAction.LOGIN_FAILED, object_repr=str(credentials.get("username", ""))[:150])


@receiver(post_migrate)
def forget_cached_pages(sender, **kwargs):
    tablecache.written(tablecache.ANY)  # a schema change is a change to every cached page


@receiver(post_migrate)
def sync_roles(sender, **kwargs):
    if sender.label == "bureau":
        from bureau.roles import sync_groups

        sync_groups()
