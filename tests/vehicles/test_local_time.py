"""One instant, 2022-03-01 02:00 UTC, reads 2022-03-01 10:00 (Asia/Shanghai) wherever a person or
a program reads it: list, detail, the vehicle's panel, history, export and API."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.vehicles.factories import TripFactory, VehicleFactory

INSTANT = datetime.datetime(2022, 3, 1, 2, 0, tzinfo=datetime.UTC)
SHOWN = "2022-03-01 10:00"


@pytest.mark.django_db
def test_one_instant_reads_local_everywhere(client, api, world):
    vehicle = VehicleFactory(unit=world.unit_a)
    trip = TripFactory(vehicle=vehicle, start=INSTANT, end=INSTANT + datetime.timedelta(minutes=90))
    staff = world.staff("vehicles")
    client.force_login(staff)
    pages = {
        "list": reverse("vehicles:trip_list"),
        "detail": trip.get_absolute_url(),
        "vehicle": vehicle.get_absolute_url(),
        "history": reverse("vehicles:trip_history", args=[trip.pk]),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert SHOWN in body and "2022-03-01 11:30" in body, name
        assert "02:00" not in body and "2022-03-01T" not in body, name

    response = client.get(reverse("vehicles:trip_export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    start = row[header.index("开始时间")]
    assert start == datetime.datetime(2022, 3, 1, 10, 0) or start == SHOWN, start

    api.force_authenticate(staff)
    data = api.get(reverse("vehicles-api:trip-detail", args=[trip.pk])).json()
    assert data["start"] == "2022-03-01T10:00:00+08:00"
