"""Excel in: import templates and all-or-nothing uploads for registries and request kinds.

Every row of an upload is validated by the same form as a single record (a registry's model form,
a request kind's RowForm); the caller gets the cleaned rows or a list of errors naming the row as
Excel numbers it, the column by its Chinese header, and the reason. Before anything is parsed the
file itself is checked (`check_upload`): size, signature, the zip directory's declared sizes and
compression ratios (zip bombs), and DTDs (XML bombs).
"""

import csv
import datetime
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

import defusedxml.ElementTree as defused
import openpyxl.xml
from defusedxml import DefusedXmlException
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook, SheetTypeEnum

from bureau import bulk, excel
from bureau.excel import FORMULA_STARTS, PROGRESS_EVERY

# openpyxl parses workbook parts with defusedxml only when it is installed; never run without it.
if not openpyxl.xml.DEFUSEDXML:
    raise ImproperlyConfigured("defusedxml is not installed: openpyxl would parse uploads with the unsafe XML parser")

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # the old binary .xls
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTES_MARK = "【"  # every cell of the template's notes row starts with it
HEADER_ROW, NOTES_ROW = 1, 2
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "✓", "对"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "不"}


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
        if member.filename.endswith((".xml", ".rels")) and _has_dtd(archive, member):
            raise UploadRejected(_("文件包含不允许的 XML 声明（DTD），已拒绝。"))
    uploaded_file.seek(0)


def _has_dtd(archive, member):
    """Office files never carry a DTD. openpyxl reads sheets and shared strings with the standard
    library's iterparse (defusedxml guards only the other parts), so entity bombs are refused here.
    A DTD can only stand before the root element, within the first bytes."""
    with archive.open(member) as handle:
        start = handle.read(64 * 1024)
    root = re.search(rb"<[A-Za-z_]", start)
    prolog = start[: root.start()] if root else start
    return root is None or b"<!doctype" in prolog.lower() or b"<!entity" in prolog.lower()


# Columns -----------------------------------------------------------------------------------------


@dataclass
class Column:
    name: str
    label: str
    help: str = ""
    choices: tuple = ()  # the labels a cell may hold (a dropdown in the template)
    required: bool = False
    kind: str = "text"  # text, number, date, bool, choice, lookup

    def note(self):
        kinds = {
            "text": _("文本"),
            "number": _("数字"),
            "date": _("日期，如 2022-03-31"),
            "bool": _("填“是”或“否”"),
            "choice": _("从下拉列表选择"),
            "lookup": "",  # the help says by what the record is named
        }
        mark = _("【必填】") if self.required else _("【选填】")
        return " ".join(str(p) for p in (mark + str(kinds[self.kind]), self.help) if p)


def columns_for_form(form_class, exclude=(), form_kwargs=None):
    """The template's columns: one per visible field of the form, in the form's order.

    With `form_kwargs` (e.g. `{"user": user}`), the form is built as for a single record, so that
    fields the form drops for this user and dropdowns scoped to this user are taken into account."""
    fields = form_class(**form_kwargs).fields if form_kwargs is not None else form_class.base_fields
    columns = []
    for name, field in fields.items():
        if name in exclude or name == "version" or field.widget.is_hidden or field.disabled:
            continue
        columns.append(_column(name, field))
    return columns


def _column(name, field):
    help_text = str(field.help_text or "")
    label = str(field.label or name)
    if isinstance(field, forms.ModelChoiceField):
        model = field.queryset.model
        keys = "、".join(str(f.verbose_name) for f in _natural_keys(model) if f.name != "name")
        hint = _("填写%(model)s名称") % {"model": model._meta.verbose_name}
        if keys:
            hint += _("或%(keys)s") % {"keys": keys}
        if isinstance(field, forms.ModelMultipleChoiceField):
            hint += _("，多个用顿号“、”分隔")
        choices = ()
        if field.queryset.count() <= 500:  # small lists become a dropdown in the template
            choices = tuple(sorted(k for k, v in _lookup_index(field.queryset).items() if v is not AMBIGUOUS))
        return Column(name, label, f"{hint}。{help_text}", choices, field.required, "lookup")
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return Column(name, label, help_text, (_("是"), _("否")), field.required, "bool")
    if isinstance(field, forms.ChoiceField):
        labels = tuple(str(label) for value, label in _flat_choices(field) if value not in ("", None))
        return Column(name, label, help_text, labels, field.required, "choice")
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return Column(name, label, help_text, (), field.required, "date")
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return Column(name, label, help_text, (), field.required, "number")
    return Column(name, label, help_text, (), field.required, "text")


def _flat_choices(field):
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def _natural_keys(model):
    """Fields by which a cell may name a related record: its name and its unique codes."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField) and (f.unique or f.name in ("name", "code"))
    ]


AMBIGUOUS = object()


def _lookup_index(queryset):
    """Text → record for every record the user may choose, by its display name and natural keys;
    built once per import so that no row costs a query."""
    keys = [f.attname for f in _natural_keys(queryset.model)]
    index = {}
    for obj in queryset:
        for text in {str(obj), *(getattr(obj, k) for k in keys)}:
            text = (text or "").strip()
            if text:
                found = index.get(text, obj)
                index[text] = obj if found is not AMBIGUOUS and found.pk == obj.pk else AMBIGUOUS
    return index


class LookupField(forms.Field):
    """Stands in for a ModelChoiceField during an import: the same scoped choices, named in words."""

    def __init__(self, original, index):
        super().__init__(required=original.required, label=original.label, help_text=original.help_text)
        self.multiple = isinstance(original, forms.ModelMultipleChoiceField)
        self.index = index
        self.model_name = original.queryset.model._meta.verbose_name

    def to_python(self, value):
        if value in (None, ""):
            return [] if self.multiple else None
        if not self.multiple:
            obj = self.index.get(str(value).strip())
            if obj is not None and obj is not AMBIGUOUS:
                return obj  # the usual cell, one name: no need to split it
        found = [self.find(text) for text in LIST_SEPARATORS.split(str(value)) if text.strip()]
        return found if self.multiple else found[0]

    def find(self, text):
        obj = self.index.get(text.strip())
        if obj is AMBIGUOUS:
            raise forms.ValidationError(
                _("有多个%(model)s叫“%(text)s”，请改填全称或代码。") % {"model": self.model_name, "text": text}
            )
        if obj is None:
            raise forms.ValidationError(
                _("找不到%(model)s“%(text)s”（或您无权选择它）。") % {"model": self.model_name, "text": text}
            )
        return obj


# Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it
    column: str  # the Chinese header; "" for the whole row
    message: str


@dataclass
class Row:
    number: int
    data: object  # the form's cleaned_data, or what the caller's `keep(form)` keeps of it


def parse_upload(uploaded_file, form_class, form_kwargs=None, columns=None, allow_csv=False):
    """Validate every row of an upload with `form_class` (one form per row, built with
    `form_kwargs`). Returns (cleaned_data dicts, [RowError]). Raises UploadRejected."""
    rows, errors = validate_upload(uploaded_file, form_class, form_kwargs, columns, allow_csv)
    return [r.data for r in rows], errors


def validate_upload(
    uploaded_file, form_class, form_kwargs=None, columns=None, allow_csv=False, keep=None, progress=None
):
    """As parse_upload; `keep(form)` chooses what is kept of a valid row, `progress(rows read)` is
    called every few thousand rows."""
    lines = read_sheet(uploaded_file, allow_csv)
    form_kwargs = form_kwargs or {}
    columns = columns if columns is not None else columns_for_form(form_class, form_kwargs=form_kwargs)
    lookups = {c.name for c in columns if c.kind == "lookup"}
    row_form = _import_form(form_class, lookups)(data={}, **form_kwargs)
    for name in lookups:
        # The dropdown as the form scoped it for this user, read once for the whole file.
        field = row_form.fields[name]
        row_form.fields[name] = LookupField(field, _lookup_index(field.queryset))
    for column in columns:
        if column.kind in ("choice", "lookup"):
            field = row_form.fields[column.name]
            field.clean = _remembering(field.clean)
    header = next(lines, None)
    if header is None:
        raise UploadRejected(_("文件中没有数据。"))
    positions, errors = _match_header(header[1], columns)
    if errors:
        return [], errors
    converters = [(i, c, _converter(c, row_form.fields[c.name])) for i, c in positions]
    defaults = {c.name: _default(row_form, c) for c in columns}
    rows = []
    for number, values in lines:
        if number == NOTES_ROW and all(str(v).startswith(NOTES_MARK) for v in values if v not in (None, "")):
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(rows) + len(errors) >= limit("IMPORT_MAX_ROWS"):
            raise UploadRejected(_("行数超过上限 %(max)d 行，请分批导入。") % {"max": limit("IMPORT_MAX_ROWS")})
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        data, row_errors = dict(defaults), []
        for i, column, convert in converters:
            value = values[i] if i < len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                data[column.name] = convert(value)
            except forms.ValidationError as exc:
                row_errors.append(RowError(number, column.label, " ".join(exc.messages)))
                data.pop(column.name, None)
        form = _rebind(row_form, data)
        if form.is_valid() and not row_errors:
            rows.append(Row(number, keep(form) if keep else form.cleaned_data))
        else:
            # Every problem of the row at once; a cell that could not be read is reported once.
            unreadable = {e.column for e in row_errors}
            errors.extend(row_errors)
            errors.extend(e for e in _form_errors(number, form, columns) if e.column not in unreadable)
    return rows, errors


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


# The extent check --------------------------------------------------------------------------------

# The parts read whole to find the sheets (the workbook, relationships, content types) are small.
METADATA_MAX = 1024 * 1024
SHEET_RELATION = re.compile(r"/(worksheet|chartsheet|dialogsheet|xlMacrosheet|xlIntlMacrosheet)$")
SHEET_CONTENT = re.compile(r"\.(worksheet|chartsheet|dialogsheet|macrosheet|intlmacrosheet)\+xml$")
# A cell or row element under any namespace prefix, the whole tag, and the way Excel and openpyxl
# write nearly all of them (the fast path).
TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)(?=[\s/>])")
WHOLE_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(c|row)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")
ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SIMPLE_TAG = re.compile(rb'<(?:c r="([A-Z]{1,3})([0-9]{1,7})"|row r="([0-9]{1,7})")(?=[\s/>])')
# An attribute named r, with or without a prefix (text may match too: then the slow path runs).
POSITION_ATTRIBUTE = re.compile(rb"\s(?:[A-Za-z_][\w.-]*:)?r\s*=")
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
    if len(simple) == len(TAG_START.findall(data)) == len(POSITION_ATTRIBUTE.findall(data)):
        # Every tag states one position, first: the maxima at C speed, the state from the last tag.
        if simple:
            rows = {row or row_tag for _letters, row, row_tag in simple}
            letters = {letters for letters, _row, _row_tag in simple if letters}
            state[2] = max(state[2], max(map(int, rows)))
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


def _match_header(header, columns):
    by_label = {c.label: c for c in columns} | {c.name: c for c in columns}
    positions, errors, seen = [], [], set()
    for i, text in enumerate(header):
        text = str(text or "").strip().rstrip("*＊").strip()
        if not text:
            continue
        column = by_label.get(text)
        if column is None:
            errors.append(RowError(HEADER_ROW, text, _("未知的列，请使用导入模板的表头。")))
        elif column.name in seen:
            errors.append(RowError(HEADER_ROW, text, _("此列重复。")))
        else:
            seen.add(column.name)
            positions.append((i, column))
    errors.extend(
        RowError(HEADER_ROW, c.label, _("缺少此必填列。")) for c in columns if c.required and c.name not in seen
    )
    return positions, errors


def _unquote(text):
    """Our exports write a leading apostrophe before text that Excel could run as a formula."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _as_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number (e.g. 420102…) must not come back as 4.2e17
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return _unquote(str(value).strip())


def _converter(column, field):
    """Cell value → form data value, as a browser would post it."""
    if column.kind == "bool":

        def convert(value):
            word = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
            if word in TRUE_WORDS | {"true"}:
                return "true"
            if word in FALSE_WORDS | {"false"}:
                return "false"
            raise forms.ValidationError(_("请填写“是”或“否”。"))

        return convert
    if column.kind == "choice":
        by_label = {str(label): value for value, label in _flat_choices(field)}
        return lambda value: by_label.get(_as_text(value), _as_text(value))
    if column.kind in ("date", "number"):
        return lambda value: value if not isinstance(value, str) else _as_text(value)
    return _as_text


def _default(form, column):
    """An empty cell means what an untouched field of the blank form means (its initial value)."""
    if column.kind == "lookup":
        return ""
    value = form.get_initial_for_field(form.fields[column.name], column.name)
    if column.kind == "bool":
        return "true" if value else "false"
    return "" if value is None else value


def _remembering(clean):
    """A dropdown field's `clean`, remembered per cell value: the same few labels (units, ranks)
    repeat down a file, and cleaning one depends on nothing but the value and the choices, which
    are fixed for the file. Errors and lists are not remembered."""
    results = {}

    def cached(value):
        try:
            return results[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable value
            return clean(value)
        result = clean(value)
        if not isinstance(result, list) and len(results) < 10_000:
            results[value] = result
        return result

    return cached


def _rebind(form, data):
    """The one row form, bound to the next row. Building a form per row would deep-copy every
    field and build its bound fields each time; a form's `__init__` depends on its user and
    instance, not on the row, so one form is re-bound instead, with a fresh instance per row and
    nothing kept from the previous row (errors, cleaned data, changed fields)."""
    form.data = data
    form.is_bound = True
    form._errors = None
    form.__dict__.pop("changed_data", None)
    if isinstance(form, forms.ModelForm):
        form.instance = _blank(form._meta.model, form.__dict__.setdefault("_blank", {}))
    return form


def _blank(model, cache):
    """A new instance as `model()` builds it, copied from one built once per file: Model.__init__
    per row cost as much as validating a field. Callable defaults are called again for each copy
    (no row shares a mutable default); a model with init signals is built the ordinary way."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model()
    if not cache:
        cache["values"] = model().__dict__
        cache["callable"] = [f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
    obj = model.__new__(model)
    obj.__dict__ = cache["values"].copy()
    obj._state = ModelState()
    for f in cache["callable"]:
        obj.__dict__[f.attname] = f.get_default()
    return obj


def _import_form(form_class, lookups):
    """The form as it validates one imported row. A model form skips the checks that would
    query per row and that the import makes for the whole file instead: uniqueness (`check_unique`)
    and the existence of related records (looked up among the user's choices, loaded once)."""
    if not issubclass(form_class, forms.ModelForm):
        return form_class

    model = form_class._meta.model
    in_bulk = [c for c in model._meta.constraints if plain_unique(c)]

    def row_constraints(instance):
        return [
            (cls, [c for c in found if c not in in_bulk]) for cls, found in type(instance).get_constraints(instance)
        ]

    class ImportForm(form_class):
        checked_in_bulk = True

        def validate_unique(self):
            pass

        def _get_validation_exclusions(self):
            return super()._get_validation_exclusions() | lookups

        def _post_clean(self):
            # The model's full_clean would query once per row for each plain unique constraint:
            # check_unique asks for the whole file. Other constraints are still checked per row.
            if in_bulk:
                self.instance.get_constraints = lambda: row_constraints(self.instance)
            super()._post_clean()

    ImportForm.__name__ = ImportForm.__qualname__ = form_class.__name__
    return ImportForm


def _form_errors(number, form, columns):
    labels = {c.name: c.label for c in columns}
    errors = []
    for name, messages_ in form.errors.items():
        column = labels.get(name, "" if name == "__all__" else str(form.fields[name].label or name))
        errors.extend(RowError(number, column, str(m)) for m in messages_)
    return errors


# Uniqueness in bulk ------------------------------------------------------------------------------


def plain_unique(constraint):
    """A unique constraint on fields alone, which check_unique can test for a whole file at once."""
    c = constraint
    return isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None and not c.expressions


def unique_sets(model):
    """Field-name tuples that must be unique: unique fields, unique_together, plain UniqueConstraints."""
    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(t) for t in model._meta.unique_together]
    sets += [tuple(c.fields) for c in model._meta.constraints if plain_unique(c)]
    return sets


def check_unique(records, rows, labels):
    """Duplicates within the file and against the database, with a query per 1,000 values rather
    than per row. `labels` maps field names to the column headers."""
    model = records.model
    errors = []
    for names in unique_sets(model):
        attnames = [model._meta.get_field(n).attname for n in names]
        # The last field tells the rows apart (a room's number within its building).
        column = labels.get(names[-1], str(model._meta.get_field(names[-1]).verbose_name))
        what = "、".join(labels.get(n, str(model._meta.get_field(n).verbose_name)) for n in names)
        first = {}
        for row in rows:
            key = tuple(records.value(row, a) for a in attnames)
            if any(v is None or v == "" for v in key):
                continue
            if key in first:
                errors.append(
                    RowError(row.number, column, _("%(what)s与第 %(row)d 行重复。") % {"what": what, "row": first[key]})
                )
            else:
                first[key] = row.number
        keys = list(first)
        existing = set()
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            if len(attnames) == 1:
                condition = models.Q(**{f"{attnames[0]}__in": [k[0] for k in chunk]})
            else:
                condition = models.Q()
                for key in chunk:
                    condition |= models.Q(**dict(zip(attnames, key, strict=True)))
            existing.update(model._base_manager.filter(condition).values_list(*attnames))
        for key in keys:
            if key in existing:
                errors.append(
                    RowError(
                        first[key],
                        column,
                        _("已存在%(what)s相同的%(model)s。") % {"what": what, "model": model._meta.verbose_name},
                    )
                )
    return errors


# Registry import ---------------------------------------------------------------------------------


class Records:
    """A registry import's validated rows, kept compact: per row a tuple of the instance's field
    values (and the many-to-many choices), not the instance and its cleaned data, so that
    200,000 rows fit in memory. They are saved from the tuples (bureau.bulk.insert)."""

    def __init__(self, model, many):
        self.model = model
        self.many = many
        self.attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        self.position = {a: i for i, a in enumerate(self.attnames)}

    def keep(self, form):
        values = tuple(getattr(form.instance, a) for a in self.attnames)
        return values, tuple(form.cleaned_data.get(f.name) or () for f in self.many)

    def value(self, row, attname):
        return row.data[0][self.position[attname]]

    def chosen(self, row, name):
        """The records chosen in a row's many-to-many column `name`."""
        return row.data[1][[f.name for f in self.many].index(name)]


def import_registry(config, uploaded_file, user, progress=None):
    """All or nothing: validate every row with the registry's form as `user`, then save every row
    in one transaction. Returns (the new records' ids, errors); with errors nothing is saved.
    `progress(rows read)` is called every few thousand rows."""
    model = config.model
    form_kwargs = {"user": user}
    columns = columns_for_form(config.form, form_kwargs=form_kwargs)
    records = Records(model, [f for f in model._meta.many_to_many if any(f.name == c.name for c in columns)])
    rows, errors = validate_upload(
        uploaded_file, config.form, form_kwargs, columns, keep=records.keep, progress=progress
    )
    if not errors and not rows:
        errors = [RowError(NOTES_ROW + 1, "", _("文件中没有数据行。"))]
    if rows:
        labels = {c.name: c.label for c in columns}
        errors += check_unique(records, rows, labels)
        if not errors and hasattr(config.form, "check_file"):
            errors += config.form.check_file(records, rows, labels)
    if errors:
        return [], sorted(errors, key=lambda e: e.row)
    with transaction.atomic():
        # One transaction; records and audit entries written from the rows' tuples (bureau.bulk).
        pks = bulk.insert(model, records.attnames, [r.data[0] for r in rows])
        for i, field in enumerate(records.many):
            _bulk_set(field, pks, [r.data[1][i] for r in rows])
        if bulk.count_among(model.objects.for_user(user, "add"), pks) != len(pks):
            # Rows saved outside the user's reach: undo everything, whatever the forms allowed.
            raise PermissionDenied
    return pks, []


def _bulk_set(field, pks, targets):
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = [
        through(**{f"{source}_id": pk, f"{target}_id": t.pk}) for pk, ts in zip(pks, targets, strict=True) for t in ts
    ]
    through.objects.bulk_create(links, batch_size=2000)


# Template ----------------------------------------------------------------------------------------


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


# Pages -------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"), help_text=_("按导入模板填写的 .xlsx 文件；第 1 行为表头，第 2 行为填写说明。")
    )


class ImportView(LoginRequiredMixin, View):
    """GET: the upload page with the template link and the columns explained. POST: all or nothing."""

    config = None

    def dispatch(self, request, *args, **kwargs):
        from bureau.generic import deny
        from bureau.scoping import can

        if request.user.is_authenticated and not can(request.user, self.config.model, "add"):
            deny(request, self.config.model)
        return super().dispatch(request, *args, **kwargs)

    def columns(self):
        return columns_for_form(self.config.form, form_kwargs={"user": self.request.user})

    def get(self, request):
        return self.show(UploadForm())

    def show(self, form, errors=(), status=200):
        opts = self.config.model._meta
        return render(
            request=self.request,
            template_name="bureau/import.html",
            context={
                "title": _("Excel 导入：%(name)s") % {"name": opts.verbose_name_plural},
                "opts": opts,
                "form": form,
                "columns": self.columns(),
                "errors": errors,
                "template_url": reverse(self.config.url_name("template")),
                "list_url": reverse(self.config.url_name("list")),
                "max_rows": limit("IMPORT_MAX_ROWS"),
                "sync_max_rows": limit("IMPORT_SYNC_MAX_ROWS"),
            },
            status=status,
        )

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            if data_rows(upload) > limit("IMPORT_SYNC_MAX_ROWS"):
                # A large file is imported by a background job; its page shows the progress.
                from bureau.jobs import start_import

                return redirect("jobs:detail", pk=start_import(self.config, upload, request).pk)
            created, errors = import_registry(self.config, upload, request.user)
        except UploadRejected as exc:
            form.add_error("file", str(exc))
            return self.show(form, status=400)
        except PermissionDenied:
            from bureau.generic import deny

            deny(request, self.config.model)
        if errors:
            return self.show(form, errors, status=400)
        messages.success(
            request,
            _("已导入 %(n)d 条%(name)s。") % {"n": len(created), "name": self.config.model._meta.verbose_name},
        )
        return HttpResponseRedirect(reverse(self.config.url_name("list")))


class TemplateView(ImportView):
    def get(self, request):
        opts = self.config.model._meta
        title = opts.verbose_name_plural
        return template_response(self.columns(), title, f"{title}导入模板.xlsx")

    def post(self, request):
        return self.http_method_not_allowed(request)
