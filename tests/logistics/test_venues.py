"""Meeting venues and their bookings: the generic tests, the refusals, series, decisions, the
calendar, the support rate and two clients booking one slot at once."""

import datetime
import itertools
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureau.metrics import value
from bureau.models import Unit
from logistics.choices import BookingState
from logistics.models import Booking, Venue
from tests.base import ModelTests
from tests.conftest import make_user, require_postgres
from tests.logistics.factories import BookingFactory, VenueFactory, later, local

_n = itertools.count(1)


def slot(days, hour, hours=2):
    start = later(days, hour)
    return start, start + datetime.timedelta(hours=hours)


class TestVenue(ModelTests):
    model = Venue
    edit = {"capacity": 80}

    def make(self, unit):
        return VenueFactory()

    def form_data(self, unit):
        return {"name": f"新会议室{next(_n)}", "building": "市行政中心", "room": "201", "capacity": 40, "active": True}

    def api_data(self, unit):
        return self.form_data(unit) | {"managers": []}


class TestBooking(ModelTests):
    model = Booking
    edit = {"title": "改期后的会议"}

    def make(self, unit):
        return BookingFactory(unit=unit)

    def form_data(self, unit):
        start, end = slot(40 + next(_n), 9)
        return {
            "venue": VenueFactory().pk,
            "unit": unit.pk,
            "title": "季度工作推进会",
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": end.strftime("%Y-%m-%d %H:%M"),
            "attendees": 30,
            "state": BookingState.REQUESTED,
        }

    def api_data(self, unit):
        start, end = slot(40 + next(_n), 14)
        return {
            "venue": VenueFactory().pk,
            "unit": unit.pk,
            "title": "季度工作推进会",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "attendees": 30,
        }


@pytest.fixture
def venue(db):
    return VenueFactory(capacity=50)


def post_booking(client, venue, unit, start, end, **extra):
    data = {
        "venue": venue.pk,
        "unit": unit.pk,
        "title": "专题会",
        "start": start.strftime("%Y-%m-%d %H:%M"),
        "end": end.strftime("%Y-%m-%d %H:%M"),
        "attendees": 20,
    } | extra
    return client.post(reverse("logistics:booking_add"), data)


class TestRefusals:
    def test_back_to_back_meetings_do_not_clash_but_an_overlap_does(self, client, world, venue):
        client.force_login(world.liaison_a)
        nine, eleven = slot(10, 9)
        assert post_booking(client, venue, world.unit_a, nine, eleven).status_code == 302
        twelve = eleven + datetime.timedelta(hours=1)
        assert post_booking(client, venue, world.unit_a, eleven, twelve).status_code == 302
        response = post_booking(client, venue, world.unit_a, nine + datetime.timedelta(minutes=30), twelve)
        assert response.status_code == 400
        assert "时段冲突" in response.content.decode()
        assert Booking.objects.filter(venue=venue).count() == 2

    def test_a_declined_or_cancelled_booking_frees_its_slot(self, client, world, venue):
        start, end = slot(10, 9)
        BookingFactory(venue=venue, start=start, end=end, state=BookingState.DECLINED)
        BookingFactory(venue=venue, start=start, end=end, state=BookingState.CANCELLED)
        client.force_login(world.liaison_a)
        assert post_booking(client, venue, world.unit_a, start, end).status_code == 302

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"attendees": 51}, "attendees", "超过场所容纳人数 50"),
            ({"end_shift": -3}, "end", "结束时间须晚于开始时间"),
            ({"end_shift": -2}, "end", "结束时间须晚于开始时间"),
            ({"days": -2}, "start", "不能预订已经过去的时间"),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_error(self, client, world, venue, change, field, message):
        client.force_login(world.liaison_a)
        start, end = slot(change.get("days", 10), 9)
        end += datetime.timedelta(hours=change.get("end_shift", 0))
        extra = {"attendees": change["attendees"]} if "attendees" in change else {}
        response = post_booking(client, venue, world.unit_a, start, end, **extra)
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert not Booking.objects.exists()

    def test_the_api_refuses_the_same(self, api, world, venue):
        start, end = slot(10, 9)
        BookingFactory(venue=venue, start=start, end=end)
        api.force_authenticate(world.liaison_a)
        body = {"venue": venue.pk, "unit": world.unit_a.pk, "title": "会", "attendees": 10}
        response = api.post(
            reverse("logistics-api:booking-list"),
            body
            | {
                "start": (end - datetime.timedelta(minutes=1)).isoformat(),
                "end": (end + datetime.timedelta(hours=1)).isoformat(),
            },
            format="json",
        )
        assert response.status_code == 400 and "时段冲突" in str(response.data)
        response = api.post(
            reverse("logistics-api:booking-list"),
            body | {"start": end.isoformat(), "end": (end + datetime.timedelta(hours=1)).isoformat(), "attendees": 500},
            format="json",
        )
        assert response.status_code == 400 and "attendees" in response.data
        assert Booking.objects.count() == 1


class TestWeeklySeries:
    def test_a_series_is_booked_as_a_whole(self, client, world, venue):
        client.force_login(world.liaison_a)
        start, end = slot(7, 15)
        until = (start + datetime.timedelta(weeks=3)).date()
        response = post_booking(client, venue, world.unit_a, start, end, repeat_until=until.isoformat())
        assert response.status_code == 302
        made = list(Booking.objects.order_by("start"))
        assert [b.start for b in made] == [start + datetime.timedelta(weeks=k) for k in range(4)]
        assert len({b.series for b in made}) == 1 and made[0].series is not None

    def test_one_clash_refuses_the_whole_series_naming_the_date(self, client, world, venue):
        start, end = slot(7, 15)
        third = start + datetime.timedelta(weeks=2)
        BookingFactory(venue=venue, start=third + datetime.timedelta(hours=1), end=third + datetime.timedelta(hours=3))
        client.force_login(world.liaison_a)
        until = (start + datetime.timedelta(weeks=3)).date()
        response = post_booking(client, venue, world.unit_a, start, end, repeat_until=until.isoformat())
        assert response.status_code == 400
        errors = " ".join(response.context["form"].errors["repeat_until"])
        assert third.strftime("%Y-%m-%d") in errors and "时段冲突" in errors
        assert Booking.objects.count() == 1

    def test_the_api_books_a_series_or_nothing(self, api, world, venue):
        start, end = slot(7, 15)
        api.force_authenticate(world.liaison_a)
        body = {
            "venue": venue.pk,
            "unit": world.unit_a.pk,
            "title": "周例会",
            "attendees": 10,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "repeat_until": (start + datetime.timedelta(weeks=2)).date().isoformat(),
        }
        assert api.post(reverse("logistics-api:booking-list"), body, format="json").status_code == 201
        assert Booking.objects.count() == 3
        again = api.post(reverse("logistics-api:booking-list"), body | {"title": "重复"}, format="json")
        assert again.status_code == 400
        assert Booking.objects.count() == 3


class TestDecisions:
    def test_the_venues_own_manager_approves_a_liaison_cannot(self, client, world, venue):
        manager = make_user(username="venue_manager")
        venue.managers.add(manager)
        other_manager = make_user(username="other_manager")
        VenueFactory().managers.add(other_manager)
        booking = BookingFactory(venue=venue, unit=world.unit_a)
        url = reverse("logistics:booking_decide", args=[booking.pk])
        client.force_login(world.liaison_a)
        client.post(url, {"move": "approve"})
        booking.refresh_from_db()
        assert booking.state == BookingState.REQUESTED
        client.force_login(other_manager)
        assert client.post(url, {"move": "approve"}).status_code == 404
        client.force_login(manager)
        assert client.get(booking.get_absolute_url()).status_code == 200
        assert client.post(url, {"move": "approve"}).status_code == 302
        booking.refresh_from_db()
        assert booking.state == BookingState.APPROVED and booking.decided_by == manager

    def test_declining_needs_a_reason(self, api, world, venue):
        booking = BookingFactory(venue=venue, unit=world.unit_a)
        api.force_authenticate(world.staff("logistics"))
        url = reverse("logistics-api:booking-decide", args=[booking.pk])
        assert api.post(url, {"move": "decline"}, format="json").status_code == 400
        response = api.post(url, {"move": "decline", "reason": "当日场所检修"}, format="json")
        assert response.status_code == 200 and response.data["state"] == BookingState.DECLINED
        assert api.post(url, {"move": "approve"}, format="json").status_code == 400  # no longer requested

    def test_a_liaison_cancels_its_own_booking_as_the_requester(self, api, world, venue):
        own = BookingFactory(venue=venue, unit=world.unit_a)
        other = BookingFactory(unit=world.unit_b)
        api.force_authenticate(world.liaison_a)
        url = reverse("logistics-api:booking-decide", args=[own.pk])
        assert api.post(url, {"move": "approve"}, format="json").status_code == 403
        assert api.post(url, {"move": "cancel", "reason": "会议取消"}, format="json").status_code == 200
        own.refresh_from_db()
        assert own.state == BookingState.CANCELLED and own.cancelled_by_requester
        other_url = reverse("logistics-api:booking-decide", args=[other.pk])
        assert api.post(other_url, {"move": "cancel", "reason": "x"}, format="json").status_code == 404


class TestCalendar:
    def test_week_and_day_views_with_a_constant_query_count(self, client, world, venue):
        monday = later(14, 8).date()
        monday -= datetime.timedelta(days=monday.weekday())
        BookingFactory(
            venue=venue,
            unit=world.unit_a,
            title="甲单位会议",
            start=local(*monday.timetuple()[:3], 9),
            end=local(*monday.timetuple()[:3], 11),
        )
        BookingFactory(
            venue=venue,
            unit=world.unit_b,
            title="乙单位会议",
            start=local(*monday.timetuple()[:3], 14),
            end=local(*monday.timetuple()[:3], 16),
        )
        url = reverse("logistics:venue_calendar", args=[venue.pk])
        client.force_login(world.liaison_a)
        page = client.get(url, {"date": monday.isoformat()}).content.decode()
        assert "甲单位会议" in page and "乙单位会议" not in page and "已占用" in page
        client.force_login(world.staff("logistics"))
        client.get(url, {"date": monday.isoformat()})
        with CaptureQueriesContext(connection) as few:
            assert client.get(url, {"date": monday.isoformat()}).status_code == 200
        for day in range(7):
            d = monday + datetime.timedelta(days=day)
            for hour in (8, 18):
                BookingFactory(
                    venue=venue, start=local(d.year, d.month, d.day, hour), end=local(d.year, d.month, d.day, hour + 1)
                )
        with CaptureQueriesContext(connection) as many:
            page = client.get(url, {"date": monday.isoformat()})
        assert page.status_code == 200 and page.content.decode().count('class="slot') == 16
        assert len(many) == len(few)
        day = client.get(url, {"date": monday.isoformat(), "view": "day"}).content.decode()
        assert day.count('class="slot') == 4

    def test_someone_without_a_role_may_not_see_it(self, client, world, venue):
        client.force_login(world.member)
        assert client.get(reverse("logistics:venue_calendar", args=[venue.pk])).status_code == 403


class TestSupportRate:
    def test_hand_computed_for_a_crafted_year(self, world):
        """Unit A 2022: 5 asked, 1 withdrawn by A, 2 served → 2 / (5 − 1) = 50 %. Unit B: 1 asked,
        1 served. City: 3 / (6 − 1) = 60 %. A 2021 booking counts in neither."""
        s = BookingState
        for state, by_requester, unit in (
            (s.SERVED, False, world.unit_a),
            (s.SERVED, False, world.unit_a),
            (s.DECLINED, False, world.unit_a),
            (s.CANCELLED, True, world.unit_a),
            (s.CANCELLED, False, world.unit_a),
            (s.SERVED, False, world.unit_b),
        ):
            day = next(_n)
            BookingFactory(
                unit=unit,
                state=state,
                cancelled_by_requester=by_requester,
                start=local(2022, 3, day, 9),
                end=local(2022, 3, day, 11),
            )
        BookingFactory(unit=world.unit_a, state=s.DECLINED, start=local(2021, 12, 31, 9), end=local(2021, 12, 31, 11))
        assert value("logistics.venue_support_rate", 2022, Unit.objects.filter(pk=world.unit_a.pk)) == 50.0
        assert value("logistics.venue_support_rate", 2022, Unit.objects.all()) == 60.0
        assert value("logistics.venue_support_rate", 2020, Unit.objects.all()) is None


@pytest.mark.django_db(transaction=True)
def test_two_clients_booking_one_slot_at_once_exactly_one_succeeds():
    """PostgreSQL, two threads on their own connections, released together: one 201, one 400."""
    require_postgres()
    from rest_framework.test import APIClient

    from tests.conftest import World

    world = World()
    venue = VenueFactory()
    start, end = slot(20, 9)
    gate = threading.Barrier(2)
    answers = []

    def book(user, unit):
        client = APIClient()
        client.force_authenticate(user)
        body = {"venue": venue.pk, "unit": unit.pk, "title": f"{unit}会议", "attendees": 10,
                "start": start.isoformat(), "end": end.isoformat()}  # fmt: skip
        try:
            gate.wait()
            answers.append(client.post(reverse("logistics-api:booking-list"), body, format="json").status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(world.liaison_a, world.unit_a)),
        threading.Thread(target=book, args=(world.liaison_b, world.unit_b)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201, 400]
    assert Booking.objects.filter(venue=venue).count() == 1


@pytest.mark.django_db
def test_postgres_itself_refuses_overlapping_rows_written_past_the_model():
    require_postgres()
    venue = VenueFactory()
    start, end = slot(20, 9)
    first = BookingFactory(venue=venue, start=start, end=end)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.bulk_create(
            [
                Booking(
                    venue=venue,
                    unit=first.unit,
                    title="x",
                    attendees=1,
                    start=start + datetime.timedelta(hours=1),
                    end=end + datetime.timedelta(hours=1),
                )
            ]
        )
