"""Excel out: streaming (write-only) workbooks, in the user's scope, safe against formula injection.

Every cell of every workbook the portal hands out (list exports, import templates and their option
lists, request templates, the completeness grid, the annual workbook) is written by `append`, which
quotes text that Excel would run as a formula (OWASP: = + - @, tab, carriage return).

A list exports what its filters show, through `ModelViews.filtered` (the user's scope). Up to
`EXPORT_SYNC_MAX_ROWS` rows come back at once; a larger export becomes a background job
(bureau.jobs.export_list) whose page shows progress and then the download.
"""

import datetime
import json
import tempfile

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import prefetch_related_objects
from django.db.models.base import ModelState
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# A cell that starts with one of these would be read by Excel as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
AS_IS = frozenset({int, float, bool, type(None)})  # values safe() returns unchanged
PROGRESS_EVERY = 2000
# Fields whose values plain() returns unchanged (no yes/no, record or structure to turn into text).
AS_STORED = frozenset(
    {"CharField", "TextField", "SlugField", "EmailField", "URLField", "IntegerField", "BigIntegerField"}
    | {"SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
    | {"DecimalField", "FloatField", "DateField", "DateTimeField", "AutoField", "BigAutoField"}
)


def sync_max_rows():
    return settings.EXPORT_SYNC_MAX_ROWS


def safe(value):
    """A value as it may go into a cell: text that could run as a formula is quoted."""
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class Columns:
    """How each export column gets its value, resolved once per export. Rows are read as tuples
    (no model instances: at 100,000 rows building instances costs more than writing the cells);
    choice labels come from a dict, related names from a per-export cache filled a chunk at a time,
    and computed columns (properties, methods) from a light object carrying the row's fields."""

    def __init__(self, model, names, reads=None):
        self.model = model
        self.names = names
        fields = {}
        for name in names:
            try:
                fields[name] = model._meta.get_field(name)
            except FieldDoesNotExist:
                fields[name] = None
        self.fields = fields
        self.computed = any(f is None for f in fields.values())
        self.many = [n for n, f in fields.items() if f is not None and f.many_to_many]
        # Computed and many-to-many columns need an object, and a computed column may read any
        # field: then the whole row is fetched, unless every computed column says what it reads.
        self.objects = self.computed or bool(self.many)
        reads = reads or {}
        self.whole = self.objects and not all(n in reads for n, f in fields.items() if f is None)
        read = [model._meta.get_field(r) for n, f in fields.items() if f is None for r in reads.get(n, ())]
        if self.whole:
            self.attnames = [f.attname for f in model._meta.concrete_fields]
        else:
            needed = [f for f in fields.values() if f is not None and not f.many_to_many] + read
            if self.many:
                needed.append(model._meta.pk)
            self.attnames = list(dict.fromkeys(f.attname for f in needed))
        # Related records by key, shared by the rows of the whole export (units repeat), for
        # related columns and for the relations computed columns read.
        self.fk = {f.attname: f for f in [*fields.values(), *read] if f is not None and f.many_to_one}
        self.related = {attname: {} for attname in self.fk}
        self.names_of = {attname: {} for attname in self.fk}  # their str(), made once each

    def getter(self, name):
        field = self.fields[name]
        if name in self.extra:  # an annotation of the list's queryset
            index = self.layout.index(name)
            return lambda row, obj: plain(row[index])
        if field is None:

            def computed(row, obj):
                value = getattr(obj, name)
                return plain(value() if callable(value) else value)

            return computed
        if field.many_to_many:
            return lambda row, obj: "、".join(str(o) for o in getattr(obj, name).all())
        index = self.layout.index(field.attname)
        if field.choices:
            labels = {value: str(label) for value, label in field.flatchoices}
            return lambda row, obj: labels.get(row[index], row[index])
        if field.many_to_one:
            names = self.names_of[field.attname]
            return lambda row, obj: names.get(row[index])
        if field.get_internal_type() in AS_STORED:
            return lambda row, obj: row[index]
        return lambda row, obj: plain(row[index])

    def rows(self, queryset):
        self.db = queryset.db
        # Values the list's queryset annotates (figures computed in SQL) come along in the row.
        annotations = list(queryset.query.annotation_select)
        self.extra = annotations if self.whole else [n for n in self.names if n in annotations]
        self.layout = self.attnames + self.extra
        getters = [self.getter(n) for n in self.names]
        values = queryset.select_related(None).prefetch_related(None).values_list(*self.layout)
        chunk = []
        for row in values.iterator(chunk_size=2000):
            chunk.append(row)
            if len(chunk) == 2000:
                yield from self._chunk(chunk, getters)
                chunk = []
        yield from self._chunk(chunk, getters)

    def _chunk(self, chunk, getters):
        for attname, related in self.related.items():
            index = self.layout.index(attname)
            missing = {row[index] for row in chunk if row[index] is not None} - related.keys()
            if missing:
                field = self.fk[attname]
                found = field.related_model._base_manager.in_bulk(missing, field_name=field.target_field.attname)
                related.update(found)
                self.names_of[attname].update((key, str(obj)) for key, obj in found.items())
        # The chunk's cells are made all at once, then written: faster than a row at a time
        # between openpyxl's writes.
        if self.many:
            return [[get(row, obj) for get in getters] for row, obj in zip(chunk, self._objects(chunk), strict=True)]
        if self.objects:
            return list(self._through_one_object(chunk, getters))
        return [[get(row, None) for get in getters] for row in chunk]

    def _through_one_object(self, chunk, getters):
        """Computed columns (and no many-to-many one): one instance, refilled with each row's
        fields before the row's cells are read; building an instance per row cost more than all
        the other columns. What a column left on it (a cached property, a related record) is
        dropped before the next row."""
        obj = self.model.__new__(self.model)
        obj._state = state = ModelState()
        state.adding, state.db = False, self.db
        fields = obj.__dict__
        base = set(fields) | set(self.layout)
        fks = [(self.layout.index(a), f.name, self.related[a]) for a, f in self.fk.items()]
        for row in chunk:
            if len(fields) > len(base):
                for key in [k for k in fields if k not in base]:
                    del fields[key]
            fields.update(zip(self.layout, row, strict=True))
            state.fields_cache = {name: related[row[i]] for i, name, related in fks if row[i] in related}
            yield [get(row, obj) for get in getters]

    def _objects(self, chunk):
        """Rows as instances for many-to-many columns (prefetched together), built without from_db."""
        objs = []
        for row in chunk:
            obj = self.model.__new__(self.model)
            obj.__dict__.update(zip(self.layout, row, strict=True))
            obj._state = ModelState()
            obj._state.adding, obj._state.db = False, self.db
            for attname, field in self.fk.items():
                related = self.related[attname].get(obj.__dict__[attname])
                if related is not None:
                    obj._state.fields_cache[field.name] = related
            objs.append(obj)
        if self.many:
            prefetch_related_objects(objs, *self.many)
        return objs


def plain(value):
    """A cell value: yes/no in words, records by name, structures as text; numbers and dates as they are."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "_meta"):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return value


def append(sheet, values, font=None, fill=None, alignment=None):
    """Append one row to `sheet` (write-only or not): the one way the portal writes cells."""
    if font is None and fill is None and alignment is None:
        # safe() for each cell, with its two commonest answers (plain text, a number) inline.
        sheet.append(
            [
                ("'" + v if v[:1] in FORMULA_FIRST else v) if type(v) is str else v if type(v) in AS_IS else safe(v)
                for v in values
            ]
        )
        return
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=safe(value))
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        cells.append(cell)
    sheet.append(cells)


def write_rows(sheet, headers, rows):
    append(sheet, [str(text) for text in headers], font=Font(bold=True))
    count = 0
    for row in rows:
        append(sheet, row)
        count += 1
    return count


def export_columns(config):
    return getattr(config, "export_columns", None) or config.columns


def export_rows(config, queryset, columns):
    return Columns(config.model, columns, getattr(config, "computed_reads", None)).rows(queryset)


def write_workbook(config, queryset, handle, progress=None):
    """Write the export of `queryset` (already scoped and filtered) to `handle`; `progress(done)`
    is called every few thousand rows. Returns the number of rows."""
    from bureau.generic import label_of

    columns = export_columns(config)
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    rows = export_rows(config, queryset, columns)
    if progress is not None:
        rows = _reporting(rows, progress)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(config.model._meta.verbose_name_plural)[:31])
    count = write_rows(sheet, [label_of(config.model, c, config.labels) for c in columns], rows)
    workbook.save(handle)
    return count


def _reporting(rows, progress):
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done)
        yield row


def filename(config):
    return f"{config.model._meta.verbose_name_plural}-{timezone.localdate():%Y%m%d}.xlsx"


def export_response(config, queryset, user):
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_workbook(config, queryset, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename(config))


def export(config, request):
    """The export of a filtered list: at once when small, as a background job when large."""
    from django.shortcuts import redirect

    _filter, queryset = config.filtered(request)
    if queryset.count() <= sync_max_rows():
        return export_response(config, queryset, request.user)
    from bureau.jobs import start_export

    job = start_export(config, request)
    return redirect("jobs:detail", pk=job.pk)
