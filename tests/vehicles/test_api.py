"""API answers to input found by fuzzing the schema (schemathesis): refusals, never server errors."""

import datetime

import pytest
from django.urls import reverse

from bureau.choices import AuditAction
from bureau.models import AuditEntry
from tests.vehicles.factories import CalendarDayFactory, RunningCostFactory, TripFactory
from vehicles.models import Vehicle


@pytest.mark.django_db
def test_deleting_a_vehicle_with_trips_is_refused_with_what_refers(api, world):
    trip = TripFactory(vehicle__unit=world.unit_a)
    api.force_authenticate(world.staff("vehicles"))
    response = api.delete(reverse("vehicles-api:vehicle-detail", args=[trip.vehicle_id]))
    assert response.status_code == 409
    assert response.data["detail"] == "不能删除：仍有行程引用此记录。"
    assert Vehicle.objects.filter(pk=trip.vehicle_id).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["vehicles-api:calendarday-list", "vehicles-api:runningcost-list"])
@pytest.mark.parametrize("year", ["0", "10000", "-1", "99999999999999999999", "2024.5"])
def test_a_year_no_date_has_is_a_400_naming_the_filter(api, world, route, year):
    api.force_authenticate(world.staff("vehicles"))
    response = api.get(reverse(route), {"year": year})
    assert response.status_code == 400
    assert list(response.data) == ["year"]


@pytest.mark.django_db
def test_the_year_filter_keeps_the_year(api, world):
    CalendarDayFactory(date=datetime.date(2024, 10, 1))
    CalendarDayFactory(date=datetime.date(2025, 10, 1))
    cost = RunningCostFactory(date=datetime.date(2025, 3, 1), vehicle__unit=world.unit_a)
    api.force_authenticate(world.staff("vehicles"))
    days = api.get(reverse("vehicles-api:calendarday-list"), {"year": 2025}).data["results"]
    assert [d["date"] for d in days] == ["2025-10-01"]
    costs = api.get(reverse("vehicles-api:runningcost-list"), {"year": 2025}).data["results"]
    assert [c["id"] for c in costs] == [cost.pk]
