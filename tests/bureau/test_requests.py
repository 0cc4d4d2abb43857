"""The data-request cycle (Submission is covered here, not by ModelTests: it has no create/edit
pages; it moves only through the workflow)."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from bureau import workflow
from bureau.choices import Rank, ReviewAction, SubmissionState
from bureau.models import DataRequest, Person, Review, Submission
from bureau.tasks import reminder_due, send_reminders
from tests.conftest import require_postgres
from tests.factories import PersonFactory


def create_request(api, world, **extra):
    body = {
        "kind": "bureau.staff",
        "title": "2022 年人员名册确认",
        "year": 2022,
        "frequency": "annual",
        "deadline": "2023-03-31",
        "units": [world.unit_a.pk, world.unit_b.pk],
    } | extra
    response = api.post(reverse("bureau-api:datarequest-list"), body, format="json")
    assert response.status_code == 201, response.content
    return DataRequest.objects.get(pk=response.data["id"])


def sub_url(sub, action=None):
    return reverse(f"bureau-api:submission-{action}" if action else "bureau-api:submission-detail", args=[sub.pk])


@pytest.mark.django_db
def test_request_cycle_through_the_api(api, world):
    PersonFactory(unit=world.unit_a, name="王一", rank=Rank.BELOW_BUREAU)
    staff = world.staff("offices")
    api.force_authenticate(staff)
    request = create_request(api, world)
    response = api.post(reverse("bureau-api:datarequest-publish", args=[request.pk]))
    assert response.status_code == 200 and response.data == {"submissions": 2}
    sub_a = Submission.objects.get(request=request, unit=world.unit_a)
    sub_b = Submission.objects.get(request=request, unit=world.unit_b)
    # Pre-filled from the unit's staff list.
    assert sub_a.rows == [{"name": "王一", "rank": Rank.BELOW_BUREAU}]

    # Another unit's liaison neither sees nor fills nor submits unit A's submission.
    api.force_authenticate(world.liaison_b)
    listed = {row["id"] for row in api.get(reverse("bureau-api:submission-list")).data["results"]}
    assert listed == {sub_b.pk}
    assert api.get(sub_url(sub_a)).status_code == 404
    assert api.post(sub_url(sub_a, "rows"), {"rows": []}, format="json").status_code == 404
    assert api.post(sub_url(sub_a, "submit")).status_code == 404

    # Unit A's liaison: a bad row is refused with its row and field, and nothing is stored.
    api.force_authenticate(world.liaison_a)
    bad = [{"name": "王一", "rank": Rank.BELOW_BUREAU}, {"name": "", "rank": "general"}]
    response = api.post(sub_url(sub_a, "rows"), {"rows": bad}, format="json")
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.data["rows"]} == {(2, "姓名"), (2, "职级")}
    sub_a.refresh_from_db()
    assert len(sub_a.rows) == 1
    good = [{"name": "王一", "rank": Rank.BUREAU_DEPUTY}, {"name": "李二", "rank": Rank.BELOW_BUREAU}]
    assert api.post(sub_url(sub_a, "rows"), {"rows": good}, format="json").status_code == 200
    response = api.post(sub_url(sub_a, "submit"))
    assert response.status_code == 200 and response.data["state"] == SubmissionState.SUBMITTED
    # 2 reported against 1 registered is more than 10% apart: flagged for the reviewer.
    assert any("相差超过 10%" in f["message"] for f in response.data["flags"])
    # A liaison cannot approve their own data.
    assert api.post(sub_url(sub_a, "approve")).status_code == 403

    # Staff of another area do not see this area's requests.
    api.force_authenticate(world.staff("vehicles"))
    assert api.get(sub_url(sub_a)).status_code == 404

    api.force_authenticate(staff)
    assert api.post(sub_url(sub_a, "return"), {"comment": " "}, format="json").status_code == 400
    response = api.post(sub_url(sub_a, "return"), {"comment": "李二的职级请核对"}, format="json")
    assert response.data["state"] == SubmissionState.RETURNED

    api.force_authenticate(world.liaison_a)
    assert api.get(sub_url(sub_a)).data["comment"] == "李二的职级请核对"
    fixed = [{"name": "王一", "rank": Rank.BUREAU_DEPUTY}, {"name": "李二", "rank": Rank.BUREAU_HEAD}]
    assert api.post(sub_url(sub_a, "rows"), {"rows": fixed}, format="json").status_code == 200
    assert api.post(sub_url(sub_a, "submit")).data["state"] == SubmissionState.RESUBMITTED

    api.force_authenticate(staff)
    response = api.post(sub_url(sub_a, "approve"))
    assert response.data["state"] == SubmissionState.APPROVED
    # Approval wrote into the registry: the rank changed and the new person exists.
    ranks = dict(Person.objects.filter(unit=world.unit_a).values_list("name", "rank"))
    assert ranks == {"王一": Rank.BUREAU_DEPUTY, "李二": Rank.BUREAU_HEAD}
    assert api.post(sub_url(sub_a, "approve")).status_code == 400  # approved once, never twice

    # Approved data is locked; reopening needs a reason.
    api.force_authenticate(world.liaison_a)
    assert api.post(sub_url(sub_a, "rows"), {"rows": fixed}, format="json").status_code == 400
    api.force_authenticate(staff)
    assert api.post(sub_url(sub_a, "reopen"), {"reason": ""}, format="json").status_code == 400
    response = api.post(sub_url(sub_a, "reopen"), {"reason": "人事调整后补报"}, format="json")
    assert response.data["state"] == SubmissionState.RETURNED
    actions = list(Review.objects.filter(submission=sub_a).values_list("action", flat=True))
    assert actions.count(ReviewAction.APPROVE) == 1 and actions[-1] == ReviewAction.REOPEN


@pytest.mark.django_db
def test_request_cycle_through_the_pages(client, world):
    staff = world.staff("offices")
    client.force_login(staff)
    response = client.post(
        reverse("bureau:datarequest_add"),
        {
            "kind": "bureau.staff",
            "title": "名册确认",
            "year": 2022,
            "frequency": "annual",
            "deadline": "2023-03-31",
            "grace_days": 15,
            "units": [world.unit_a.pk],
        },
    )
    assert response.status_code == 302, response.content[:500]
    request = DataRequest.objects.get(title="名册确认")
    assert client.post(reverse("bureau:datarequest_publish", args=[request.pk])).status_code == 302
    sub = Submission.objects.get(request=request)
    url = sub.get_absolute_url()

    client.force_login(world.liaison_b)
    assert client.get(url).status_code == 404
    client.force_login(world.liaison_a)
    home = client.get(reverse("home")).content.decode()
    assert "名册确认" in home and url in home
    page = client.get(url)
    assert page.status_code == 200 and 'name="action" value="submit"' in page.content.decode()
    form = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 0,
        "form-0-name": "赵三",
        "form-0-rank": Rank.BELOW_BUREAU,
        "form-1-name": "",
        "form-1-rank": "",
        "action": "submit",
    }
    assert client.post(url, form).status_code == 302
    sub.refresh_from_db()
    assert sub.state == SubmissionState.SUBMITTED and sub.rows == [{"name": "赵三", "rank": Rank.BELOW_BUREAU}]
    # The liaison's page offers no review buttons, and posting one is refused.
    assert 'value="approve"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "approve"}).status_code == 403

    client.force_login(staff)
    assert client.post(url, {"action": "return", "comment": "请补充人员"}).status_code == 302
    client.force_login(world.liaison_a)
    assert "请补充人员" in client.get(url).content.decode()
    form |= {"form-1-name": "钱四", "form-1-rank": Rank.BELOW_BUREAU}
    client.post(url, form)
    client.force_login(staff)
    client.post(url, {"action": "approve"})
    sub.refresh_from_db()
    assert sub.state == SubmissionState.APPROVED
    assert set(Person.objects.filter(unit=world.unit_a).values_list("name", flat=True)) == {"赵三", "钱四"}


@pytest.mark.django_db
def test_a_bad_row_on_the_page_names_row_and_field_and_saves_nothing(client, world):
    request = _published(world)
    sub = request.submissions.get(unit=world.unit_a)
    client.force_login(world.liaison_a)
    form = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 0,
        "form-0-name": "赵三",
        "form-0-rank": "nope",
        "action": "save",
    }
    response = client.post(sub.get_absolute_url(), form)
    assert response.status_code == 400
    assert response.context["errors"][0][:2] == (1, "职级")
    sub.refresh_from_db()
    assert sub.rows == []


def _published(world, frequency="annual", deadline=datetime.date(2023, 3, 31)):
    request = DataRequest.objects.create(
        kind="bureau.staff", title="名册", year=2022, frequency=frequency, deadline=deadline, grace_days=15
    )
    request.units.set([world.unit_a, world.unit_b])
    workflow.publish(request, world.staff("offices"))
    return request


@pytest.mark.django_db
def test_periods_and_their_deadlines(world):
    # Quarterly: four periods; each due 15 days after the quarter ends (Q1 ends 31 March → 15 April).
    request = DataRequest.objects.create(
        kind="bureau.staff", title="季报", year=2022, frequency="quarterly", deadline=datetime.date(2023, 1, 31)
    )
    request.units.set([world.unit_a])
    assert workflow.publish(request, world.staff("offices"), today=datetime.date(2022, 1, 10)) == 4
    deadlines = dict(request.submissions.values_list("period", "deadline"))
    assert deadlines["2022-Q1"] == datetime.date(2022, 4, 15)
    assert deadlines["2022-Q4"] == datetime.date(2023, 1, 15)
    assert workflow.period_months("2022-Q2") == [(2022, 4), (2022, 5), (2022, 6)]
    assert len(workflow.period_months("2022")) == 12


@pytest.mark.django_db
def test_completeness_grid_colours_and_counts(client, world, settings):
    settings.REQUEST_DUE_SOON_DAYS = 3
    request = _published(world)
    a = request.submissions.get(unit=world.unit_a)
    b = request.submissions.get(unit=world.unit_b)
    today = datetime.date(2023, 3, 29)
    assert workflow.due_class(a, today) == "due"  # 2 days left
    assert workflow.due_class(a, datetime.date(2023, 4, 1)) == "overdue"
    assert workflow.due_class(a, datetime.date(2023, 3, 1)) == ""
    Submission.objects.filter(pk=b.pk).update(state=SubmissionState.APPROVED)
    b.refresh_from_db()
    assert workflow.due_class(b, datetime.date(2023, 4, 1)) == ""  # approved is never overdue

    client.force_login(world.staff("offices"))
    page = client.get(reverse("bureau:datarequest_grid", args=[request.pk]))
    assert page.status_code == 200
    assert page.context["summary"]["total"] == 2 and page.context["summary"]["approved"] == 1
    exported = client.get(reverse("bureau:datarequest_grid", args=[request.pk]) + "?format=xlsx")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/")
    # The liaison's grid shows only their own unit.
    client.force_login(world.liaison_a)
    page = client.get(reverse("bureau:datarequest_grid", args=[request.pk]))
    assert [unit for unit, _cells in page.context["rows"]] == [world.unit_a]


def test_reminder_days():
    deadline = datetime.date(2023, 3, 31)
    days = [deadline - datetime.timedelta(days=n) for n in (7, 1)]
    assert all(reminder_due(deadline, d) for d in days)
    assert not reminder_due(deadline, deadline - datetime.timedelta(days=3))
    # Overdue: the first day, then every 7 days.
    assert reminder_due(deadline, deadline + datetime.timedelta(days=1))
    assert not reminder_due(deadline, deadline + datetime.timedelta(days=2))
    assert reminder_due(deadline, deadline + datetime.timedelta(days=8))


@pytest.mark.django_db
def test_reminders_go_to_the_units_own_liaisons(world):
    world.liaison_a.email = "a@unit.example"
    world.liaison_a.save()
    world.liaison_b.email = "b@unit.example"
    world.liaison_b.save()
    request = _published(world)
    Submission.objects.filter(request=request, unit=world.unit_b).update(state=SubmissionState.SUBMITTED)
    sent = send_reminders(today="2023-03-30")  # one day before the deadline
    assert sent == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@unit.example"]
    assert "名册" in mail.outbox[0].body and world.unit_a.name in mail.outbox[0].subject
    assert send_reminders(today="2023-03-27") == 0  # not a reminder day


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_approve_once(world):
    require_postgres()
    request = _published(world)
    sub = request.submissions.get(unit=world.unit_a)
    workflow.save_rows(sub, [{"name": "孙五", "rank": Rank.BELOW_BUREAU}], world.liaison_a)
    workflow.submit(sub, world.liaison_a)
    reviewers = [world.staff("offices"), world.admin]
    results = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            workflow.approve(Submission.objects.get(pk=sub.pk), user)
            results.append("ok")
        except workflow.TransitionError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in reviewers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Review.objects.filter(submission=sub, action=ReviewAction.APPROVE).count() == 1
    assert Person.objects.filter(unit=world.unit_a, name="孙五").count() == 1


@pytest.mark.django_db
def test_liaison_fills_a_submission_from_the_excel_template(client, world):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    request = _published(world)
    sub = request.submissions.get(unit=world.unit_a)
    client.force_login(world.liaison_a)
    template = client.get(reverse("bureau:submission_template", args=[sub.pk]))
    assert template.status_code == 200
    wb = load_workbook(BytesIO(template.content))
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]][:2] == ["姓名", "职级"]
    sheet.append(["周六", "副局（处）级"])
    sheet.append(["吴七", "局（处）级以下"])
    filled = BytesIO()
    wb.save(filled)
    xlsx = SimpleUploadedFile("名册.xlsx", filled.getvalue())
    assert client.post(sub.get_absolute_url(), {"action": "upload", "file": xlsx}).status_code == 302
    sub.refresh_from_db()
    assert sub.rows == [{"name": "周六", "rank": Rank.BUREAU_DEPUTY}, {"name": "吴七", "rank": Rank.BELOW_BUREAU}]

    # A text file renamed .xlsx is refused with a message, and the stored rows stay as they were.
    fake = SimpleUploadedFile("名册.xlsx", "姓名,职级\n郑八,局（处）级以下\n".encode())
    response = client.post(sub.get_absolute_url(), {"action": "upload", "file": fake})
    assert response.status_code == 400 and "Excel" in response.content.decode()
    sub.refresh_from_db()
    assert len(sub.rows) == 2


@pytest.mark.django_db
def test_a_published_request_offers_no_edit(client, world):
    request = _published(world)
    client.force_login(world.staff("offices"))
    page = client.get(request.get_absolute_url())
    assert (
        page.status_code == 200 and reverse("bureau:datarequest_edit", args=[request.pk]) not in page.content.decode()
    )
    # A stale edit form is refused with the reason.
    response = client.post(
        reverse("bureau:datarequest_edit", args=[request.pk]),
        {
            "kind": "bureau.staff",
            "title": "改名",
            "year": 2022,
            "frequency": "annual",
            "deadline": "2023-03-31",
            "grace_days": 15,
            "units": [world.unit_a.pk],
            "version": request.version,
        },
    )
    assert response.status_code == 400 and "已发布" in response.content.decode()
