"""The one audit trail: who changed what, when, with the values before and after.

The acting user comes from the request (AuditContextMiddleware) or, in tasks and commands, from
`acting_as(user)`. Models built on `bureau.models.BaseModel` write their entries themselves, for
single saves and for bulk writes alike; logins, failed logins and refused access are recorded by
the signal handlers and views below.
"""

import contextlib
import contextvars
import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models.fields.files import FieldFile
from django.http import Http404

from bureau.choices import AuditAction

_context = contextvars.ContextVar("audit_context", default=None)


class Context:
    __slots__ = ("denied", "ip", "path", "user")

    def __init__(self, user=None, ip=None, path=""):
        self.user, self.ip, self.path = user, ip, path
        self.denied = False  # a refusal of this request is in the trail already


def current():
    return _context.get() or Context()


@contextlib.contextmanager
def acting_as(user, ip=None, path=""):
    token = _context.set(Context(user if user and user.is_authenticated else None, ip, path))
    try:
        yield
    finally:
        _context.reset(token)


def plain(value):
    """A JSON-safe copy of a field value."""
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def mask(value):
    """Personal data (ID numbers) is logged as changed, never in clear."""
    return value[:4] + "…" + value[-2:] if value and isinstance(value, str) and len(value) > 6 else value


CONCEALED = "（保密 "


def conceal(value):
    """Confidential text (a clue's subject and summary) is logged as a keyed digest: the trail shows
    that it changed, never what it says."""
    import hashlib

    from django.conf import settings

    if value in (None, "") or str(value).startswith(CONCEALED):  # a snapshot kept from the last save
        return value
    digest = hashlib.blake2b(str(value).encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=6)
    return f"{CONCEALED}{digest.hexdigest()}）"


def redact(model, name, value):
    """A field's value as the trail keeps it: concealed, masked or plain (see `audit_hidden`,
    `audit_masked` on the model)."""
    if name in getattr(model, "audit_hidden", ()):
        return conceal(value)
    if name in getattr(model, "audit_masked", ()):
        return mask(value)
    return value


def snapshot(obj):
    return {f.attname: redact(obj, f.attname, plain(getattr(obj, f.attname))) for f in obj._meta.concrete_fields}


def diff(before, after):
    keys = (before or {}).keys() | (after or {}).keys()
    return {
        k: [(before or {}).get(k), (after or {}).get(k)]
        for k in sorted(keys)
        if (before or {}).get(k) != (after or {}).get(k)
    }


def entry(action, obj=None, *, changes=None, model=None, object_id="", object_repr="", unit_id=None, user=None):
    """An unsaved AuditEntry; write many at once with `AuditEntry.objects.bulk_create`."""
    from bureau.models import AuditEntry
    from bureau.scoping import unit_of

    ctx = current()
    user = user or ctx.user
    if obj is not None:
        model = type(obj)
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
        if unit_id is None and getattr(obj, "unit_field", None):
            try:
                unit_id = unit_of(obj)
            except Exception:  # a dangling relation must not stop the write being logged
                unit_id = None
    return AuditEntry(
        action=action,
        user=user if user and getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        content_type=ContentType.objects.get_for_model(model) if model is not None else None,
        object_id=object_id,
        object_repr=object_repr,
        unit_id=unit_id,
        changes=changes or {},
        ip=ctx.ip,
        path=ctx.path[:300],
    )


def record(action, obj=None, **kwargs):
    item = entry(action, obj, **kwargs)
    item.save()
    if action == AuditAction.DENIED:
        current().denied = True
    return item


def get_in_scope(queryset, user, **lookup):
    """The one record of the user's scoped `queryset`, or 404. A record that exists beyond their
    scope answers the same 404 as a missing one, and is an audit entry naming it."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        found = queryset.model._base_manager.filter(**lookup).first()
        if found is not None:
            record(AuditAction.DENIED, found, user=user)
        raise Http404 from None


def client_ip(request):
    """The client's address, behind the reverse proxies too (the lockout's lookup, see settings)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)
