"""Satisfaction surveys: generic tests, the survey sent as a data request and answered, low scores
becoming follow-ups, the satisfaction rate."""

import datetime

import pytest
from django.urls import reverse

from bureau import workflow
from bureau.metrics import value
from bureau.models import Submission, Unit
from logistics.choices import FollowUp
from logistics.models import Survey, SurveyAnswer
from tests.base import ModelTests
from tests.logistics.factories import SurveyAnswerFactory, SurveyFactory


class TestSurvey(ModelTests):
    model = Survey
    edit = {"period": "2022 年下半年"}

    def make(self, unit):
        return SurveyFactory()

    def form_data(self, unit):
        return {
            "service": "canteen",
            "year": 2022,
            "period": "2022 年上半年",
            "title": "机关食堂满意度调查",
            "questions": "菜品质量\n卫生状况",
            "target": "95",
            "follow_up_below": 4,
        }


class TestSurveyAnswer(ModelTests):
    model = SurveyAnswer
    edit = {"comment": "希望增加面食"}

    def make(self, unit):
        return SurveyAnswerFactory(unit=unit)

    def form_data(self, unit):
        return {
            "survey": SurveyFactory().pk,
            "unit": unit.pk,
            "item": "服务态度",
            "score": 4,
            "follow_up": FollowUp.NONE,
        }


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_1_to_5_is_refused(api, world, score):
    api.force_authenticate(world.staff("logistics"))
    body = TestSurveyAnswer().form_data(world.unit_a) | {"score": score}
    response = api.post(reverse("logistics-api:surveyanswer-list"), body, format="json")
    assert response.status_code == 400 and "score" in response.data
    assert not SurveyAnswer.objects.exists()


def test_a_low_score_opens_a_follow_up_closed_only_with_what_was_done(api, world):
    low = SurveyAnswerFactory(unit=world.unit_a, score=3)
    high = SurveyAnswerFactory(unit=world.unit_a, score=4)
    assert low.follow_up == FollowUp.OPEN and high.follow_up == FollowUp.NONE
    api.force_authenticate(world.staff("logistics"))
    url = reverse("logistics-api:surveyanswer-detail", args=[low.pk])
    response = api.patch(url, {"follow_up": "closed", "version": low.version}, format="json")
    assert response.status_code == 400 and "action_taken" in response.data
    body = {"follow_up": "closed", "action_taken": "已约谈物业公司并增加保洁频次", "closed_on": "2022-07-01"}
    assert api.patch(url, body | {"version": low.version}, format="json").status_code == 200


def test_the_survey_goes_out_as_a_data_request_and_comes_back_as_answers(client, world):
    survey = SurveyFactory(questions="服务态度\n响应速度")
    staff = world.staff("logistics")
    client.force_login(staff)
    page = client.get(survey.get_absolute_url())
    assert "作为数据填报任务发送" in page.content.decode()
    response = client.post(
        reverse("logistics:survey_send", args=[survey.pk]),
        {"deadline": "2022-12-31", "units": [world.unit_a.pk, world.unit_b.pk]},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.request.kind == "logistics.satisfaction"
    subs = {s.unit_id: s for s in Submission.objects.filter(request=survey.request)}
    assert set(subs) == {world.unit_a.pk, world.unit_b.pk}
    assert [r["item"] for r in subs[world.unit_a.pk].rows] == ["服务态度", "响应速度"]
    # Sent once only.
    again = client.post(reverse("logistics:survey_send", args=[survey.pk]), {"deadline": "2022-12-31"})
    assert again.status_code == 404 or Submission.objects.filter(request__survey=survey).count() == 2

    sub = subs[world.unit_a.pk]
    bad = workflow.save_rows(sub, [{"item": "服务态度", "score": "6", "comment": ""}], world.liaison_a)
    assert bad and "1-5" in str(bad[0][2])
    unknown = workflow.save_rows(sub, [{"item": "伙食", "score": "4", "comment": ""}], world.liaison_a)
    assert unknown and "问卷中没有这一项" in str(unknown[0][2])
    rows = [
        {"item": "服务态度", "score": "5", "comment": ""},
        {"item": "响应速度", "score": "2", "comment": "报修后两天才来"},
    ]
    assert workflow.save_rows(sub, rows, world.liaison_a) == []
    sub.refresh_from_db()
    workflow.submit(sub, world.liaison_a)
    sub.refresh_from_db()
    workflow.approve(sub, staff)
    answers = {a.item: a for a in SurveyAnswer.objects.filter(survey=survey, unit=world.unit_a)}
    assert answers["服务态度"].score == 5 and answers["服务态度"].follow_up == FollowUp.NONE
    assert answers["响应速度"].follow_up == FollowUp.OPEN and answers["响应速度"].comment == "报修后两天才来"
    # Approved again after a reopening: replaced, not doubled.
    sub.refresh_from_db()
    workflow.reopen(sub, staff, "核对")
    sub.refresh_from_db()
    workflow.submit(sub, world.liaison_a)
    sub.refresh_from_db()
    workflow.approve(sub, staff)
    assert SurveyAnswer.objects.filter(survey=survey, unit=world.unit_a).count() == 2


def test_satisfaction_rate_hand_computed(world):
    """2022, unit A: scores 5, 4, 3, 2 → 2 of 4 = 50 %; unit B: 5, 5, 4, 1 → 75 %.
    City: 5 of 8 = 62.5 %, mean 29 / 8 = 3.625. A 2021 survey counts in neither."""
    this, last = SurveyFactory(year=2022), SurveyFactory(year=2021)
    for unit, scores in ((world.unit_a, (5, 4, 3, 2)), (world.unit_b, (5, 5, 4, 1))):
        for i, score in enumerate(scores):
            SurveyAnswerFactory(survey=this, unit=unit, item=f"项目{i}", score=score)
    SurveyAnswerFactory(survey=last, unit=world.unit_a, score=1)
    assert value("logistics.satisfaction_rate", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 50.0
    assert value("logistics.satisfaction_rate", 2022, Unit.objects.all()) == 62.5
    from logistics.metrics import satisfaction

    assert float(satisfaction(SurveyAnswer.objects.filter(survey=this))["mean"]) == 3.63
    assert value("logistics.satisfaction_rate", 2020, Unit.objects.all()) is None


def test_the_surveys_target_is_the_metrics_target(world):
    from bureau.metrics import judge, target_for

    SurveyFactory(year=2022, target=90)
    SurveyFactory(year=2022, target=95)
    target = target_for("logistics.satisfaction_rate", 2022)
    assert (target.comparison, target.value) == ("ge", 95.0)
    assert judge(target, 96.0, 2022) == "green" and judge(target, 80.0, 2022, datetime.date(2023, 1, 1)) == "red"
    assert target_for("logistics.satisfaction_rate", 2019) is None
