"""Excel out: streaming (write-only) workbooks, in the user's scope, safe against formula injection."""

import datetime
import tempfile

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# A cell that starts with one of these would be read by Excel as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A value as it may go into a cell: text that could run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def cell_value(obj, name):
    """The exported value of a column: choice labels and related names as text, numbers as numbers."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if field is not None and field.many_to_many:
        return "、".join(str(o) for o in getattr(obj, name).all())
    value = getattr(obj, name)
    if callable(value):
        value = value()
    if hasattr(value, "_meta"):
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


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
    for obj in (
        queryset.iterator(chunk_size=2000) if not config.prefetch_related and not _m2m(config, columns) else queryset
    ):
        yield [cell_value(obj, c) for c in columns]


def _m2m(config, columns):
    from bureau.generic import related_names

    return bool(related_names(config.model, columns)[1])


def export_response(config, queryset, user):
    from bureau.generic import label_of, related_names

    columns = export_columns(config)
    select, prefetch = related_names(config.model, columns)
    queryset = queryset.select_related(*select).prefetch_related(*prefetch)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(config.model._meta.verbose_name_plural)[:31])
    write_rows(
        sheet, [label_of(config.model, c, config.labels) for c in columns], export_rows(config, queryset, columns)
    )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    name = f"{config.model._meta.verbose_name_plural}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
