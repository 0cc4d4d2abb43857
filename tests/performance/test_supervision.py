"""Daily evaluations by a cadre's supervisor (干部日常评价): who may write them, who reads them, and
how they feed the year's assessment."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from performance import assess
from performance.models import Adjustment, Assessment, Evaluation, Supervision
from tests.conftest import make_user
from tests.factories import PersonFactory
from tests.html import page_form
from tests.performance.factories import EvaluationFactory, PlanFactory

pytestmark = pytest.mark.django_db

SCORES = {"date": ["2022-05-10"], "quantity": ["90"], "quality": ["85"], "ability": ["80"], "conduct": ["95"]}


@pytest.fixture
def team(world):
    """A supervisor (a cadre with an account), the cadre they supervise, and a cadre they do not."""
    head = PersonFactory(unit=world.unit_a, user=make_user("member", username="head"))
    cadre = PersonFactory(unit=world.unit_a, user=world.member)
    other = PersonFactory(unit=world.unit_a)
    Supervision.objects.create(person=cadre, supervisor=head)
    return head, cadre, other


def person_options(page):
    select = re.search(r'<select name="person".*?</select>', page.content.decode(), re.S).group(0)
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}


def test_a_supervisor_writes_evaluations_of_their_cadres_only(client, team):
    head, cadre, other = team
    client.force_login(head.user)
    url = reverse("performance:evaluation_add")
    page = client.get(url)
    assert person_options(page) == {cadre.pk}
    assert client.post(url, page_form(page) | SCORES | {"person": [str(cadre.pk)]}).status_code == 302
    saved = Evaluation.objects.get()
    assert (saved.person, saved.evaluator, saved.score) == (cadre, head.user, 87.5)

    # Another cadre is not offered, and submitting one anyway saves nothing.
    refused = client.post(url, page_form(client.get(url)) | SCORES | {"person": [str(other.pk)]})
    assert refused.status_code == 400 and "person" in refused.context["form"].errors
    assert Evaluation.objects.count() == 1

    # They edit their cadre's evaluation; another cadre's is missing to them.
    edit = reverse("performance:evaluation_edit", args=[saved.pk])
    assert client.post(edit, page_form(client.get(edit)) | {"note": ["主动担当"]}).status_code == 302
    saved.refresh_from_db()
    assert saved.note == "主动担当"
    theirs = EvaluationFactory(person=other)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("performance:evaluation_edit", args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("performance:evaluation_list")).content.decode()
    assert saved.get_absolute_url() in listed and theirs.get_absolute_url() not in listed


def test_a_cadre_reads_their_own_evaluations_and_changes_none(client, world, team):
    head, cadre, other = team
    mine, theirs = EvaluationFactory(person=cadre), EvaluationFactory(person=other)
    client.force_login(world.member)
    listed = client.get(reverse("performance:evaluation_list")).content.decode()
    assert mine.get_absolute_url() in listed and theirs.get_absolute_url() not in listed
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("performance:evaluation_edit", args=[mine.pk])).status_code == 404
    assert person_options(client.get(reverse("performance:evaluation_add"))) == set()
    # The supervisor's own evaluations are not the cadre's to read either way round.
    own = EvaluationFactory(person=head)
    assert client.get(own.get_absolute_url()).status_code == 404


def test_performance_office_sees_and_writes_every_evaluation(client, world, team):
    head, cadre, other = team
    rows = [EvaluationFactory(person=p) for p in (head, cadre, other)]
    client.force_login(world.staff("performance"))
    listed = client.get(reverse("performance:evaluation_list")).content.decode()
    assert all(r.get_absolute_url() in listed for r in rows)
    assert {head.pk, cadre.pk, other.pk} <= person_options(client.get(reverse("performance:evaluation_add")))


def test_supervisions_are_kept_by_the_performance_office(client, world, team):
    head, cadre, other = team
    url = reverse("performance:supervision_add")
    client.force_login(head.user)
    assert client.get(url).status_code == 403
    client.force_login(world.staff("performance"))
    page = client.get(url)
    data = page_form(page) | {"person": [str(other.pk)], "supervisor": [str(other.pk)]}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "supervisor" in refused.context["form"].errors
    assert client.post(url, data | {"supervisor": [str(head.pk)]}).status_code == 302
    client.force_login(head.user)
    assert person_options(client.get(reverse("performance:evaluation_add"))) == {cadre.pk, other.pk}


def test_the_years_evaluations_suggest_a_bonus_on_the_assessment(client, world, team):
    _head, cadre, _other = team
    plan = PlanFactory(year=2022)  # high line 90, low line 60, 2 points
    EvaluationFactory(person=cadre, date=datetime.date(2022, 3, 1), quantity=90, quality=85, ability=80, conduct=95)
    EvaluationFactory(person=cadre, date=datetime.date(2022, 9, 1), quantity=95, quality=95, ability=92, conduct=98)
    EvaluationFactory(person=cadre, date=datetime.date(2021, 9, 1), quantity=10)  # another year
    assessment = Assessment.objects.create(plan=plan, person=cadre)
    client.force_login(world.staff("performance"))
    page = client.get(assessment.get_absolute_url())
    # quantity (90+95)/2 = 92.5, quality 90, ability 86, conduct 96.5; the four average 91.25
    averages = page.context["evaluations"]
    assert (averages["count"], averages["quantity"], averages["ability"], averages["score"]) == (
        2,
        92.5,
        86,
        Decimal("91.25"),
    )
    body = page.content.decode()
    evidence = f"{reverse('performance:evaluation_list')}?person={cadre.pk}&amp;year=2022"
    assert "91.25" in body and evidence in body

    suggest = reverse("performance:assessment_suggest", args=[assessment.pk])
    assert f'action="{suggest}"' in body
    assert client.post(suggest).status_code == 302
    (found,) = Adjustment.objects.filter(assessment=assessment)
    assert (found.kind, found.points, found.source) == ("bonus", Decimal("2"), "evaluation")
    assert found.reason == "全年日常评价 2 次，平均 91.25 分，达到优良线 90 分"
    assert found.evidence_url == evidence.replace("&amp;", "&")
    listed = client.get(found.evidence_url).content.decode()
    assert listed.count('href="/performance/evaluation/') >= 2
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert evidence in body and "全年日常评价 2 次" in body


def test_a_low_average_suggests_a_deduction_and_a_middling_one_nothing():
    person = PersonFactory()
    plan = PlanFactory(year=2022)
    assessment = Assessment.objects.create(plan=plan, person=person)
    EvaluationFactory(person=person, date=datetime.date(2022, 4, 1), quantity=50, quality=60, ability=55, conduct=45)
    (found,) = assess.evaluations(assessment)  # (50+60+55+45)/4 = 52.5 < 60
    assert (found.kind, found.points) == ("deduction", Decimal("2"))
    assert "平均 52.50 分，低于警示线 60 分" in found.reason
    EvaluationFactory(person=person, date=datetime.date(2022, 5, 1), quantity=90, quality=90, ability=95, conduct=95)
    assert assess.evaluations(assessment) == []  # (52.5 + 92.5)/2 = 72.5: between the lines


def test_through_the_api_a_supervisor_evaluates_their_own_cadres_only(api, team):
    head, cadre, other = team
    api.force_authenticate(head.user)
    url = reverse("performance-api:evaluation-list")
    body = {"date": "2022-05-10", "quantity": 90, "quality": 85, "ability": 80, "conduct": 95}
    refused = api.post(url, body | {"person": other.pk}, format="json")
    assert refused.status_code == 400 and "person" in refused.data
    made = api.post(url, body | {"person": cadre.pk}, format="json")
    assert made.status_code == 201 and made.data["evaluator"] == head.user.pk
    assert [row["person"] for row in api.get(url).json()["results"]] == [cadre.pk]
