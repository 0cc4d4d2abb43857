"""Excel out: streaming (write-only) workbooks, in the user's scope, safe against formula injection.

A list exports what its filters show, through `ModelViews.filtered` (the user's scope). Up to
`EXPORT_SYNC_MAX_ROWS` rows come back at once; a larger export becomes a background job
(bureau.jobs.export_list) whose page shows progress and then the download.
"""

import datetime
import tempfile

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# A cell that starts with one of these would be read by Excel as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 2000


def sync_max_rows():
    return getattr(settings, "EXPORT_SYNC_MAX_ROWS", 5000)


def safe(value):
    """A value as it may go into a cell: text that could run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def getter(model, name):
    """A function giving a column's exported value for one object: choice labels and related names
    as text, yes/no in words, numbers as numbers, dates as dates. Resolved once per column."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        display = f"get_{name}_display"
        return lambda obj: str(getattr(obj, display)())
    if field is not None and field.many_to_many:
        return lambda obj: "、".join(str(o) for o in getattr(obj, name).all())

    def value_of(obj):
        value = getattr(obj, name)
        if callable(value):
            value = value()
        if hasattr(value, "_meta"):
            return str(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        return value

    return value_of


def cell_value(obj, name):
    return getter(type(obj), name)(obj)


def write_rows(sheet, headers, rows):
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=safe(str(text)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([safe(v) for v in row])
        count += 1
    return count


def export_columns(config):
    return getattr(config, "export_columns", None) or config.columns


def export_rows(config, queryset, columns):
    getters = [getter(config.model, c) for c in columns]
    for obj in queryset.iterator(chunk_size=2000):
        yield [get(obj) for get in getters]


def write_workbook(config, queryset, handle, progress=None):
    """Write the export of `queryset` (already scoped and filtered) to `handle`; `progress(done)`
    is called every few thousand rows. Returns the number of rows."""
    from bureau.generic import label_of, related_names

    columns = export_columns(config)
    select, prefetch = related_names(config.model, columns)
    queryset = queryset.select_related(*select).prefetch_related(*prefetch)
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
