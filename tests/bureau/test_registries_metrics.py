"""A metric and a report sheet registered by a test app show up in the API, the tiles and the workbook."""

import datetime
from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from bureau import metrics, reports
from bureau.choices import SubmissionState
from bureau.models import Job, Person
from tests.factories import PersonFactory, SubmissionFactory


@pytest.fixture
def sample_registrations():
    """A test app's metric (staff per unit) and sheet, registered for the test and removed after."""

    @metrics.metric("sample.headcount", "样例人数", "人", area="bureau")
    def headcount(year, units):
        return Person.objects.filter(unit__in=units).count() * (year - 2020)

    @reports.report("sample.sheet", "样例统计表", order=999)
    def sheet(out, year, units):
        out.header(["单位", "公式样", "人数"])
        for unit in units.order_by("name"):
            out.row([unit.name, "=1+1", unit.persons.count()])

    yield
    metrics.REGISTRY.pop("sample.headcount")
    reports.REGISTRY.pop("sample.sheet")


@pytest.mark.django_db
def test_metric_api_lists_and_computes_in_scope(api, world, sample_registrations):
    PersonFactory.create_batch(2, unit=world.unit_a)
    PersonFactory.create_batch(3, unit=world.unit_b)
    api.force_authenticate(world.leader)
    keys = {m["key"] for m in api.get(reverse("bureau-api:metric-list")).data}
    assert {"sample.headcount", "bureau.units", "bureau.on_time_rate"} <= keys
    url = reverse("bureau-api:metric-detail", args=["sample.headcount"])
    # Whole city for the leader: 5 people × (2022 − 2020) = 10.
    body = api.get(url, {"year": 2022}).data
    assert body == {
        "key": "sample.headcount",
        "label": "样例人数",
        "value": 10,
        "unit_of_measure": "人",
        "year": 2022,
        "unit": None,
    }
    assert api.get(url, {"year": 2022, "unit": world.unit_b.pk}).data["value"] == 6
    # A liaison's scope is their own unit: 2 × 2 = 4; another unit is 404.
    api.force_authenticate(world.liaison_a)
    assert api.get(url, {"year": 2022}).data["value"] == 4
    assert api.get(url, {"year": 2022, "unit": world.unit_b.pk}).status_code == 404
    assert api.get(url).status_code == 400
    assert api.get(reverse("bureau-api:metric-detail", args=["sample.nothing"]), {"year": 2022}).status_code == 404
    api.logout()
    api.force_authenticate(None)
    assert api.get(url, {"year": 2022}).status_code in (401, 403)


@pytest.mark.django_db
def test_leader_home_shows_every_metric_as_a_tile_with_last_year(client, world, sample_registrations):
    PersonFactory.create_batch(2, unit=world.unit_a)
    client.force_login(world.leader)
    page = client.get(reverse("home"), {"year": 2022})
    html = page.content.decode()
    assert 'data-metric="sample.headcount"' in html
    tiles = {t["metric"].key: t for section in page.context["dashboard"] for t in section["tiles"]}
    assert set(metrics.REGISTRY) <= set(tiles)
    assert tiles["sample.headcount"]["value"] == 4 and tiles["sample.headcount"]["previous"] == 2
    # Drill-down to one unit.
    page = client.get(reverse("home"), {"year": 2022, "unit": world.unit_b.pk})
    tiles = {t["metric"].key: t for section in page.context["dashboard"] for t in section["tiles"]}
    assert tiles["sample.headcount"]["value"] == 0


@pytest.mark.django_db
def test_workbook_has_cover_contents_and_every_sheet(tmp_path, world, sample_registrations):
    PersonFactory.create_batch(2, unit=world.unit_a)
    out = tmp_path / "annual.xlsx"
    call_command("annual_report", year=2022, out=str(out))
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[:2] == ["封面", "目录"]
    assert "样例统计表" in wb.sheetnames and "单位名录" in wb.sheetnames
    contents = [row[1] for row in wb["目录"].iter_rows(min_row=2, values_only=True)]
    assert contents == [s.title for s in reports.all_sheets()]
    rows = list(wb["样例统计表"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "公式样", "人数")
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["甲单位"][1] == "'=1+1"  # text, never a live formula
    assert by_unit["甲单位"][2] == 2 and isinstance(by_unit["甲单位"][2], int)


@pytest.mark.django_db
def test_annual_report_page_builds_and_keeps_workbooks_by_role(
    client, world, settings, tmp_path, sample_registrations, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.liaison_a)
    assert client.get(reverse("annual_reports")).status_code == 403
    client.force_login(world.leader)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("annual_reports"), {"year": 2022}).status_code == 302
    job = Job.objects.get(kind="annual_report")
    assert job.state == "done" and job.percent == 100 and job.user == world.leader
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert "样例统计表" in wb.sheetnames
    client.force_login(world.staff("energy"))
    assert client.get(reverse("annual_reports")).status_code == 200
    client.force_login(world.liaison_a)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_on_time_rate_is_hand_computed(world):
    deadline = datetime.date(2022, 3, 31)
    on_time = datetime.datetime(2022, 3, 30, 10, tzinfo=datetime.UTC)
    late = datetime.datetime(2022, 4, 2, 10, tzinfo=datetime.UTC)
    SubmissionFactory(unit=world.unit_a, deadline=deadline, submitted_at=on_time, state=SubmissionState.APPROVED)
    SubmissionFactory(unit=world.unit_a, deadline=deadline, submitted_at=late, state=SubmissionState.SUBMITTED)
    SubmissionFactory(unit=world.unit_b, deadline=deadline)  # never submitted
    SubmissionFactory(unit=world.unit_b, deadline=datetime.date(2021, 3, 31), submitted_at=on_time)  # other year
    from bureau.models import Unit

    # 1 on time of 3 due in 2022 = 33.33 %; unit A alone: 1 of 2 = 50 %.
    assert metrics.value("bureau.on_time_rate", 2022, Unit.objects.all()) == 33.33
    assert metrics.value("bureau.on_time_rate", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 50.0
    assert metrics.value("bureau.on_time_rate", 2020, Unit.objects.all()) is None


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["0", "-5", "1" + "0" * 20, "1999", "next", "abc", ""])
def test_annual_report_for_a_year_no_statistics_have_is_refused(client, world, year):
    """As every year in the portal: a year the registries take (2000 to this year), else the page
    comes back saying so, and no job is started."""
    from django.utils import timezone

    if year == "next":
        year = str(timezone.localdate().year + 1)
    client.force_login(world.leader)
    response = client.post(reverse("annual_reports"), {"year": year})
    assert response.status_code == 400
    assert "年度须在 2000 至" in response.content.decode() or "请选择年度" in response.content.decode()
    assert not Job.objects.filter(kind="annual_report").exists()
