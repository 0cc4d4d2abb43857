"""The import template: Chinese headers, a notes row, dropdowns from a hidden options sheet."""

import io
import itertools

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from bureau import excel
from bureau.imports.checks import HEADER_ROW, NOTES_ROW, limit

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_response(columns, title, filename):
    """An .xlsx with the Chinese headers, a notes row, dropdowns for choice columns and a frozen
    header, to be filled from row 3 on."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    lists = workbook.create_sheet(_("选项"))
    lists.sheet_state = "hidden"
    bold, required = Font(bold=True), Font(bold=True, color="C00000")
    notes_fill, notes_font = PatternFill("solid", fgColor="F2F2F2"), Font(color="666666", size=9)
    last_row = limit("IMPORT_MAX_ROWS") + NOTES_ROW
    excel.append(sheet, [column.label for column in columns])
    wrap = Alignment(wrap_text=True, vertical="top")
    excel.append(sheet, [column.note() for column in columns], font=notes_font, fill=notes_fill, alignment=wrap)
    # The option lists, one column each: the label, then the choices (record names among them).
    for values in itertools.zip_longest(*([c.label, *c.choices] for c in columns if c.choices)):
        excel.append(lists, values)
    list_col = 0
    for i, (column, head) in enumerate(zip(columns, sheet[HEADER_ROW], strict=False), start=1):
        letter = get_column_letter(i)
        head.font = required if column.required else bold
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.label) * 3 + 4))
        if column.kind in ("text", "lookup"):
            # Text, so that codes keep their leading zeros and all 18 digits.
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            list_col += 1
            list_letter = get_column_letter(list_col)
            source = f"{quote_sheetname(lists.title)}!${list_letter}$2:${list_letter}${len(column.choices) + 1}"
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=not column.required,
                showErrorMessage=column.kind != "lookup",
                errorTitle=_("无效的值"),
                error=_("请从下拉列表中选择。"),
            )
            validation.add(f"{letter}{NOTES_ROW + 1}:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.row_dimensions[NOTES_ROW].height = 60
    sheet.freeze_panes = f"A{NOTES_ROW + 1}"
    handle = io.BytesIO()
    workbook.save(handle)
    response = HttpResponse(handle.getvalue(), content_type=XLSX_CONTENT_TYPE)
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
