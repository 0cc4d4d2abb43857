"""Monthly case study, policy library, study and training."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bureau import metrics
from bureau.models import Unit
from party.models import CaseSession, CaseStudy, Policy, Training
from tests.base import ModelTests
from tests.factories import PersonFactory
from tests.party.factories import BranchFactory, CaseStudyFactory, PolicyFactory, TrainingFactory


class TestCaseStudy(ModelTests):
    model = CaseStudy
    edit = {"title": "某单位违规发放津补贴案"}

    def make(self, unit):
        return CaseStudyFactory()

    def form_data(self, unit):
        return {"month": "2031-05-01", "title": "某局干部违规吃喝案", "summary": "警示", "source": ""}


class TestCaseSession(ModelTests):
    model = CaseSession
    edit = {"note": "结合岗位谈体会"}

    def branch(self, unit):
        found = self.__dict__.setdefault("_branches", {})
        if unit.pk not in found:
            members = [PersonFactory(unit=unit), PersonFactory(unit=unit)]
            found[unit.pk] = BranchFactory(unit=unit, members=members)
        return found[unit.pk]

    def make(self, unit):
        return CaseSession.objects.create(case=CaseStudyFactory(), branch=self.branch(unit), held_on="2022-05-20")

    def form_data(self, unit):
        if not hasattr(self, "_case"):
            self._case = CaseStudyFactory()
        return {"case": self._case.pk, "branch": self.branch(unit).pk, "held_on": "2022-05-20", "attendees": []}


class TestPolicy(ModelTests):
    model = Policy
    edit = {"title": "X市机关事务管理局公务接待管理办法（修订）"}

    def make(self, unit):
        return PolicyFactory()

    def form_data(self, unit):
        return {
            "number": "X机事发〔2022〕88号",
            "title": "X市机关事务管理局公务接待管理办法",
            "issuer": "X市机关事务管理局",
            "issued_on": "2022-05-01",
            "category": "综合",
            "state": "current",
            "text": "第一条",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"revised_by": None}


class TestTraining(ModelTests):
    model = Training
    edit = {"title": "支部书记示范培训班"}

    def make(self, unit):
        return TrainingFactory()

    def form_data(self, unit):
        return {"kind": "secretaries", "title": "支部书记培训班", "start": "2022-06-01", "hours": "16", "attendees": []}


@pytest.mark.django_db
def test_a_policy_revised_by_itself_is_refused(client, api, world):
    policy = PolicyFactory()
    client.force_login(world.staff("party"))
    data = TestPolicy().form_data(world.unit_a) | {
        "number": policy.number,
        "state": "revised",
        "revised_by": policy.pk,
        "version": policy.version,
    }
    response = client.post(reverse("party:policy_edit", args=[policy.pk]), data)
    assert response.status_code == 400 and "不能被其自身修订" in str(response.context["form"].errors["revised_by"])
    api.force_authenticate(world.staff("party"))
    url = f"/api/v1/party/policies/{policy.pk}/"
    refused = api.patch(url, {"state": "revised", "revised_by": policy.pk, "version": policy.version}, format="json")
    assert refused.status_code == 400 and "revised_by" in refused.data
    newer = PolicyFactory()
    accepted = api.patch(url, {"state": "revised", "revised_by": newer.pk, "version": policy.version}, format="json")
    assert accepted.status_code == 200, accepted.data


@pytest.mark.django_db
def test_the_full_text_is_searched(client, world):
    found = PolicyFactory(title="会议费管理办法", text="第三条　会议费实行总额控制，不得超标准列支。")
    other = PolicyFactory(title="差旅费管理办法", text="第二条　出差人员应当按规定乘坐交通工具。")
    client.force_login(world.staff("party"))
    body = client.get(reverse("party:policy_list"), {"q": "总额控制"}).content.decode()
    assert found.get_absolute_url() in body and other.get_absolute_url() not in body


@pytest.mark.django_db
def test_the_compilation_has_a_table_of_contents(client, world):
    PolicyFactory(title="党组工作规则", category="党建", issued_on=datetime.date(2021, 1, 5), text="第一条\n第二条")
    PolicyFactory(title="公务用车管理办法", category="综合")
    PolicyFactory(title="已废止的办法", category="综合", state="repealed")
    PolicyFactory(title="明年的办法", category="综合", issued_on=datetime.date(2023, 1, 5))
    client.force_login(world.staff("party"))
    doc = client.get(reverse("party:policy_compilation"), {"year": 2022})
    assert doc.status_code == 200 and doc["Content-Type"].startswith("application/msword")
    html = doc.content.decode()
    assert html.index("目录") < html.index("党组工作规则") < html.index('id="p1"')
    assert "已废止的办法" not in html and "明年的办法" not in html
    book = load_workbook(
        BytesIO(client.get(reverse("party:policy_compilation"), {"year": 2022, "format": "xlsx"}).content)
    )
    contents = list(book["目录"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1], r[3]) for r in contents] == [(1, "党建", "党组工作规则"), (2, "综合", "公务用车管理办法")]
    assert book["目录"]["D3"].hyperlink.location == "'全文'!A2"
    assert book["全文"]["F2"].value == "第一条\n第二条"
    client.force_login(world.liaison_a)
    assert client.get(reverse("party:policy_compilation")).status_code == 403


@pytest.mark.django_db
def test_case_study_attendance_by_hand(world):
    """Branch 1 (4 members) studies January's and February's cases with 3 and 4 present; branch 2
    (2 members) February's with 1 present: 8 of 4 + 4 + 2 = 10 → 80 %. Only unit B: 1 of 2."""
    one = BranchFactory(unit=world.unit_a, members=[PersonFactory(unit=world.unit_a) for _ in range(4)])
    two = BranchFactory(unit=world.unit_b, members=[PersonFactory(unit=world.unit_b) for _ in range(2)])
    jan = CaseStudyFactory(month=datetime.date(2022, 1, 1))
    feb = CaseStudyFactory(month=datetime.date(2022, 2, 1))
    for case, branch, present in [(jan, one, 3), (feb, one, 4), (feb, two, 1)]:
        session = CaseSession.objects.create(case=case, branch=branch, held_on=case.month)
        session.attendees.set(list(branch.members.all())[:present])
    assert metrics.value("party.case_study_attendance", 2022, Unit.objects.all()) == 80.0
    assert metrics.value("party.case_study_attendance", 2022, Unit.objects.filter(pk=world.unit_b.pk)) == 50.0
    assert metrics.value("party.case_study_attendance", 2021, Unit.objects.all()) is None


@pytest.mark.django_db
def test_case_session_attendees_must_be_members(client, world):
    branch = BranchFactory(unit=world.unit_a, members=[PersonFactory(unit=world.unit_a)])
    stranger = PersonFactory(unit=world.unit_a, name="非本支部")
    client.force_login(world.staff("discipline"))
    response = client.post(
        reverse("party:casesession_add"),
        {"case": CaseStudyFactory().pk, "branch": branch.pk, "held_on": "2022-05-20", "attendees": [stranger.pk]},
    )
    assert response.status_code == 400 and "非本支部" in str(response.context["form"].errors["attendees"])


@pytest.mark.django_db
def test_hours_per_person(client, world):
    a, b = PersonFactory(unit=world.unit_a, name="甲某"), PersonFactory(unit=world.unit_b, name="乙某")
    TrainingFactory(hours=3).attendees.set([a, b])
    TrainingFactory(hours="16.5", kind="secretaries").attendees.set([a])
    TrainingFactory(hours=8, start=datetime.date(2021, 5, 1)).attendees.set([a])
    client.force_login(world.staff("party"))
    page = client.get(reverse("party:training_hours"), {"year": 2022}).context["page"]
    assert [(r["name"], r["sessions"], float(r["hours"])) for r in page.object_list] == [
        ("甲某", 2, 19.5),
        ("乙某", 1, 3.0),
    ]


@pytest.mark.django_db
def test_the_policy_text_is_trigram_indexed_on_postgresql():
    from django.db import connection

    from tests.conftest import require_postgres

    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'party_policy' AND indexname LIKE '%trgm'")
        assert {row[0] for row in cursor.fetchall()} == {"party_policy_title_trgm", "party_policy_text_trgm"}
        cursor.execute("SET enable_seqscan = off")
        sql, params = Policy.objects.filter(text__icontains="总额控制").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "party_policy_text_trgm" in plan
