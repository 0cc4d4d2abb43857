"""Flat sales (never reserved or sold twice, ranking order, payments) and the canteen (milestones,
months, the food-waste figure energy reads)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from bureau.metrics import value
from bureau.models import Unit
from logistics.choices import FlatState
from logistics.models import Applicant, CanteenMilestone, CanteenMonth, SaleFlat
from tests.base import ModelTests
from tests.conftest import require_postgres
from tests.logistics.factories import (
    ApplicantFactory,
    CanteenMilestoneFactory,
    CanteenMonthFactory,
    SaleFlatFactory,
)


class TestApplicant(ModelTests):
    model = Applicant
    edit = {"name": "王建国"}

    def make(self, unit):
        return ApplicantFactory(unit=unit)

    def form_data(self, unit):
        return {"compound": "新区小区", "name": "李明", "unit": unit.pk, "ranking": 900 + unit.pk, "eligible": True}


class TestSaleFlat(ModelTests):
    model = SaleFlat
    edit = {"price": "700000.00"}

    def make(self, unit):
        return SaleFlatFactory()

    def form_data(self, unit):
        return {
            "compound": "惠济路三十七号院",
            "building": "5",
            "number": f"9{unit.pk:03d}",
            "area": "110.20",
            "price": "720000",
            "paid": "0",
        }


class TestCanteenMilestone(ModelTests):
    model = CanteenMilestone
    edit = {"name": "主体结构封顶"}

    def make(self, unit):
        return CanteenMilestoneFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "project": "市委机关第二食堂建设",
            "name": "竣工验收",
            "planned": "2022-10-31",
            "state": "planned",
        }


class TestCanteenMonth(ModelTests):
    model = CanteenMonth
    edit = {"meals": 15000}

    def make(self, unit):
        return CanteenMonthFactory(unit=unit)

    def form_data(self, unit):
        return {
            "unit": unit.pk,
            "canteen": "市委机关第二食堂",
            "month": "2022-05-01",
            "meals": 13000,
            "cost": "200000",
            "food_waste_kg": "310.5",
        }


def act(api, flat, **body):
    return api.post(reverse("logistics-api:saleflat-act", args=[flat.pk]), body, format="json")


class TestFlatSales:
    def test_flats_go_in_ranking_order_once_each_and_are_sold_when_paid(self, api, world):
        first, second = ApplicantFactory(ranking=1), ApplicantFactory(ranking=2)
        flat, other = SaleFlatFactory(), SaleFlatFactory()
        api.force_authenticate(world.staff("logistics"))
        response = act(api, flat, move="reserve", applicant=second.pk)
        assert response.status_code == 400 and "请按排序选房" in str(response.data)
        assert act(api, flat, move="reserve", applicant=first.pk).status_code == 200
        response = act(api, flat, move="reserve", applicant=second.pk)
        assert response.status_code == 400 and "已被预订或售出" in str(response.data)
        response = act(api, other, move="reserve", applicant=first.pk)
        assert response.status_code == 400  # first already holds a flat: second is next
        assert act(api, other, move="reserve", applicant=second.pk).status_code == 200
        response = act(api, flat, move="sell")
        assert response.status_code == 400 and "房款未付清" in str(response.data)
        flat.refresh_from_db()
        page = api.patch(
            reverse("logistics-api:saleflat-detail", args=[flat.pk]),
            {"paid": "650000", "version": flat.version},
            format="json",
        )
        assert page.status_code == 200
        assert act(api, flat, move="sell").status_code == 200
        response = act(api, flat, move="sell")
        assert response.status_code == 400
        flat.refresh_from_db()
        assert flat.state == FlatState.SOLD and flat.applicant == first and flat.sold_on is not None

    def test_the_state_cannot_be_written_past_the_claims(self, api, world):
        flat = SaleFlatFactory()
        api.force_authenticate(world.staff("logistics"))
        url = reverse("logistics-api:saleflat-detail", args=[flat.pk])
        api.patch(url, {"state": "sold", "version": flat.version}, format="json")
        flat.refresh_from_db()
        assert flat.state == FlatState.AVAILABLE

    def test_the_web_page_reserves_for_the_next_in_line(self, client, world):
        applicant = ApplicantFactory(ranking=1)
        flat = SaleFlatFactory()
        client.force_login(world.staff("logistics"))
        assert applicant.name in client.get(flat.get_absolute_url()).content.decode()
        client.post(reverse("logistics:saleflat_act", args=[flat.pk]), {"move": "reserve", "applicant": applicant.pk})
        flat.refresh_from_db()
        assert flat.state == FlatState.RESERVED and flat.applicant == applicant


@pytest.mark.django_db(transaction=True)
def test_two_clerks_reserving_one_flat_at_once_exactly_one_succeeds():
    require_postgres()
    from rest_framework.test import APIClient

    from tests.conftest import World

    world = World()
    staff = world.staff("logistics")
    applicant = ApplicantFactory(ranking=1)
    flat, other = SaleFlatFactory(), SaleFlatFactory()
    gate = threading.Barrier(2)
    answers = []

    def reserve(target):
        client = APIClient()
        client.force_authenticate(staff)
        try:
            gate.wait()
            answers.append(act(client, target, move="reserve", applicant=applicant.pk).status_code)
        finally:
            connection.close()

    # The same flat twice, then two flats for one applicant: one wins each time.
    for targets in ((flat, flat), (flat, other)):
        SaleFlat.objects.filter(pk__in=[flat.pk, other.pk]).update(state=FlatState.AVAILABLE, applicant=None)
        answers.clear()
        threads = [threading.Thread(target=reserve, args=(t,)) for t in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers) == [200, 400]
        assert SaleFlat.objects.filter(applicant=applicant).count() == 1


def test_canteen_month_is_kept_as_its_first_day_and_refuses_negative_waste(api, world):
    api.force_authenticate(world.staff("logistics"))
    body = TestCanteenMonth().form_data(world.unit_a) | {"month": "2022-05-17"}
    assert api.post(reverse("logistics-api:canteenmonth-list"), body, format="json").status_code == 201
    assert CanteenMonth.objects.get().month == datetime.date(2022, 5, 1)
    again = api.post(reverse("logistics-api:canteenmonth-list"), body | {"month": "2022-05-02"}, format="json")
    assert again.status_code == 400
    bad = api.post(
        reverse("logistics-api:canteenmonth-list"), body | {"month": "2022-06-01", "food_waste_kg": "-1"}, format="json"
    )
    assert bad.status_code == 400 and "food_waste_kg" in bad.data


def test_a_milestone_done_needs_its_date(api, world):
    api.force_authenticate(world.staff("logistics"))
    body = TestCanteenMilestone().form_data(world.unit_a) | {"state": "done"}
    response = api.post(reverse("logistics-api:canteenmilestone-list"), body, format="json")
    assert response.status_code == 400 and "actual" in response.data


def test_food_waste_hand_computed(world):
    """2022: unit A 250.0 + 120.5, unit B 80.0; 2021 not counted → A 370.5, city 450.5 kg."""
    CanteenMonthFactory(unit=world.unit_a, month=datetime.date(2022, 1, 1), food_waste_kg=Decimal("250.0"))
    CanteenMonthFactory(unit=world.unit_a, month=datetime.date(2022, 12, 1), food_waste_kg=Decimal("120.5"))
    CanteenMonthFactory(unit=world.unit_b, month=datetime.date(2022, 7, 1), food_waste_kg=Decimal("80.0"))
    CanteenMonthFactory(unit=world.unit_a, month=datetime.date(2021, 12, 1), food_waste_kg=Decimal("999"))
    assert value("logistics.food_waste_kg", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 370.5
    assert value("logistics.food_waste_kg", 2022, Unit.objects.all()) == 450.5
