"""Excel out: scoped, filtered, formula-safe, typed cells; large exports become jobs."""

import datetime
import functools
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bureau.choices import JobState
from bureau.excel import FORMULA_STARTS, export_response, export_rows, safe
from bureau.generic import ModelViews
from bureau.models import Job, Person, Unit
from bureau.scoping import fingerprint
from bureau.validators import mask_id_number
from bureau.views import PersonViews, UnitViews
from tests.factories import PersonFactory, UnitFactory

INJECTION = '=HYPERLINK("http://x","c")'


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def content(response):
    return b"".join(response.streaming_content)


def sheet_rows(data):
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows())


def export_url(config):
    return reverse(config.url_name("export"))


def test_formula_text_is_exported_as_text(client, world):
    UnitFactory(name=INJECTION, short_name="")
    client.force_login(world.admin)
    response = client.get(export_url(UnitViews), {"q": "HYPERLINK"})
    data = content(response)
    rows = sheet_rows(data)
    assert len(rows) == 2
    name = rows[1][0]
    assert name.data_type == "s" and name.value == "'" + INJECTION
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_safe_quotes_every_formula_start(start):
    assert safe(start + "1") == "'" + start + "1"
    assert safe("a" + start) == "a" + start
    assert safe(-1) == -1  # numbers are not text


def test_numbers_stay_numbers_and_dates_dates(world):
    unit = UnitFactory(name="数字单位")
    config = type("VersionViews", (ModelViews,), {"columns": ("name", "version", "created", "active")})
    config.model = Unit  # set after class creation: not registered as Unit's pages
    response = export_response(config, Unit.objects.filter(pk=unit.pk), world.admin)
    header, row = sheet_rows(content(response))
    assert [c.value for c in header] == ["单位名称", "版本", "创建时间", "在用"]
    assert row[1].data_type == "n" and row[1].value == 1
    assert row[2].is_date and isinstance(row[2].value, datetime.datetime)
    assert row[3].value == "是"


def test_liaison_export_contains_only_their_unit(client, world):
    PersonFactory(unit=world.unit_a, name="甲的人")
    PersonFactory(unit=world.unit_b, name="乙的人")
    client.force_login(world.liaison_a)
    rows = sheet_rows(content(client.get(export_url(PersonViews))))
    names = [r[0].value for r in rows[1:]]
    assert names == ["甲的人"]
    # Asking for the other unit by filter gives nothing, not its rows.
    rows = sheet_rows(content(client.get(export_url(PersonViews), {"unit": world.unit_b.pk})))
    assert [r[0].value for r in rows[1:]] in ([], ["甲的人"])
    assert "乙的人" not in [r[0].value for r in rows[1:]]


def test_export_follows_the_lists_filters(client, world):
    PersonFactory(unit=world.unit_a, name="甲的人")
    PersonFactory(unit=world.unit_b, name="乙的人")
    client.force_login(world.admin)
    rows = sheet_rows(content(client.get(export_url(PersonViews), {"unit": world.unit_b.pk})))
    assert [(r[0].value, r[1].value) for r in rows[1:]] == [("乙的人", str(world.unit_b))]


def test_large_export_runs_as_a_job_visible_only_to_its_owner(client, world, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    for _ in range(3):
        PersonFactory(unit=world.unit_a)
        PersonFactory(unit=world.unit_b)
    client.force_login(world.admin)
    response = client.get(export_url(PersonViews), {"rank": "below_bureau"})
    job = Job.objects.get(kind="export", user=world.admin)
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    # Tasks run eagerly in tests: the job is done by the time the page is asked for.
    assert (job.state, job.done, job.total) == (JobState.DONE, 6, 6)
    assert job.params == {"app": "bureau", "model": "person", "query": "rank=below_bureau"} | {
        "scope": fingerprint(world.admin)  # the scope it was built in (bureau.jobs.servable)
    }
    status = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100
    download = client.get(status["download"])
    assert download.status_code == 200
    assert len(sheet_rows(content(download))) == 1 + 6
    client.force_login(world.leader)  # may read every person, but this is not their job
    for name in ("detail", "status", "download"):
        assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404


def test_large_export_job_keeps_the_liaisons_scope(client, world, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 1
    for _ in range(2):
        PersonFactory(unit=world.unit_a)
        PersonFactory(unit=world.unit_b)
    client.force_login(world.liaison_a)
    response = client.get(export_url(PersonViews))
    assert response.status_code == 302
    job = Job.objects.get(user=world.liaison_a)
    rows = sheet_rows(content(client.get(reverse("jobs:download", args=[job.pk]))))
    expected = set(Person.objects.filter(unit=world.unit_a).values_list("name", flat=True))
    assert {r[0].value for r in rows[1:]} == expected and len(rows) == 3


def test_export_queries_do_not_grow_with_rows(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.admin)
    PersonFactory(unit=world.unit_a)
    content(client.get(export_url(PersonViews)))
    with CaptureQueriesContext(connection) as few:
        content(client.get(export_url(PersonViews)))
    for _ in range(10):
        PersonFactory(unit=world.unit_b)
    with CaptureQueriesContext(connection) as many:
        content(client.get(export_url(PersonViews)))
    assert len(many) == len(few)


def test_many_to_many_and_computed_columns(world):
    from bureau.models import DataRequest

    request = DataRequest.objects.create(kind="test.kind", title="填报", year=2022, deadline=datetime.date(2023, 1, 31))
    request.units.set([world.unit_a, world.unit_b])
    config = type("RequestViews", (ModelViews,), {"columns": ("title", "units", "kind_title", "frequency")})
    config.model = DataRequest
    header, row = sheet_rows(content(export_response(config, DataRequest.objects.all(), world.admin)))
    assert [c.value for c in header] == ["标题", "填报单位", "填报类型", "频次"]
    assert row[0].value == "填报"
    assert set(row[1].value.split("、")) == {str(world.unit_a), str(world.unit_b)}
    assert row[2].value == "test.kind"  # a property of the record (an unregistered kind shows its key)
    assert row[3].value == "年度"


def test_computed_columns_read_each_rows_own_fields(world, monkeypatch):
    """Computed columns that declare what they read get only those fields, row by row, with the
    related records they read from the export's cache (no query per row), and nothing a column
    cached on one row is seen on the next."""
    label = functools.cached_property(lambda self: f"{self.name}@{self.unit.name}")
    label.__set_name__(Person, "label")
    monkeypatch.setattr(Person, "label", label, raising=False)
    config = type(
        "LabelViews",
        (ModelViews,),
        {
            "columns": ("name", "label", "id_number_masked"),
            "computed_reads": {"label": ("name", "unit"), "id_number_masked": ("id_number",)},
        },
    )
    config.model = Person  # set after class creation: not registered as Person's pages

    def export(n):
        people = [PersonFactory(unit=(world.unit_a, world.unit_b)[i % 2], name=f"人{i}") for i in range(n)]
        people[-1].id_number = ""
        people[-1].save()
        queryset = Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk")
        with CaptureQueriesContext(connection) as queries:
            rows = list(export_rows(config, queryset, config.columns))
        expected = [[p.name, f"{p.name}@{p.unit.name}", mask_id_number(p.id_number)] for p in people]
        assert rows == expected
        assert rows[-1][2] == "" and rows[0][1] == "人0@甲单位" and rows[1][1] == "人1@乙单位"
        return len(queries)

    assert export(2) == export(7)
