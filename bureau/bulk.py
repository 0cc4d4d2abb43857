"""Audited bulk inserts from tuples: on PostgreSQL through COPY, elsewhere through bulk_create.

At 100,000 rows Django's bulk_create of the records and of their AuditEntry rows spends most of its
time building a model instance per row and per entry and adapting every parameter. `insert` writes
both tables with COPY from the rows' values instead, and the entries carry what
`BaseQuerySet.bulk_create` writes for each new record: who, when, the record's unit and every field
as created (personal data masked).
"""

import datetime
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from bureau import audit, tablecache
from bureau.choices import AuditAction

PLAIN = {str, int, bool, float, type(None)}  # audit.plain keeps these as they are
COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK = 5000


def copy_text(value):
    """A value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is int:
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    # Most text needs no escaping: looking costs far less than str.translate on every value.
    return text.translate(COPY_ESCAPES) if COPY_SPECIAL.search(text) else text


def copy_lines(connection, table, columns, lines):
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy,
    ):
        batch = []
        for line in lines:
            batch.append(line)
            if len(batch) == 1000:
                copy.write("\n".join(batch) + "\n")
                batch = []
        if batch:
            copy.write("\n".join(batch) + "\n")
    tablecache.changed(table, connection)  # COPY does not pass the execute() that bureau.tablecache watches


def reserve_ids(connection, model, n):
    """`n` new primary keys from the model's sequence, in order."""
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, n],
        )
        return [pk for (pk,) in cursor.fetchall()]


def entry_template(model, now, connection):
    """A creation entry for `model` by the acting user at `now`, as COPY: the AuditEntry columns,
    the cells (a record's own ones to be filled in per row) and each field's position."""
    from bureau.models import AuditEntry

    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    template = audit.entry(AuditAction.CREATE, model=model)
    template.time = now
    cells = [copy_text(f.get_db_prep_save(getattr(template, f.attname), connection)) for f in fields]
    where = {f.attname: i for i, f in enumerate(fields)}
    cells[where["changes"]] = "{}"
    return [f.column for f in fields], cells, where


def insert(model, attnames, rows, using="default"):
    """Insert new records of a BaseModel, each given as a tuple of values for `attnames` (the
    other fields take their defaults, `auto_now` fields the current time), with their audit
    entries, in one transaction. Returns the new primary keys in the rows' order."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not _copyable(model):
        pks = []
        with transaction.atomic(using=using):
            for start in range(0, len(rows), CHUNK):
                chunk = [model(**dict(zip(attnames, row, strict=True))) for row in rows[start : start + CHUNK]]
                pks.extend(obj.pk for obj in model.objects.using(using).bulk_create(chunk))
        return pks
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    now = timezone.now()
    given = {a: i for i, a in enumerate(attnames)}
    # Per field: where its value comes from (the row, or a constant), and how it goes into COPY.
    sources = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            sources.append((None, now if isinstance(f, models.DateTimeField) else datetime.date.today()))
        elif f.attname in given:
            sources.append((given[f.attname], None))
        else:
            sources.append((None, f.get_default()))
    prep = [_prep(f, connection) for f in fields]
    masked = set(getattr(model, "audit_masked", ()))
    # The audit snapshot: every concrete field but the untracked ones, the key included.
    from bureau.models import UNTRACKED, AuditEntry

    # In the snapshot's key order, so that the JSON needs no sorting per row; None marks the key.
    tracked = sorted(
        [(i, f.attname, f.attname in masked) for i, f in enumerate(fields) if f.attname not in UNTRACKED]
        + [(None, opts.pk.attname, False)],
        key=lambda t: t[1],
    )
    entry_columns, entry_cells, where = entry_template(model, now, connection)
    # The record's unit (unit_of): the record itself, one of its fields, or none.
    unit_field = getattr(model, "unit_field", None)
    unit_at = None if unit_field in (None, "pk") else [f.name for f in fields].index(unit_field)
    attnames_all = [f.attname for f in fields]

    def values_of(row):
        return [row[i] if i is not None else constant for i, constant in sources]

    # A record's COPY cells: from the row through the field's conversion, or made once.
    cells = [(i, p) if i is not None else (None, p(constant)) for (i, constant), p in zip(sources, prep, strict=True)]

    def record_lines():
        for pk, row in zip(pks, rows, strict=True):
            yield "\t".join([str(pk), *[p if i is None else p(row[i]) for i, p in cells]])

    def audit_lines():
        for pk, row in zip(pks, rows, strict=True):
            values = values_of(row)
            # What audit.snapshot and audit.diff({}, …) make of the new record.
            changes = {}
            for i, attname, mask in tracked:
                value = pk if i is None else values[i]
                if type(value) not in PLAIN:
                    value = audit.plain(value)
                if mask:
                    value = audit.mask(value)
                if value is not None:
                    changes[attname] = [None, value]
            obj = _light(model, using, opts.pk.attname, pk, attnames_all, values)
            entry_cells[where["object_id"]] = str(pk)
            entry_cells[where["object_repr"]] = copy_text(str(obj)[:200])
            if unit_field:
                entry_cells[where["unit_id"]] = copy_text(pk if unit_at is None else values[unit_at])
            entry_cells[where["changes"]] = copy_text(json.dumps(changes, ensure_ascii=False, cls=DjangoJSONEncoder))
            yield "\t".join(entry_cells)

    with transaction.atomic(using=using):
        pks = reserve_ids(connection, model, len(rows))
        # One COPY per table, its lines made as they are sent: PostgreSQL inserts (and indexes)
        # while Python prepares the next lines, and no table's lines are all held in memory.
        copy_lines(connection, opts.db_table, [opts.pk.column, *[f.column for f in fields]], record_lines())
        copy_lines(connection, AuditEntry._meta.db_table, entry_columns, audit_lines())
    return pks


# Date-times are not among them: a naive one is made aware by the field, as bulk_create would.
SIMPLE_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField", "DecimalField",
    "FloatField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveBigIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField",
    "EmailField", "URLField",
}  # fmt: skip


def _prep(field, connection):
    """Value → COPY text for one field. Plain fields take the Python value as it is; others
    (JSON, files, …) go through the field's own conversion first, as bulk_create would."""
    target = field.target_field if field.many_to_one or field.one_to_one else field
    if target.get_internal_type() in SIMPLE_TYPES and type(target).get_db_prep_save is models.Field.get_db_prep_save:
        return copy_text
    if isinstance(field, models.JSONField):
        return lambda value: copy_text(None if value is None else json.dumps(value, cls=field.encoder))
    return lambda value: copy_text(field.get_db_prep_save(value, connection))


def _copyable(model):
    """COPY needs a sequence-backed key and fields whose saved value is the value given: a field
    with its own pre_save (other than auto_now) would change it; and the audit entry's unit must
    be the record or one of its foreign keys (a unit reached further would cost a query per row)."""
    pk = model._meta.pk
    unit_field = getattr(model, "unit_field", None)
    if pk.get_internal_type() not in ("AutoField", "BigAutoField"):
        return False
    if unit_field not in (None, "pk") and unit_field not in {
        f.name for f in model._meta.concrete_fields if f.many_to_one
    }:
        return False
    for f in model._meta.concrete_fields:
        own_pre_save = type(f).pre_save is not models.Field.pre_save
        if own_pre_save and not isinstance(f, models.DateField):
            return False
    return True


def _light(model, using, pk_name, pk, attnames, values):
    """The saved record as an instance, for its __str__, built without Model.__init__."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    obj.__dict__[pk_name] = pk
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, using
    return obj


def count_among(queryset, pks):
    """How many of the keys `pks` the queryset holds, asked as ranges of consecutive keys: keys
    drawn from a sequence at once nearly always form one run, and `pk__in` of 100,000 keys cost a
    second of building parameters and ~12 MB."""
    runs = []
    for pk in sorted(pks):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    total = 0
    for start in range(0, len(runs), 500):
        condition = models.Q()
        for low, high in runs[start : start + 500]:
            condition |= models.Q(pk__range=(low, high))
        total += queryset.filter(condition).count()
    return total
