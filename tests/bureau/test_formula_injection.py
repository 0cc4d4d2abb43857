"""Issue 10, MEDIUM 3: no text from the database becomes a formula in a workbook the portal hands out.

Every text field of every record holds a formula-like value (a person named `=cmd|' /C calc'!A0`);
then every export, every import template with its option lists, every request kind's template, the
completeness grid and the annual workbook are unzipped and read as XML: no sheet holds a formula
(`<f>`; the portal writes none of its own), and no text cell starts with what Excel would run."""

import datetime
import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, models, transaction
from django.urls import reverse

from bureau import reports, workflow
from bureau.excel import FORMULA_STARTS
from bureau.generic import registry
from bureau.models import DataRequest, Unit
from bureau.requests import REGISTRY as KINDS
from tests.base import COVERED, managing_role
from tests.test_meta import _import_all_tests

PAYLOADS = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1")
APPS = ("bureau", "offices", "vehicles", "energy", "logistics", "party", "performance")
TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")


def poison(world):
    """Records of every model for both units, then every free-text field of every row of every
    table overwritten with a formula-like value (a field that refuses it in the database is left)."""
    _import_all_tests()
    for tests in COVERED.values():
        for unit in (world.unit_a, world.unit_b):
            tests().make(unit)
    n = 0
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            for pk in model._base_manager.values_list("pk", flat=True):
                n += 1
                value = f"{PAYLOADS[n % len(PAYLOADS)]}{n}"[: field.max_length or None]
                try:
                    with transaction.atomic():
                        model._base_manager.filter(pk=pk).update(**{field.attname: value})
                except DatabaseError:
                    pass
    assert all(name.startswith(FORMULA_STARTS) for name in Unit.objects.values_list("name", flat=True))


def formula_cells(content):
    """The formulas and the formula-like texts of a workbook, as found in its XML."""
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            xml = archive.read(name)
            if name.startswith("xl/worksheets/"):
                found += [(name, "<f>")] * len(re.findall(rb"<(?:\w+:)?f[\s>/]", xml))
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                found += [
                    (name, text)
                    for text in (t.decode().replace("&#13;", "\r").replace("&#9;", "\t") for t in TEXT.findall(xml))
                    if text.startswith(FORMULA_STARTS)
                ]
    return found


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_no_workbook_carries_a_formula_from_the_data(client, world, tmp_path):
    poison(world)
    offending = {}

    def check(what, response):
        assert response.status_code == 200, (what, response.status_code)
        assert response["Content-Type"].startswith("application/vnd.openxml"), what
        if found := formula_cells(body(response)):
            offending[what] = found[:3]

    walked = 0
    for model, config in registry().items():
        client.force_login(world.staff(managing_role(model)))
        if config.has("export"):
            check(f"{model.__name__} export", client.get(reverse(config.url_name("export"))))
            walked += 1
        if config.has("import"):
            check(f"{model.__name__} template", client.get(reverse(config.url_name("template"))))
            walked += 1
    for key, kind in KINDS.items():
        request = DataRequest.objects.create(
            kind=key, title=f"={key}", year=2022, frequency="annual", deadline=datetime.date(2023, 3, 31)
        )
        request.units.set([world.unit_a])
        workflow.publish(request, world.staff(kind.area))
        client.force_login(world.liaison_a)
        sub = request.submissions.get(unit=world.unit_a)
        check(f"{key} template", client.get(reverse("bureau:submission_template", args=[sub.pk])))
        client.force_login(world.staff(kind.area))
        check(f"{key} grid", client.get(reverse("bureau:datarequest_grid", args=[request.pk]), {"format": "xlsx"}))
        walked += 2
    path = tmp_path / "annual.xlsx"
    reports.build_workbook(path, 2022, Unit.objects.all(), by="=HYPERLINK(1)", scope_label="+1")
    if found := formula_cells(path.read_bytes()):
        offending["annual workbook"] = found[:3]
    assert walked > 20
    assert not offending, sorted(offending)


@pytest.mark.django_db
def test_a_quoted_choice_from_the_template_imports_as_the_record(client, world):
    """The option list shows a unit named `=甲单位` quoted; the quoted text, picked from the
    dropdown and uploaded, still names that unit."""
    from openpyxl import load_workbook

    from bureau.models import Person
    from bureau.views import PersonViews
    from tests.factories import id_number

    Unit.objects.filter(pk=world.unit_a.pk).update(name="=甲单位")
    client.force_login(world.liaison_a)
    template = load_workbook(io.BytesIO(client.get(reverse(PersonViews.url_name("template"))).content))
    choices = [c.value for c in template["选项"]["A"][1:]]
    assert "'=甲单位" in choices and "=甲单位" not in choices
    choice = "'=甲单位"
    sheet = template.worksheets[0]
    sheet.append(["张三", choice, "局（处）级以下", id_number()])
    handle = io.BytesIO()
    template.save(handle)
    upload = SimpleUploadedFile("p.xlsx", handle.getvalue())
    response = client.post(reverse(PersonViews.url_name("import")), {"file": upload})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Person.objects.get(name="张三").unit_id == world.unit_a.pk
