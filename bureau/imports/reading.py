"""Reading an upload that passed the checks: (Excel row number, cell values) of its first sheet."""

import csv
import datetime
import io

import openpyxl.xml
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook, SheetTypeEnum

from bureau.imports.checks import NOTES_ROW, UploadRejected, inspect_upload

# openpyxl parses workbook parts with defusedxml only when it is installed; never run without it.
if not openpyxl.xml.DEFUSEDXML:
    raise ImproperlyConfigured("defusedxml is not installed: openpyxl would parse uploads with the unsafe XML parser")


CALAMINE_MAX_CELLS = 2_000_000  # about 64 MB of calamine's grid (32 bytes a cell)


def read_sheet(uploaded_file, allow_csv=False):
    """(Excel row number, cell values) of the first worksheet, after the checks. python-calamine
    reads several times faster than openpyxl, but builds the sheet as one dense grid from its first
    to its last cell, so a sheet whose grid would be large is streamed by openpyxl read-only."""
    kind, extent = inspect_upload(uploaded_file, allow_csv)
    if kind == "csv":
        return _read_csv(uploaded_file)
    if extent.rows * extent.columns <= CALAMINE_MAX_CELLS:
        return _read_calamine(uploaded_file)
    return _read_openpyxl(uploaded_file, extent)


def data_rows(uploaded_file):
    """About how many rows an upload holds below the header and notes rows, before it is read."""
    _kind, extent = inspect_upload(uploaded_file)
    return max(0, extent.rows - NOTES_ROW) if extent else 0


def _read_calamine(uploaded_file):
    try:
        workbook = CalamineWorkbook.from_filelike(uploaded_file)
        first = next(i for i, m in enumerate(workbook.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet)
        sheet = workbook.get_sheet_by_index(first)
    except Exception as exc:  # whatever calamine trips on, the user gets the same answer
        raise UploadRejected(_("文件无法读取：请用 Excel 打开检查后另存为 .xlsx 再上传。")) from exc
    finally:
        uploaded_file.seek(0)
    # Rows come from row 1 on (empty ones included), so the count is Excel's row number; columns
    # from the sheet's first used column, the same shift for every row. Values as openpyxl gives
    # them: empty cells None, whole numbers int, dates datetime.
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield (
            number,
            tuple(
                None
                if v == ""
                else int(v)
                if type(v) is float and v.is_integer()
                else datetime.datetime(v.year, v.month, v.day)
                if type(v) is datetime.date
                else v
                for v in values
            ),
        )


def _read_openpyxl(uploaded_file, extent):
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
    except Exception as exc:  # whatever openpyxl trips on, the user gets the same answer
        raise UploadRejected(_("文件无法读取：请用 Excel 打开检查后另存为 .xlsx 再上传。")) from exc
    try:
        sheet = workbook.worksheets[0]
        # Read-only sheets yield missing rows as empty ones, so the count is Excel's row number;
        # the bounds are the measured extent, not the sheet's own <dimension>.
        rows = sheet.iter_rows(max_row=extent.rows, max_col=extent.columns, values_only=True)
        yield from enumerate(rows, start=1)
    except Exception as exc:
        raise UploadRejected(_("文件无法读取：请用 Excel 打开检查后另存为 .xlsx 再上传。")) from exc
    finally:
        workbook.close()


def _read_csv(uploaded_file):
    raw = uploaded_file.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRejected(_("CSV 文件编码无法识别，请保存为 UTF-8。"))
    reader = csv.reader(io.StringIO(text))
    for values in reader:
        yield reader.line_num, values
