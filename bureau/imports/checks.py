"""Before anything is parsed: the upload's size and signature, the zip directory (declared sizes,
compression ratios: zip bombs), DTDs (XML bombs), and the extent of every sheet a reader may take,
measured from the cells' positions through the workbook's own relationships."""

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

import defusedxml.ElementTree as defused
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old binary .xls
HEADER_ROW, NOTES_ROW = 1, 2  # the template's layout: data from row 3 on (the row cap counts from there)


def limit(name):
    """An upload limit from settings (IMPORT_MAX_ROWS, IMPORT_MAX_UNCOMPRESSED, …)."""
    return getattr(settings, name)


class UploadRejected(Exception):
    """The file is refused before (or while) being read; the message is for the user, in Chinese."""


def _mb(n):
    return f"{n / 1024 / 1024:.1f}"


def check_upload(uploaded_file, allow_csv=False):
    """Refuse what must not be parsed. Returns "xlsx" or "csv"."""
    return inspect_upload(uploaded_file, allow_csv)[0]


def inspect_upload(uploaded_file, allow_csv=False):
    """Refuse what must not be parsed. Returns ("xlsx", its Extent) or ("csv", None)."""
    size = uploaded_file.size
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("文件过大（%(size)s MB），上限为 %(max)s MB。")
            % {"size": _mb(size), "max": _mb(settings.UPLOAD_MAX_BYTES)}
        )
    if size == 0:
        raise UploadRejected(_("文件是空的。"))
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(XLSX_SIGNATURE):
        _check_zip(uploaded_file)
        return "xlsx", sheet_extent(uploaded_file)
    if head.startswith(OLE_SIGNATURE):
        raise UploadRejected(_("这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传。"))
    if allow_csv and (uploaded_file.name or "").lower().endswith(".csv") and b"\x00" not in head:
        return "csv", None
    raise UploadRejected(
        _("文件不是 Excel（.xlsx）格式：请下载导入模板，填写后按原格式保存上传，不要只修改文件扩展名。")
        if not allow_csv
        else _("文件不是 Excel（.xlsx）或 CSV 格式。")
    )


def _check_zip(uploaded_file):
    """The zip directory declares each member's size; Python's zipfile never inflates a member past
    its declared size (it stops and fails the CRC), so checking the declarations bounds the work."""
    try:
        archive = zipfile.ZipFile(uploaded_file)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRejected(_("文件已损坏，无法作为 Excel 文件打开。")) from exc
    if len(members) > limit("IMPORT_MAX_MEMBERS"):
        raise UploadRejected(_("文件结构异常（包含 %(n)d 个部件），已拒绝。") % {"n": len(members)})
    total = sum(m.file_size for m in members)
    if total > limit("IMPORT_MAX_UNCOMPRESSED"):
        raise UploadRejected(
            _("文件解压后达 %(size)s MB，超过上限 %(max)s MB，已拒绝（可能是压缩炸弹）。")
            % {"size": _mb(total), "max": _mb(limit("IMPORT_MAX_UNCOMPRESSED"))}
        )
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > limit("IMPORT_MAX_RATIO") * max(
            member.compress_size, 1
        ):
            raise UploadRejected(
                _("文件压缩比异常（%(name)s），已拒绝（可能是压缩炸弹）。") % {"name": member.filename}
            )
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRejected(_("文件不是 Excel（.xlsx）工作簿。"))
    for member in members:
        if _has_dtd(archive, member):
            raise UploadRejected(_("文件包含不允许的 XML 声明（DTD），已拒绝。"))
    uploaded_file.seek(0)


def _has_dtd(archive, member):
    """Office files never carry a DTD. openpyxl reads sheets and shared strings with the standard
    library's iterparse (defusedxml guards only the other parts), so entity bombs are refused here.
    A DTD can only stand before the root element, within the first bytes. A part named otherwise
    (a sheet may be named anything) is refused if its first bytes declare one at all."""
    with archive.open(member) as handle:
        start = handle.read(64 * 1024)
    if not member.filename.endswith((".xml", ".rels")):
        return b"<!doctype" in start.lower() or b"<!entity" in start.lower()
    root = re.search(rb"<[A-Za-z_]", start)
    prolog = start[: root.start()] if root else start
    return root is None or b"<!doctype" in prolog.lower() or b"<!entity" in prolog.lower()


# The extent check --------------------------------------------------------------------------------

# The parts read whole to find the sheets (the workbook, relationships, content types) are small.
METADATA_MAX = 1024 * 1024
SHEET_RELATION = re.compile(r"/(worksheet|chartsheet|dialogsheet|xlMacrosheet|xlIntlMacrosheet)$")
SHEET_CONTENT = re.compile(r"\.(worksheet|chartsheet|dialogsheet|macrosheet|intlmacrosheet)\+xml$")
# A cell or row element under any namespace prefix, and its whole tag.
TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)(?=[\s/>])")
WHOLE_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(c|row)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")
ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# How Excel and openpyxl write them (`r` first, no prefix): the fast path.
SIMPLE_TAG = re.compile(rb'<(?:c r="([A-Z]{1,3})([0-9]{1,7})"|row r="([0-9]{1,7})")(?=[\s/>])')
# At least every `r` attribute (other text may match too: then the slow path runs).
POSITION_ATTRIBUTE = re.compile(rb"r\s*=\s*[\"']")
CELL_POSITION = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
LONGEST_TAG = 64 * 1024


@dataclass
class Extent:
    """How far the cells of an upload's sheets reach: the last row and column any sheet uses."""

    rows: int = 0
    columns: int = 0


def sheet_extent(uploaded_file):
    """The extent of every sheet a reader may take from the upload, measured from the cells'
    positions (never from the sheet's own `<dimension>`, which may lie). Refuses a sheet beyond
    IMPORT_MAX_ROWS or IMPORT_MAX_COLUMNS as soon as its scan gets there."""
    extent = Extent()
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            for name, members in workbook_sheets(archive):
                for member in members:
                    rows, columns = _scan(archive, member, name)
                    extent.rows, extent.columns = max(extent.rows, rows), max(extent.columns, columns)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UploadRejected(_("文件已损坏，无法作为 Excel 文件打开。")) from exc
    finally:
        uploaded_file.seek(0)
    return extent


def workbook_sheets(archive):
    """[(sheet name, [zip members])]: each sheet the workbook lists, found through the workbook's
    relationships as the readers find it, and any other part declared a sheet. Refuses a listed
    sheet that is not in the file, and a part no relationship accounts for."""
    parts = {}
    for member in archive.infolist():
        if not member.is_dir():
            parts.setdefault(_part_key(member.filename), []).append(member)
    relations = {}  # part → {relationship id: (type, the parts it may name)}
    for key, members in parts.items():
        if key.endswith(".rels"):
            source = _rels_source(key)
            found = relations.setdefault(source, {})
            for element in _elements(archive, members, "Relationship"):
                if element.get("TargetMode") != "External":
                    targets = _targets(source, element.get("Target") or "")
                    found[element.get("Id")] = (element.get("Type") or "", targets)
    sheets = {}  # part → the sheet's name for messages
    # calamine reads xl/workbook.xml; openpyxl the part the package's relationships name.
    root = relations.get("", {}).values()
    books = {"xl/workbook.xml"}.union(*(t for kind, t in root if kind.endswith("/officeDocument")))
    for book in sorted(books & parts.keys()):
        listed = relations.get(book, {})
        for element in _elements(archive, parts[book], "sheet"):
            name = str(element.get("name") or "")[:31]
            found = {t for v in element.attrib.values() if v in listed for t in listed[v][1]} & parts.keys()
            if not found:
                raise UploadRejected(_("工作簿列出的工作表“%(sheet)s”在文件中找不到，文件已损坏。") % {"sheet": name})
            sheets |= dict.fromkeys(found - sheets.keys(), name)
    for found in relations.values():
        for kind, targets in found.values():
            if SHEET_RELATION.search(kind):
                sheets |= {t: parts[t][0].filename for t in targets & parts.keys() if t not in sheets}
    for element in _elements(archive, parts.get("[content_types].xml", []), "Override"):
        key = _part_key(element.get("PartName") or "")
        if SHEET_CONTENT.search(element.get("ContentType") or "") and key in parts and key not in sheets:
            sheets[key] = parts[key][0].filename
    accounted = {"[content_types].xml"}.union(*(t for found in relations.values() for _k, t in found.values()))
    for key, members in parts.items():
        if key not in accounted and not key.endswith(".rels"):
            raise UploadRejected(_("文件包含工作簿未登记的部件（%(name)s），已拒绝。") % {"name": members[0].filename})
    return [(name, parts[key]) for key, name in sheets.items()]


def _part_key(name):
    """A part's name as the readers match it: calamine ignores case and reads \\ as /."""
    return posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/").lower()


def _rels_source(key):
    """The part a relationships part speaks for: xl/_rels/workbook.xml.rels → xl/workbook.xml."""
    folder, name = posixpath.split(key)
    return posixpath.join(posixpath.dirname(folder), name.removesuffix(".rels"))


def _targets(source, target):
    """The parts a relationship of `source` may name: relative to the source's folder as the
    standard has it, or from the package root as calamine also reads it."""
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return {_part_key(target)}
    return {_part_key(posixpath.join(posixpath.dirname(source), target)), _part_key(target)}


def _elements(archive, members, local_name):
    """The elements named `local_name` (any namespace) of small XML parts."""
    for member in members:
        if member.file_size > METADATA_MAX:
            raise UploadRejected(_("文件结构异常（%(name)s 过大），已拒绝。") % {"name": member.filename})
        try:
            root = defused.fromstring(archive.read(member))
        except (defused.ParseError, DefusedXmlException) as exc:
            raise UploadRejected(_("文件已损坏（%(name)s 无法读取）。") % {"name": member.filename}) from exc
        yield from (e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == local_name)


def _scan(archive, member, sheet):
    """(last row, last column) of one sheet part, streamed a megabyte at a time. A cell without a
    position stands after the previous one, a row without one below the previous row, as the
    readers place them; a position that is not one (`&#88;FD1`) is refused."""
    max_rows, max_columns = limit("IMPORT_MAX_ROWS") + NOTES_ROW, limit("IMPORT_MAX_COLUMNS")
    state = [0, 0, 0, 0]  # current row, current column, last row, last column
    with archive.open(member) as handle:
        tail = b""
        while True:
            chunk = handle.read(1024 * 1024)
            if b"\0" in chunk:
                # UTF-16 or -32: tags the scan would not see. Office writes its XML in UTF-8.
                raise UploadRejected(_("文件编码异常（%(name)s），已拒绝。") % {"name": member.filename})
            data = tail + chunk
            # Scan up to the last complete tag; an unfinished one waits for the next chunk.
            cut = data.rfind(b"<") if chunk and data.rfind(b"<") > data.rfind(b">") else len(data)
            data, tail = data[:cut], data[cut:]
            if len(tail) > LONGEST_TAG:
                raise UploadRejected(_("文件结构异常（%(name)s），已拒绝。") % {"name": member.filename})
            _scan_chunk(data, state, sheet)
            if state[2] > max_rows:
                raise UploadRejected(
                    _("行数超过上限 %(max)d 行（工作表“%(sheet)s”用到第 %(row)d 行），请分批导入。")
                    % {"max": limit("IMPORT_MAX_ROWS"), "sheet": sheet, "row": state[2]}
                )
            if state[3] > max_columns:
                raise UploadRejected(
                    _("列数超过上限 %(max)d 列（工作表“%(sheet)s”用到第 %(column)d 列），请删去多余的列后再上传。")
                    % {"max": max_columns, "sheet": sheet, "column": state[3]}
                )
            if not chunk:
                return state[2], state[3]


def _scan_chunk(data, state, sheet):
    simple = SIMPLE_TAG.findall(data)
    # calamine takes a cell's last `r`: a tag with a second one, or in any other form, is read slowly.
    if len(simple) == len(TAG_START.findall(data)) == len(POSITION_ATTRIBUTE.findall(data)):
        # Every tag states one position: the maxima at C speed, the state from the last tag.
        if simple:
            state[2] = max(state[2], max(map(int, {row or row_tag for _letters, row, row_tag in simple})))
            letters = {letters for letters, _row, _row_tag in simple if letters}
            state[3] = max(state[3], max(map(_column_number, letters), default=0))
            letters, row, row_tag = simple[-1]
            state[0], state[1] = (int(row), _column_number(letters)) if letters else (int(row_tag), 0)
        return
    for start in TAG_START.finditer(data):
        tag = WHOLE_TAG.match(data, start.start())
        if tag is None:
            raise UploadRejected(_("工作表“%(sheet)s”的单元格位置无法识别，文件已损坏。") % {"sheet": sheet})
        positions = [a or b for name, a, b in ATTRIBUTE.findall(tag.group(2)) if name.rsplit(b":", 1)[-1] == b"r"]
        if tag.group(1) == b"row":
            numbers = [_row_number(p, sheet) for p in positions]
            state[0], state[1] = max(numbers) if numbers else state[2] + 1, 0
        else:
            cells = [_cell_position(p, sheet) for p in positions]
            state[0] = max([state[0], 1, *(r for r, _c in cells)])
            state[1] = max(c for _r, c in cells) if cells else state[1] + 1
        state[2], state[3] = max(state[2], state[0]), max(state[3], state[1])


def _row_number(text, sheet):
    if not text.isdigit() or len(text) > 7:
        raise UploadRejected(_("工作表“%(sheet)s”的单元格位置无法识别，文件已损坏。") % {"sheet": sheet})
    return int(text)


def _cell_position(text, sheet):
    position = CELL_POSITION.fullmatch(text)
    if position is None:
        raise UploadRejected(_("工作表“%(sheet)s”的单元格位置无法识别，文件已损坏。") % {"sheet": sheet})
    return int(position.group(2)), _column_number(position.group(1).upper())


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64  # bytes: "A" is 65
    return number
