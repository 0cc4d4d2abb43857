"""Excel in: templates, the upload checks, row validation by the record's own form, all-or-nothing."""

import datetime
import importlib.util
import io
import zipfile
from decimal import Decimal

import openpyxl.xml
import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bureau.choices import JobState, Rank, UnitKind
from bureau.forms import PersonForm
from bureau.imports import checks, reading, template
from bureau.imports.checks import UploadRejected, check_upload
from bureau.imports.rows import RowError, parse_upload
from bureau.imports.writing import import_registry
from bureau.models import AuditEntry, Job, Person, Unit
from bureau.requests import RowForm
from bureau.views import PersonViews, UnitViews
from tests.factories import PersonFactory, UnitFactory, id_number, uscc, xlsx

UNIT_HEADER = ["单位名称", "简称", "统一社会信用代码", "单位类别", "上级单位", "纳入公共机构节能统计", "在用"]
PERSON_HEADER = ["姓名", "单位", "职级", "身份证号"]


def unit_row(name, code=None, kind="行政机关", parent=None):
    return [name, "", code or uscc(), kind, parent, "是", "是"]


def bomb(size_mb, name="bomb.xlsx"):
    """A zip that looks like a workbook and declares `size_mb` MB of zeros in one sheet."""
    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size_mb):
                sheet.write(chunk)
    return SimpleUploadedFile(name, handle.getvalue())


def import_url(config):
    return reverse(config.url_name("import"))


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if openpyxl is asked to read the upload."""

    def refuse(*args, **kwargs):
        raise AssertionError("the upload was parsed")

    monkeypatch.setattr(reading, "load_workbook", refuse)
    monkeypatch.setattr(reading, "CalamineWorkbook", refuse)


# The template ---------------------------------------------------------------------------------------


def test_template_has_chinese_headers_notes_and_dropdowns(client, world):
    client.force_login(world.admin)
    response = client.get(reverse(UnitViews.url_name("template")))
    assert response.status_code == 200
    assert response["Content-Type"] == template.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == UNIT_HEADER
    notes = [c.value for c in sheet[2]]
    assert all(n.startswith("【") for n in notes)
    assert notes[0].startswith("【必填】") and notes[1].startswith("【选填】")
    assert "18 位" in notes[2]  # the field's help text
    assert sheet.freeze_panes == "A3"
    # The kind column (D) has a dropdown listing the Chinese labels, from the hidden list sheet.
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    kind = validations["D3"]
    assert kind.type == "list"
    lists = workbook["选项"]
    assert lists.sheet_state == "hidden"
    _sheet, cells = kind.formula1.split("!")
    column = cells.split(":")[0].strip("$").rstrip("0123456789$")
    values = [c.value for c in lists[column][1:]]
    assert values == [str(label) for label in UnitKind.labels]
    assert "F3" in validations and validations["F3"].formula1  # yes/no
    # Codes are text cells, so 18 digits are not turned into 4.2E+17.
    assert sheet.column_dimensions["C"].number_format == "@"


def test_template_for_liaison_lists_only_their_units(client, world):
    client.force_login(world.liaison_a)
    response = client.get(reverse(PersonViews.url_name("template")))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == PERSON_HEADER
    choices = [c.value for c in workbook["选项"]["A"][1:]]
    assert "甲单位" in choices and "乙单位" not in choices


def test_import_page_explains_the_columns(client, world):
    client.force_login(world.admin)
    body = client.get(import_url(UnitViews)).content.decode()
    assert reverse(UnitViews.url_name("template")) in body
    for label in UNIT_HEADER:
        assert label in body
    assert "党的机关" in body


def test_import_pages_need_the_add_permission(client, world):
    client.force_login(world.liaison_a)  # liaisons may not add units
    assert client.get(import_url(UnitViews)).status_code == 403
    assert client.get(reverse(UnitViews.url_name("template"))).status_code == 403
    client.logout()
    assert client.get(import_url(UnitViews)).status_code == 302


# Importing ------------------------------------------------------------------------------------------


def test_import_saves_every_row_and_audits(client, world):
    parent = UnitFactory(name="市机关事务管理局", short_name="市机关局")
    client.force_login(world.admin)
    upload = xlsx([UNIT_HEADER, unit_row("一号单位", parent="市机关局"), unit_row("二号单位", kind="事业单位")])
    response = client.post(import_url(UnitViews), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    one, two = Unit.objects.get(name="一号单位"), Unit.objects.get(name="二号单位")
    assert one.parent == parent and one.kind == UnitKind.GOVERNMENT and one.active and one.is_public_institution
    assert two.kind == UnitKind.INSTITUTION and two.parent is None
    entries = AuditEntry.objects.filter(action="create", object_id__in=[str(one.pk), str(two.pk)])
    assert entries.count() == 2 and {e.username for e in entries} == {"admin"}


def test_bad_row_rolls_back_whole_file_and_names_row_and_column(client, world):
    client.force_login(world.admin)
    before = Unit.objects.count()
    upload = xlsx(
        [
            UNIT_HEADER,
            unit_row("一号单位"),
            unit_row("二号单位"),
            unit_row("三号单位", code="11420100MB000000"),  # Excel row 4: 16 characters
            unit_row("四号单位"),
        ]
    )
    response = client.post(import_url(UnitViews), {"file": upload})
    assert response.status_code == 400
    assert Unit.objects.count() == before
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(4, "统一社会信用代码")]
    assert "18 位" in errors[0].message
    body = response.content.decode()
    assert "全部数据均未导入" in body and "<td>4</td><td>统一社会信用代码</td>" in body


def test_rows_are_numbered_as_in_excel_with_notes_and_blank_rows(world):
    notes = ["【必填】文本"] * 7
    upload = xlsx([UNIT_HEADER, notes, unit_row("一号单位"), [None] * 7, unit_row("五号单位", kind="不存在的类别")])
    created, errors = import_registry(UnitViews, upload, world.admin)
    assert created == []
    assert [(e.row, e.column) for e in errors] == [(5, "单位类别")]
    assert "不存在的类别" in errors[0].message


def test_uniqueness_within_the_file_and_against_the_database(world):
    code = uscc()
    upload = xlsx([UNIT_HEADER, unit_row("新单位", code=code), unit_row("另一单位", code=code), unit_row("甲单位")])
    created, errors = import_registry(UnitViews, upload, world.admin)
    assert created == []
    found = {(e.row, e.column): e.message for e in errors}
    assert "与第 2 行重复" in found[(3, "统一社会信用代码")]
    assert "已存在" in found[(4, "单位名称")]


def test_unknown_and_missing_headers_are_reported(world):
    upload = xlsx([["单位名称", "备注"], ["一号单位", "x"]])
    created, errors = import_registry(UnitViews, upload, world.admin)
    assert created == []
    found = {(e.row, e.column) for e in errors}
    assert (1, "备注") in found  # unknown
    assert (1, "统一社会信用代码") in found and (1, "单位类别") in found  # required, missing


def test_liaison_imports_persons_of_their_own_unit_only(client, world):
    client.force_login(world.liaison_a)
    code = id_number()
    good = xlsx([PERSON_HEADER, ["张三", "甲单位", "局（处）级以下", code]])
    response = client.post(import_url(PersonViews), {"file": good})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get(name="张三").unit == world.unit_a
    bad = xlsx([PERSON_HEADER, ["李四", "甲单位", "局（处）级以下", ""], ["王五", "乙单位", "局（处）级以下", ""]])
    response = client.post(import_url(PersonViews), {"file": bad})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "单位")]
    assert "乙单位" in errors[0].message
    assert not Person.objects.filter(name__in=["李四", "王五"]).exists()


def test_a_row_saved_outside_the_users_scope_rolls_everything_back(world):
    """The last line of defence: even a form that offered another unit cannot save into it."""

    class UnscopedPersonForm(PersonForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["unit"].queryset = Unit.objects.all()

    config = type("Config", (), {"model": Person, "form": UnscopedPersonForm})
    upload = xlsx([PERSON_HEADER, ["李四", "甲单位", "局（处）级以下", ""], ["王五", "乙单位", "局（处）级以下", ""]])
    with pytest.raises(PermissionDenied):
        import_registry(config, upload, world.liaison_a)
    assert not Person.objects.filter(name__in=["李四", "王五"]).exists()


def test_import_does_not_query_per_row(world):
    def run(n):
        rows = [[f"人员{i}", "甲单位", "局（处）级以下", id_number()] for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            created, errors = import_registry(PersonViews, xlsx([PERSON_HEADER, *rows]), world.admin)
        assert not errors and len(created) == n
        return len(queries)

    run(2)  # warm the per-process caches
    assert run(5) == run(60)


def test_export_then_template_then_import_round_trips(client, world):
    parent = UnitFactory(name="上级局", short_name="上级局")
    UnitFactory(name='=HYPERLINK("http://x","c")', short_name="", parent=parent, kind=UnitKind.MASS, active=False)
    UnitFactory(name="-负号开头单位", short_name="负号", parent=parent, is_public_institution=False)
    fields = ["name", "short_name", "uscc", "kind", "parent_id", "is_public_institution", "active"]
    children = Unit.objects.filter(parent=parent)
    before = sorted(children.values_list(*fields))
    client.force_login(world.admin)
    exported = load_workbook(
        io.BytesIO(b"".join(client.get(reverse(UnitViews.url_name("export")), {"parent": parent.pk}).streaming_content))
    )
    rows = list(exported.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3
    # Into the import template, below its notes row.
    template = load_workbook(io.BytesIO(client.get(reverse(UnitViews.url_name("template"))).content))
    sheet = template.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == rows[0]
    for row in rows[1:]:
        sheet.append(row)
    handle = io.BytesIO()
    template.save(handle)
    children.delete()
    response = client.post(import_url(UnitViews), {"file": SimpleUploadedFile("units.xlsx", handle.getvalue())})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert sorted(Unit.objects.filter(parent=parent).values_list(*fields)) == before


# The upload checks ----------------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_parsing(client, world, never_parsed):
    upload = bomb(300)
    assert len(upload) < 400 * 1024  # ~300 KB on the wire, 300 MB inflated
    client.force_login(world.admin)
    before = Unit.objects.count()
    response = client.post(import_url(UnitViews), {"file": upload})
    assert response.status_code == 400
    assert "压缩炸弹" in response.content.decode()
    assert Unit.objects.count() == before


def test_high_compression_ratio_is_refused_below_the_size_limit(never_parsed):
    with pytest.raises(UploadRejected, match="压缩比异常"):
        check_upload(bomb(20))


def test_renamed_text_file_is_refused(client, world, never_parsed):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("units.xlsx", "单位名称,统一社会信用代码\n一号单位,x\n".encode())
    response = client.post(import_url(UnitViews), {"file": upload})
    assert response.status_code == 400
    assert "不是 Excel" in response.content.decode()


def test_oversize_file_is_refused(client, world, settings, never_parsed):
    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(world.admin)
    upload = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * 2000)
    response = client.post(import_url(UnitViews), {"file": upload})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


def test_old_xls_and_broken_zip_are_refused(never_parsed):
    with pytest.raises(UploadRejected, match="旧版"):
        check_upload(SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))
    with pytest.raises(UploadRejected, match="损坏"):
        check_upload(SimpleUploadedFile("a.xlsx", b"PK\x03\x04" + b"\0" * 100))


def test_entity_declarations_are_refused(client, world):
    """A billion-laughs sheet: openpyxl reads sheets with the standard library's parser."""
    source = zipfile.ZipFile(xlsx([UNIT_HEADER, unit_row("一号单位")]))
    handle = io.BytesIO()
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                laughs = '<!DOCTYPE w [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = data.replace(b"<worksheet", laughs.encode() + b"<worksheet", 1)
            target.writestr(item, data)
    client.force_login(world.admin)
    response = client.post(import_url(UnitViews), {"file": SimpleUploadedFile("u.xlsx", handle.getvalue())})
    assert response.status_code == 400
    assert "DTD" in response.content.decode()
    assert not Unit.objects.filter(name="一号单位").exists()


def test_row_cap(settings, world):
    settings.IMPORT_MAX_ROWS = 3
    upload = xlsx([UNIT_HEADER, *(unit_row(f"单位{i}") for i in range(4))])
    with pytest.raises(UploadRejected, match="行数超过上限 3 行"):
        import_registry(UnitViews, upload, world.admin)


def test_defusedxml_is_required():
    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.xml.functions.fromstring.__module__.startswith("defusedxml")
    # A copy of the module, loaded as if defusedxml were missing, refuses to load.
    spec = importlib.util.spec_from_file_location("imports_without_defusedxml", reading.__file__)
    module = importlib.util.module_from_spec(spec)
    openpyxl.xml.DEFUSEDXML = False
    try:
        with pytest.raises(ImproperlyConfigured, match="defusedxml"):
            spec.loader.exec_module(module)
    finally:
        openpyxl.xml.DEFUSEDXML = True


# Request kinds: the same parser with a RowForm ------------------------------------------------------


class ConsumptionRow(RowForm):
    item = forms.ChoiceField(label="品种", choices=[("power", "电力"), ("water", "水")])
    quantity = forms.DecimalField(label="数量", min_value=0, help_text="本期用量")
    month = forms.DateField(label="月份", required=False)
    metered = forms.BooleanField(label="有计量表", required=False)

    def clean(self):
        data = super().clean()
        if self.submission == "closed":
            raise forms.ValidationError("本期已结束。")
        return data


def test_parse_upload_with_a_row_form():
    import datetime

    upload = xlsx(
        [
            ["品种", "数量", "月份", "有计量表"],
            ["电力", 1200.5, datetime.datetime(2022, 3, 1), "是"],
            ["水", "-3", None, "否"],
            ["煤", 1, None, "也许"],
        ]
    )
    rows, errors = parse_upload(upload, ConsumptionRow, {"submission": "open"})
    assert rows == [
        {"item": "power", "quantity": Decimal("1200.5"), "month": datetime.date(2022, 3, 1), "metered": True}
    ]
    found = {(e.row, e.column) for e in errors}
    assert found == {(3, "数量"), (4, "品种"), (4, "有计量表")}
    # A form-level error names the whole row (no column).
    rows, errors = parse_upload(xlsx([["品种", "数量"], ["水", 1]]), ConsumptionRow, {"submission": "closed"})
    assert rows == [] and errors == [RowError(2, "", "本期已结束。")]


def test_csv_only_where_the_caller_allows_it():
    data = "品种,数量\n电力,12\n".encode()
    with pytest.raises(UploadRejected):
        parse_upload(SimpleUploadedFile("a.csv", data), ConsumptionRow, {"submission": "open"})
    rows, errors = parse_upload(
        SimpleUploadedFile("a.csv", data), ConsumptionRow, {"submission": "open"}, allow_csv=True
    )
    assert errors == [] and rows[0]["quantity"] == Decimal(12)


def test_person_import_keeps_ranks_and_codes(world):
    PersonFactory(unit=world.unit_a)
    code = id_number()
    upload = xlsx([PERSON_HEADER, ["赵六", "甲单位", "正局（处）级", code]])
    created, errors = import_registry(PersonViews, upload, world.admin)
    assert errors == []
    person = Person.objects.get(pk=created[0])
    assert (person.rank, person.id_number, person.unit) == (Rank.BUREAU_HEAD, code, world.unit_a)


def test_a_name_shared_by_two_units_asks_for_the_full_name_or_code(world):
    first = UnitFactory(name="第一同名单位", short_name="同名")
    UnitFactory(name="第二同名单位", short_name="同名")
    UnitFactory(name="第三同名单位", short_name="同名")
    upload = xlsx([PERSON_HEADER, ["甲", "同名", "局（处）级以下", ""], ["乙", first.uscc, "局（处）级以下", ""]])
    created, errors = import_registry(PersonViews, upload, world.admin)
    assert [(e.row, e.column) for e in errors] == [(2, "单位")] and "全称或代码" in errors[0].message
    upload = xlsx(
        [PERSON_HEADER, ["甲", "第一同名单位", "局（处）级以下", ""], ["乙", first.uscc, "局（处）级以下", ""]]
    )
    created, errors = import_registry(PersonViews, upload, world.admin)
    assert errors == [] and {p.unit for p in Person.objects.filter(pk__in=created)} == {first}


# The reader ------------------------------------------------------------------------------------------


def test_calamine_reads_the_values_openpyxl_reads():
    """Text, whole and decimal numbers, dates, date-times, booleans, empty cells, quoted formula
    text: the fast reader gives the values, typed, that openpyxl read-only gives."""
    rows = [
        ["文本", 42, 2.5, datetime.date(2022, 3, 31), datetime.datetime(2022, 3, 31, 10, 5), True, None, "'=1+2"],
        [None, 420102198001010011, -7, None, None, False, "", "x"],
    ]
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.active["D1"].number_format = "yyyy-mm-dd"
    handle = io.BytesIO()
    workbook.save(handle)
    upload = SimpleUploadedFile("t.xlsx", handle.getvalue())
    extent = checks.sheet_extent(upload)
    fast, slow = list(reading._read_calamine(upload)), list(reading._read_openpyxl(upload, extent))
    assert fast == [(n, tuple(v)) for n, v in slow]
    assert fast[0][1][:6] == (
        "文本",
        42,
        2.5,
        datetime.datetime(2022, 3, 31),
        datetime.datetime(2022, 3, 31, 10, 5),
        True,
    )
    assert type(fast[0][1][1]) is int and fast[1][1][2] == -7 and fast[1][1][6] is None


def test_calamine_rows_keep_excel_numbers_with_an_empty_first_column_and_blank_rows(world):
    """Row numbers are Excel's, and columns line up, when the sheet's first column is empty (the
    reader's grid starts at the first used cell) and rows are blank."""
    upload = xlsx(
        [
            [None, *PERSON_HEADER],
            [None, "张三", "甲单位", "局（处）级以下", id_number()],
            [],
            [None, "李四", "甲单位", "不存在的职级", id_number()],
        ]
    )
    created, errors = import_registry(PersonViews, upload, world.admin)
    assert created == []
    assert [(e.row, e.column) for e in errors] == [(4, "职级")]
    assert "不存在的职级" in errors[0].message


def test_import_reads_with_calamine_not_openpyxl(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl read the upload")

    monkeypatch.setattr(reading, "load_workbook", refuse)
    created, errors = import_registry(
        PersonViews, xlsx([PERSON_HEADER, ["张三", "甲单位", "局（处）级以下", id_number()]]), world.admin
    )
    assert not errors and len(created) == 1


def test_a_sparse_sheet_is_streamed_by_openpyxl(world, monkeypatch):
    """A value far to the right would make calamine's grid rows × 256 cells: such a sheet is read
    by openpyxl read-only instead, with the same result."""

    def refuse(*args, **kwargs):
        raise AssertionError("calamine read a sheet whose grid is too large")

    monkeypatch.setattr(reading, "CalamineWorkbook", refuse)
    monkeypatch.setattr(reading, "CALAMINE_MAX_CELLS", 10_000)
    upload = xlsx([PERSON_HEADER, ["张三", "甲单位", "局（处）级以下", id_number()]])
    workbook = load_workbook(io.BytesIO(upload.read()))
    workbook.active["IV200"] = "远处的单元格"  # 200 rows x 256 columns > CALAMINE_MAX_CELLS
    handle = io.BytesIO()
    workbook.save(handle)
    assert checks.sheet_extent(io.BytesIO(handle.getvalue())) == checks.Extent(200, 256)
    _created, errors = import_registry(PersonViews, SimpleUploadedFile("s.xlsx", handle.getvalue()), world.admin)
    # Row 200 holds a value outside the template's columns only: its required cells are missing.
    assert [(e.row, e.column) for e in errors] == [(200, "姓名"), (200, "单位"), (200, "职级")]


def test_a_cell_far_down_is_refused_before_reading(world, never_parsed):
    upload = xlsx([PERSON_HEADER, ["张三", "甲单位", "局（处）级以下", id_number()]])
    workbook = load_workbook(io.BytesIO(upload.read()))
    workbook.active["A1048576"] = "x"
    handle = io.BytesIO()
    workbook.save(handle)
    with pytest.raises(UploadRejected, match="行数超过上限"):
        import_registry(PersonViews, SimpleUploadedFile("d.xlsx", handle.getvalue()), world.admin)


# Large files: a background job -------------------------------------------------------------------------


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_large_upload_becomes_a_job_with_the_same_result(client, world, settings, _media):
    settings.IMPORT_SYNC_MAX_ROWS = 1  # the file's 4 rows count as 2 below a header and notes row
    client.force_login(world.liaison_a)
    rows = [[f"后台{i}", "甲单位", "局（处）级以下", id_number()] for i in range(3)]
    response = client.post(import_url(PersonViews), {"file": xlsx([PERSON_HEADER, *rows])})
    job = Job.objects.get(kind="import", user=world.liaison_a)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    # Tests run tasks at once (no broker): the job has run.
    assert (job.state, job.done, job.total, job.error) == (JobState.DONE, 3, 3, "")
    created = Person.objects.filter(name__startswith="后台")
    assert sorted(p.name for p in created) == ["后台0", "后台1", "后台2"]
    assert {p.unit_id for p in created} == {world.unit_a.pk}
    entries = AuditEntry.objects.filter(
        action="create", content_type__model="person", object_id__in=[str(p.pk) for p in created]
    )
    assert entries.count() == 3 and {e.user_id for e in entries} == {world.liaison_a.pk}
    assert {e.path for e in entries} == {import_url(PersonViews)}  # the request the file came with
    assert not job.file  # the upload (personal data) is not kept
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["download"] == ""


def test_a_background_import_with_bad_rows_saves_nothing_and_names_row_and_column(client, world, settings, _media):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    client.force_login(world.liaison_a)
    rows = [["张三", "甲单位", "局（处）级以下", ""], ["李四", "乙单位", "局（处）级以下", ""]]
    client.post(import_url(PersonViews), {"file": xlsx([PERSON_HEADER, *rows])})
    job = Job.objects.get(kind="import", user=world.liaison_a)
    assert job.state == JobState.FAILED
    assert job.error.startswith("共 1 处错误，全部数据均未导入。第 3 行「单位」：") and "乙单位" in job.error
    assert not Person.objects.filter(name__in=["张三", "李四"]).exists()


def test_a_refused_file_is_refused_at_once_not_queued(client, world, settings, _media):
    settings.IMPORT_SYNC_MAX_ROWS = 0
    client.force_login(world.admin)
    response = client.post(import_url(PersonViews), {"file": bomb(300)})
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    assert not Job.objects.filter(kind="import").exists()
