"""Workbooks written part by part with zipfile, as an attacker writes them: raw XML, no openpyxl."""

import io
import re
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = f"{REL}/worksheet"
SHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def sheet_xml(cells, dimension=None, prefix=""):
    """A worksheet holding `cells` ({"A1": "text"}) as inline strings, rows and cells with their `r`."""
    p = f"{prefix}:" if prefix else ""
    rows = {}
    for ref, value in cells.items():
        rows.setdefault(int(re.sub("[A-Z]", "", ref)), []).append((ref, value))
    body = "".join(
        f'<{p}row r="{r}">'
        + "".join(f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{v}</{p}t></{p}is></{p}c>' for ref, v in cells_)
        + f"</{p}row>"
        for r, cells_ in sorted(rows.items())
    )
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    xmlns = f' xmlns:{prefix}="{MAIN}"' if prefix else f' xmlns="{MAIN}"'
    return f"{HEAD}<{p}worksheet{xmlns}>{dim}<{p}sheetData>{body}</{p}sheetData></{p}worksheet>"


def workbook(sheets, extra=None, targets=None):
    """An .xlsx whose sheets are `sheets` ([(part path, xml)]); the workbook's relationships point
    at each part by `targets` (default: the path relative to xl/). `extra`: more parts, named by no
    relationship."""
    handle = io.BytesIO()
    targets = targets or [path.removeprefix("xl/") for path, _xml in sheets]
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(f'<Override PartName="/{path}" ContentType="{SHEET_CONTENT}"/>' for path, _x in sheets)
        archive.writestr(
            "[Content_Types].xml",
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1))
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{HEAD}<Relationships xmlns="{PKG}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{SHEET_TYPE}" Target="{target}"/>'
                for i, target in enumerate(targets, start=1)
            )
            + "</Relationships>",
        )
        for path, xml in [*sheets, *(extra or {}).items()]:
            archive.writestr(path, xml)
    return handle.getvalue()


def header_and(cells, header=("名称",)):
    """The cells, below a header row in row 1."""
    return {f"{chr(65 + i)}1": text for i, text in enumerate(header)} | cells


# The layouts of issue 10, each with what the refusal must say.
LAYOUTS = {
    # The reported file: the sheet at a path the old check did not read, A1 and XFD1048576.
    "odd_path": (workbook([("xl/ws/sheet1.xml", sheet_xml(header_and({"XFD1048576": "x"})))]), "行数超过上限"),
    # The 1.66 GB variant.
    "odd_path_wide": (workbook([("xl/ws/sheet1.xml", sheet_xml(header_and({"XFD3000": "x"})))]), "列数超过上限"),
    # The part named in other letters: calamine finds it anyway.
    "odd_case": (
        workbook([("xl/ws/sheet1.xml", sheet_xml(header_and({"XFD3000": "x"})))], targets=["WS/Sheet1.xml"]),
        "列数超过上限",
    ),
    "absolute_target": (
        workbook([("data/s.xml", sheet_xml(header_and({"XFD3000": "x"})))], targets=["/data/s.xml"]),
        "列数超过上限",
    ),
    "lying_dimension": (
        workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({"XFD3000": "x"}), dimension="A1:B2"))]),
        "列数超过上限",
    ),
    "no_dimension": (workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({"XFD3000": "x"})))]), "列数超过上限"),
    "huge_column_only": (workbook([("xl/worksheets/sheet1.xml", sheet_xml({"XFD1": "x"}))]), "列数超过上限"),
    "huge_row_only": (
        workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({"A1048576": "x"})))]),
        "行数超过上限",
    ),
    # A row and cells that do not say where they are: each after the last, 20,000 in a row.
    "cells_without_positions": (
        workbook(
            [
                (
                    "xl/worksheets/sheet1.xml",
                    sheet_xml({}).replace("</sheetData>", f"<row>{'<c/>' * 20000}</row></sheetData>"),
                )
            ]
        ),
        "列数超过上限",
    ),
    # The same elements under a namespace prefix.
    "prefixed_elements": (
        workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({"XFD3000": "x"}), prefix="x"))]),
        "列数超过上限",
    ),
    # 200 harmless sheets, and the last one at an odd path.
    "many_sheets": (
        workbook(
            [(f"xl/worksheets/sheet{i}.xml", sheet_xml(header_and({}))) for i in range(1, 200)]
            + [("xl/other/last.xml", sheet_xml(header_and({"XFD3000": "x"})))]
        ),
        "列数超过上限",
    ),
    # A harmless sheet where the old check looked, and a part no relationship names.
    "unaccounted_part": (
        workbook(
            [("xl/ws/sheet1.xml", sheet_xml(header_and({})))],
            extra={"xl/worksheets/sheet1.xml": sheet_xml(header_and({}))},
        ),
        "未登记的部件",
    ),
    # Entities in a sheet whose name does not end in .xml.
    "entities_at_an_odd_name": (
        workbook(
            [
                (
                    "xl/ws/sheet1.dat",
                    sheet_xml(header_and({"A2": "&a;"})).replace(
                        "<worksheet", '<!DOCTYPE w [<!ENTITY a "ha">]><worksheet', 1
                    ),
                )
            ]
        ),
        "DTD",
    ),
    # The workbook names a sheet that is not in the file.
    "missing_sheet": (
        workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({})))], targets=["worksheets/gone.xml"]),
        "找不到",
    ),
    # calamine takes the last of two positions.
    "second_position": (
        workbook(
            [("xl/worksheets/sheet1.xml", sheet_xml(header_and({})).replace('r="A1"', "r=\"A1\"\nr = 'XFD3000'"))]
        ),
        "列数超过上限",
    ),
    "unreadable_position": (
        workbook([("xl/worksheets/sheet1.xml", sheet_xml(header_and({})).replace('r="A1"', 'r="&#88;FD1"'))]),
        "单元格位置",
    ),
}
