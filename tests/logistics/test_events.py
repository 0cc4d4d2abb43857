"""Major-event vehicle service: generic tests, the vehicle refusals and the support rate."""

import datetime
import itertools

import pytest
from django.urls import reverse

from bureau.metrics import value
from bureau.models import Unit
from logistics.choices import EventState
from logistics.models import Event, EventAssignment
from tests.base import ModelTests
from tests.html import page_form
from tests.logistics.factories import EventAssignmentFactory, EventFactory, later, local
from tests.vehicles.factories import VehicleFactory
from vehicles.choices import Status

_n = itertools.count(1)


class TestEvent(ModelTests):
    model = Event
    edit = {"title": "全市招商大会"}

    def make(self, unit):
        return EventFactory(unit=unit)

    def form_data(self, unit):
        start = later(20 + next(_n), 8)
        return {
            "unit": unit.pk,
            "title": "全市重点项目观摩",
            "place": "市民之家",
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": (start + datetime.timedelta(hours=6)).strftime("%Y-%m-%d %H:%M"),
            "vehicles_needed": 5,
            "drivers_needed": 5,
            "category": "",
            "state": EventState.PLANNED,
        }

    def api_data(self, unit):
        data = self.form_data(unit)
        return data | {"start": data["start"].replace(" ", "T"), "end": data["end"].replace(" ", "T")}


class TestEventAssignment(ModelTests):
    model = EventAssignment
    edit = {"driver": "李师傅"}

    def make(self, unit):
        return EventAssignmentFactory(event=EventFactory(unit=unit))

    def form_data(self, unit):
        return {"event": EventFactory(unit=unit).pk, "vehicle": VehicleFactory().pk, "driver": "王师傅"}


def assign(api, event, vehicle):
    return api.post(
        reverse("logistics-api:eventassignment-list"), {"event": event.pk, "vehicle": vehicle.pk}, format="json"
    )


class TestVehicleRefusals:
    def test_a_vehicle_cannot_serve_two_overlapping_events(self, api, world):
        api.force_authenticate(world.staff("logistics"))
        vehicle = VehicleFactory()
        first = EventFactory(start=local(2030, 5, 1, 8), end=local(2030, 5, 1, 12))
        overlapping = EventFactory(start=local(2030, 5, 1, 11), end=local(2030, 5, 1, 14))
        after = EventFactory(start=local(2030, 5, 1, 12), end=local(2030, 5, 1, 18))
        assert assign(api, first, vehicle).status_code == 201
        response = assign(api, overlapping, vehicle)
        assert response.status_code == 400 and "时间重叠" in str(response.data["vehicle"])
        assert assign(api, after, vehicle).status_code == 201  # back to back: [start, end)
        assert EventAssignment.objects.count() == 2

    def test_a_cancelled_event_frees_its_vehicles(self, world):
        vehicle = VehicleFactory()
        EventAssignmentFactory(
            vehicle=vehicle,
            event=EventFactory(start=local(2030, 5, 1, 8), end=local(2030, 5, 1, 12), state="cancelled"),
        )
        EventAssignmentFactory(
            vehicle=vehicle, event=EventFactory(start=local(2030, 5, 1, 9), end=local(2030, 5, 1, 10))
        )

    def test_moving_an_event_onto_another_of_its_vehicles_events_is_refused(self, client, world):
        vehicle = VehicleFactory()
        EventAssignmentFactory(
            vehicle=vehicle, event=EventFactory(start=local(2030, 5, 1, 8), end=local(2030, 5, 1, 12))
        )
        moved = EventFactory(start=local(2030, 5, 2, 8), end=local(2030, 5, 2, 12))
        EventAssignmentFactory(vehicle=vehicle, event=moved)
        client.force_login(world.staff("logistics"))
        url = reverse("logistics:event_edit", args=[moved.pk])
        data = page_form(client.get(url)) | {"start": ["2030-05-01 11:00"], "end": ["2030-05-01 15:00"]}
        response = client.post(url, data)
        assert response.status_code == 400
        assert "时间重叠" in " ".join(response.context["form"].errors["start"])
        moved.refresh_from_db()
        assert moved.start == local(2030, 5, 2, 8)
        # Back to back with the first is no clash: [start, end).
        response = client.post(url, data | {"start": ["2030-05-01 12:00"], "end": ["2030-05-01 15:00"]})
        assert response.status_code == 302
        moved.refresh_from_db()
        assert moved.start == local(2030, 5, 1, 12)

    @pytest.mark.parametrize("status", [Status.REPAIR, Status.DISPOSED, Status.AWAITING_DISPOSAL])
    def test_a_vehicle_in_repair_or_disposed_cannot_serve(self, client, world, status):
        client.force_login(world.staff("logistics"))
        vehicle = VehicleFactory(status=status)
        response = client.post(
            reverse("logistics:eventassignment_add"), {"event": EventFactory().pk, "vehicle": vehicle.pk}
        )
        assert response.status_code == 400
        assert "不能派出" in " ".join(response.context["form"].errors["vehicle"])
        assert not EventAssignment.objects.exists()

    def test_unserved_needs_its_reason(self, api, world):
        event = EventFactory()
        api.force_authenticate(world.staff("logistics"))
        url = reverse("logistics-api:event-detail", args=[event.pk])
        response = api.patch(url, {"state": "unserved", "version": event.version}, format="json")
        assert response.status_code == 400 and "reason" in response.data


def test_support_rate_hand_computed(world):
    """Unit A 2022: 4 events, 1 cancelled, 2 served, 1 unserved → 2 / 3 = 66.67 %. Unit B: 1 planned.
    City: 2 / 4 = 50 %."""
    for state, unit in (
        (EventState.SERVED, world.unit_a),
        (EventState.SERVED, world.unit_a),
        (EventState.UNSERVED, world.unit_a),
        (EventState.CANCELLED, world.unit_a),
        (EventState.PLANNED, world.unit_b),
    ):
        day = next(_n)
        EventFactory(
            unit=unit, state=state, reason="车辆不足", start=local(2022, 6, day, 8), end=local(2022, 6, day, 18)
        )
    assert value("logistics.event_vehicle_support_rate", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 66.67
    assert value("logistics.event_vehicle_support_rate", 2022, Unit.objects.all()) == 50.0
