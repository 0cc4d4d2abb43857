from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from bureau import metrics
from bureau.models import Unit
from party.models import QuizCampaign, QuizResult
from tests.base import ModelTests
from tests.factories import PersonFactory
from tests.html import page_form
from tests.party.factories import QuizCampaignFactory


class TestQuizCampaign(ModelTests):
    model = QuizCampaign
    edit = {"excellent_score": "85.00"}

    def make(self, unit):
        return QuizCampaignFactory()

    def form_data(self, unit):
        return {
            "year": 2022,
            "title": "2022年度学法考试",
            "excellent_score": "90",
            "study_target": "100",
            "exam_target": "100",
            "excellent_target": "90",
            "rank_target": "10",
            "own_unit": unit.pk,
            "rank": "",
            "ranked_units": "",
            "rank_score": "",
        }

    def api_data(self, unit):
        return self.form_data(unit) | {"rank": 12, "ranked_units": 86}


class TestQuizResult(ModelTests):
    model = QuizResult
    edit = {"score": "95.00"}

    def make(self, unit):
        return QuizResult.objects.create(
            campaign=QuizCampaignFactory(), person=PersonFactory(unit=unit), studied=True, examined=True, score=88
        )

    def form_data(self, unit):
        if not hasattr(self, "_pair"):
            self._pair = (QuizCampaignFactory(), PersonFactory(unit=unit))
        return {
            "campaign": self._pair[0].pk,
            "person": self._pair[1].pk,
            "studied": True,
            "examined": True,
            "score": "80",
        }


def upload(client, rows, **extra):
    """The bureau's template, filled from row 3 with `rows`."""
    template = client.get(reverse("party:quiz_template"))
    assert template.status_code == 200
    book = load_workbook(BytesIO(template.content))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    handle = BytesIO()
    book.save(handle)
    return SimpleUploadedFile("法宣在线.xlsx", handle.getvalue())


@pytest.fixture
def people(world):
    world.unit_a.short_name = "甲"
    world.unit_a.save()
    return {
        "zhang": PersonFactory(unit=world.unit_a, name="张三"),
        "li": PersonFactory(unit=world.unit_a, name="李四"),
        "wang_a": PersonFactory(unit=world.unit_a, name="王五"),
        "wang_b": PersonFactory(unit=world.unit_b, name="王五"),
    }


@pytest.mark.django_db
def test_import_matches_by_name_and_unit_and_waits_for_confirmation(client, world, people):
    campaign = QuizCampaignFactory()
    client.force_login(world.staff("party"))
    url = reverse("party:quiz_import", args=[campaign.pk])
    rows = [
        ("张三", "甲单位", "是", "是", 95),
        ("李四", "甲", "是", "否", None),  # by the unit's short name
        ("王五", "乙单位", "是", "是", 60),
        ("赵六", "甲单位", "是", "是", 99),  # nobody of that name
    ]
    response = client.post(url, {"file": upload(client, rows)})
    assert response.status_code == 400
    reading = response.context["reading"]
    assert [(n, name) for n, name, _u, _w in reading.unmatched] == [(6, "赵六")]
    assert "赵六" in response.content.decode()
    assert not QuizResult.objects.exists()  # nothing until confirmed
    response = client.post(url, {"file": upload(client, rows), "confirm": "on"})
    assert response.status_code == 302
    found = {r.person_id: (r.studied, r.examined, r.score) for r in QuizResult.objects.all()}
    assert found == {
        people["zhang"].pk: (True, True, Decimal("95.00")),
        people["li"].pk: (True, False, None),
        people["wang_b"].pk: (True, True, Decimal("60.00")),
    }
    # A second export replaces the earlier result of the same person.
    client.post(url, {"file": upload(client, [("张三", "甲单位", "是", "是", 70)])})
    assert QuizResult.objects.get(person=people["zhang"]).score == Decimal("70.00")
    assert QuizResult.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_score_imports_nothing_even_confirmed(client, world, people):
    campaign = QuizCampaignFactory()
    client.force_login(world.staff("party"))
    url = reverse("party:quiz_import", args=[campaign.pk])
    rows = [("张三", "甲单位", "是", "是", 95), ("李四", "甲单位", "是", "是", 101), ("王五", "甲单位", "是", "否", 80)]
    response = client.post(url, {"file": upload(client, rows), "confirm": "on"})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["reading"].errors}
    assert errors == {(4, "成绩"), (5, "成绩")}
    assert not QuizResult.objects.exists()


@pytest.mark.django_db
def test_a_liaison_cannot_import_and_sees_only_their_units_people(client, world, people):
    campaign = QuizCampaignFactory()
    client.force_login(world.liaison_a)
    assert client.get(reverse("party:quiz_import", args=[campaign.pk])).status_code == 403


@pytest.mark.django_db
def test_quiz_rates_by_hand(world):
    """Unit A: 4 staff; studied 3, sat the exam 2 (scores 95 and 89.5, threshold 90) → 参学率 75 %,
    参考率 50 %, 优秀率 1/2 = 50 %. Unit B: 2 staff, both studied and sat (90, 70) → 100, 100, 50.
    Together: 6 staff, 5 studied, 4 sat, 2 excellent → 83.33, 66.67, 50. With a threshold of 89:
    3 of 4 → 75 %."""
    campaign = QuizCampaignFactory(year=2022, excellent_score=90)
    a = [PersonFactory(unit=world.unit_a) for _ in range(4)]
    b = [PersonFactory(unit=world.unit_b) for _ in range(2)]
    for person, studied, examined, score in [
        (a[0], True, True, 95),
        (a[1], True, True, Decimal("89.5")),
        (a[2], True, False, None),
        (b[0], True, True, 90),
        (b[1], True, True, 70),
    ]:
        QuizResult.objects.create(campaign=campaign, person=person, studied=studied, examined=examined, score=score)
    only_a = Unit.objects.filter(pk=world.unit_a.pk)
    assert metrics.value("party.quiz_study_rate", 2022, only_a) == 75.0
    assert metrics.value("party.quiz_exam_rate", 2022, only_a) == 50.0
    assert metrics.value("party.quiz_excellent_rate", 2022, only_a) == 50.0
    both = Unit.objects.filter(pk__in=[world.unit_a.pk, world.unit_b.pk])
    assert metrics.value("party.quiz_study_rate", 2022, both) == 83.33
    assert metrics.value("party.quiz_exam_rate", 2022, both) == 66.67
    assert metrics.value("party.quiz_excellent_rate", 2022, both) == 50.0
    assert metrics.value("party.quiz_study_rate", 2021, both) is None
    campaign.excellent_score = 89
    campaign.save()
    assert metrics.value("party.quiz_excellent_rate", 2022, both) == 75.0
    assert metrics.target_for("party.quiz_excellent_rate", 2022).value == 90.0


@pytest.mark.django_db
def test_the_campaign_page_shows_each_units_rates(client, world):
    campaign = QuizCampaignFactory()
    person = PersonFactory(unit=world.unit_a)
    PersonFactory(unit=world.unit_b)
    QuizResult.objects.create(campaign=campaign, person=person, studied=True, examined=True, score=92)
    client.force_login(world.staff("party"))
    rates = client.get(campaign.get_absolute_url()).context["rates"]
    assert {r["unit"]: (r["study_rate"], r["excellent_rate"]) for r in rates} == {
        world.unit_a: (Decimal("100.00"), Decimal("100.00")),
        world.unit_b: (Decimal("0.00"), None),
    }


def platform_ranking(rows):
    """The ranking sheet as the platform exports it: a title-free header row, data from row 2."""
    book = Workbook()
    sheet = book.active
    sheet.title = "单位排名"
    sheet.append(["排名", "单位", "得分"])
    for row in rows:
        sheet.append(row)
    handle = BytesIO()
    book.save(handle)
    return SimpleUploadedFile("单位排名.xlsx", handle.getvalue())


@pytest.mark.django_db
def test_the_ranking_import_sets_the_bureaus_rank_against_the_target(client, world):
    world.unit_b.short_name = "乙"
    world.unit_b.save()
    campaign = QuizCampaignFactory(own_unit=world.unit_a, rank_target=10)
    client.force_login(world.staff("party"))
    url = reverse("party:quiz_ranking_import", args=[campaign.pk])
    rows = [(i, f"某{i}局", 99 - i) for i in range(1, 12)]  # units of the city not in the portal
    rows[10] = (11, "甲单位", Decimal("88.5"))
    rows.append((12, "乙", 87))  # by short name
    page = client.get(url)
    data = page_form(page)
    data["file"] = platform_ranking(rows)
    response = client.post(url, data)
    assert response.status_code == 400
    assert [u for _n, u, _r in response.context["ranking"].unmatched] == [f"某{i}局" for i in range(1, 11)]
    assert "某1局" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.rank is None  # nothing until confirmed
    data = page_form(page)
    data.update(file=platform_ranking(rows), confirm="on")
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.rank, campaign.ranked_units, campaign.rank_score) == (11, 12, Decimal("88.50"))
    assert campaign.rank_met is False
    text = client.get(campaign.get_absolute_url()).content.decode()
    assert "第 11 名（共 12 个单位）" in text and "前 10 名" in text and "未达到" in text


@pytest.mark.django_db
def test_a_bad_ranking_saves_nothing_even_confirmed(client, world):
    campaign = QuizCampaignFactory(own_unit=world.unit_a)
    client.force_login(world.staff("party"))
    url = reverse("party:quiz_ranking_import", args=[campaign.pk])
    rows = [(1, "甲单位", 95), ("第二", "乙单位", 90), (3, "甲单位", 80), (9, "丙局", 70)]
    response = client.post(url, {"file": platform_ranking(rows), "confirm": "on"})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["ranking"].errors}
    assert errors == {(3, "排名"), (4, "单位"), (5, "排名")}
    # Without the bureau's own row there is no rank to take.
    response = client.post(url, {"file": platform_ranking([(1, "乙单位", 95)]), "confirm": "on"})
    assert [e.message for e in response.context["ranking"].errors] == [f"表中没有本局（{world.unit_a}）。"]
    campaign.refresh_from_db()
    assert campaign.rank is None
    client.force_login(world.liaison_a)
    assert client.get(url).status_code == 403
