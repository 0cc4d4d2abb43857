import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from bureau import metrics
from bureau.models import Unit
from party.choices import Light
from party.models import InspectionRound, Rectification
from tests.base import ModelTests
from tests.party.factories import InspectionRoundFactory, RectificationFactory


class TestInspectionRound(ModelTests):
    model = InspectionRound
    edit = {"warn_days": "7"}

    def make(self, unit):
        return InspectionRoundFactory()

    def form_data(self, unit):
        return {
            "name": "2022年市委第二轮巡察",
            "inspector": "市委第二巡察组",
            "started_on": "2022-04-01",
            "warn_days": 10,
        }


class TestRectification(ModelTests):
    model = Rectification
    edit = {"progress": "已完成制度修订初稿"}

    def make(self, unit):
        return RectificationFactory(unit=unit)

    def form_data(self, unit):
        if not hasattr(self, "_round"):
            self._round = InspectionRoundFactory()
        return {
            "round": self._round.pk,
            "number": "001",
            "problem": "会议费管理不规范",
            "unit": unit.pk,
            "division": "计划财务处",
            "measures": "建立会议费审批台账",
            "deadline": "2022-10-31",
            "state": "rectifying",
            "progress": "",
            "evidence": "",
        }


@pytest.mark.django_db
def test_colours_by_hand():
    """warn_days = 10 (the round's); on 2022-09-20: due 09-30 → 10 days left, yellow; due 10-01 →
    11 left, green; due 09-19 → overdue, red; due 09-20 → 0 left, yellow; an extension moves the
    due date (09-10 extended to 10-15: green); a closed item has no light."""
    round_ = InspectionRoundFactory(warn_days=10)
    today = datetime.date(2022, 9, 20)

    def light(deadline, **kwargs):
        return RectificationFactory(round=round_, deadline=datetime.date.fromisoformat(deadline), **kwargs).light(today)

    assert light("2022-09-30") == Light.YELLOW
    assert light("2022-10-01") == Light.GREEN
    assert light("2022-09-19") == Light.RED
    assert light("2022-09-20") == Light.YELLOW
    assert light("2022-09-10", state="extended", extended_to=datetime.date(2022, 10, 15)) == Light.GREEN
    assert light("2022-09-10", state="closed") is None
    round_.warn_days = 3  # the threshold is data
    round_.save()
    assert RectificationFactory(round=round_, deadline=datetime.date(2022, 9, 30)).light(today) == Light.GREEN


@pytest.mark.django_db
def test_closing_needs_evidence_and_a_sign_off(client, api, world):
    item = RectificationFactory(unit=world.unit_a)
    staff = world.staff("party")
    client.force_login(staff)
    form = client.get(reverse("party:rectification_edit", args=[item.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data |= {"round": item.round_id, "unit": item.unit_id, "state": "closed", "deadline": "2022-09-30"}
    response = client.post(reverse("party:rectification_edit", args=[item.pk]), data)
    assert response.status_code == 400
    assert {"evidence", "reviewer", "signed_off_on"} <= set(response.context["form"].errors)
    api.force_authenticate(staff)
    url = f"/api/v1/party/rectifications/{item.pk}/"
    refused = api.patch(url, {"state": "closed", "evidence": "制度文件", "version": item.version}, format="json")
    assert refused.status_code == 400 and {"reviewer", "signed_off_on"} <= set(refused.data)
    refused = api.patch(url, {"state": "extended", "version": item.version}, format="json")
    assert refused.status_code == 400 and {"extension_reason", "extended_to"} <= set(refused.data)
    item.refresh_from_db()
    assert item.state == "open" and item.version == 1
    data |= {"evidence": "《公务接待管理办法》（2022年修订）", "reviewer": staff.pk, "signed_off_on": "2022-09-28"}
    assert client.post(reverse("party:rectification_edit", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.state == "closed" and item.reviewer == staff


@pytest.mark.django_db
def test_rectification_metrics_by_hand(world):
    """Rounds of 2022: five items in unit A — closed, closed, open (due 2022-05-31), extended to
    2022-12-31, rectifying (due 2022-06-30); a 2021 round's item counts for nothing. On 2022-07-01:
    closed share 2/5 = 40 %; overdue: the open and the rectifying item = 2."""
    r22, r21 = (
        InspectionRoundFactory(started_on=datetime.date(2022, 3, 1)),
        InspectionRoundFactory(started_on=datetime.date(2021, 3, 1)),
    )
    for state, deadline, extended in [
        ("closed", "2022-05-31", None),
        ("closed", "2022-01-31", None),
        ("open", "2022-05-31", None),
        ("extended", "2022-05-31", datetime.date(2022, 12, 31)),
        ("rectifying", "2022-06-30", None),
    ]:
        RectificationFactory(
            round=r22,
            unit=world.unit_a,
            state=state,
            deadline=datetime.date.fromisoformat(deadline),
            extended_to=extended,
        )
    RectificationFactory(round=r21, unit=world.unit_a, deadline=datetime.date(2021, 5, 1))
    units = Unit.objects.all()
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2022, 7, 1)):
        assert metrics.value("party.rectification_closed_share", 2022, units) == Decimal("40.00")
        assert metrics.value("party.rectification_overdue", 2022, units) == 2
    assert metrics.value("party.rectification_closed_share", 2022, Unit.objects.filter(pk=world.unit_b.pk)) is None
