import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from party.choices import Frequency
from party.models import Attendance, Branch, Meeting, MeetingKind, Requirement
from party.organisation import on_time_share, periods
from party.tasks import remind_missing_meetings
from tests.base import ModelTests
from tests.factories import PersonFactory, UserFactory
from tests.party.factories import BranchFactory, MeetingFactory, MeetingKindFactory


class TestBranch(ModelTests):
    model = Branch
    edit = {"standard_state": "met"}

    def people(self, unit):
        """The same members for a unit's branches, so that an edit changes only what `edit` says."""
        found = self.__dict__.setdefault("_people", {})
        if unit.pk not in found:
            found[unit.pk] = [PersonFactory(unit=unit), PersonFactory(unit=unit)]
        return found[unit.pk]

    def make(self, unit):
        members = self.people(unit)
        branch = BranchFactory(unit=unit, members=members)
        branch.committee.set(members[:1])
        return branch

    def form_data(self, unit):
        members = self.people(unit)
        return {
            "unit": unit.pk,
            "name": "机关第一党支部",
            "secretary": members[0].pk,
            "members": [p.pk for p in members],
            "committee": [members[0].pk],
            "standard_state": "building",
            "checklist": "组织设置规范",
            "evidence": "",
        }


class TestMeetingKind(ModelTests):
    model = MeetingKind
    edit = {"frequency": "monthly"}

    def make(self, unit):
        return MeetingKindFactory()

    def form_data(self, unit):
        return {"name": "专题学习会", "frequency": "quarterly", "order": 9}


class TestRequirement(ModelTests):
    model = Requirement
    edit = {"frequency": "half_yearly"}

    def make(self, unit):
        return Requirement.objects.create(
            branch=BranchFactory(unit=unit), kind=MeetingKindFactory(), frequency="annual"
        )

    def form_data(self, unit):
        if not hasattr(self, "_pair"):
            self._pair = (BranchFactory(unit=unit), MeetingKindFactory())
        return {"branch": self._pair[0].pk, "kind": self._pair[1].pk, "frequency": "monthly"}


class TestMeeting(ModelTests):
    model = Meeting
    edit = {"topics": "学习新修订的纪律处分条例"}

    def make(self, unit):
        return MeetingFactory(branch=BranchFactory(unit=unit))

    def form_data(self, unit):
        if not hasattr(self, "_branch"):
            self._branch = BranchFactory(unit=unit)
        kind = MeetingKind.objects.get(name="党课")
        return {
            "branch": self._branch.pk,
            "kind": kind.pk,
            "held_on": "2022-06-28",
            "topics": "书记讲党课",
            "notice": "",
            "minutes": "",
        }


class TestAttendance(ModelTests):
    model = Attendance
    edit = {"reason": "出差"}

    def make(self, unit):
        person = PersonFactory(unit=unit)
        meeting = MeetingFactory(branch=BranchFactory(unit=unit, members=[person]))
        return Attendance.objects.create(meeting=meeting, person=person)

    def form_data(self, unit):
        if not hasattr(self, "_meeting"):
            self._person = PersonFactory(unit=unit)
            self._meeting = MeetingFactory(branch=BranchFactory(unit=unit, members=[self._person]))
        return {"meeting": self._meeting.pk, "person": self._person.pk, "present": False, "reason": "病假"}


@pytest.mark.django_db
def test_a_non_member_cannot_sign_in_and_an_absence_needs_a_reason(client, api, world):
    member, outsider = PersonFactory(unit=world.unit_a), PersonFactory(unit=world.unit_a, name="局外人")
    meeting = MeetingFactory(branch=BranchFactory(unit=world.unit_a, members=[member]))
    client.force_login(world.staff("party"))
    response = client.post(
        reverse("party:attendance_add"), {"meeting": meeting.pk, "person": outsider.pk, "present": "on"}
    )
    assert response.status_code == 400
    assert "局外人 不是" in str(response.context["form"].errors["person"])
    response = client.post(reverse("party:attendance_add"), {"meeting": meeting.pk, "person": member.pk})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    api.force_authenticate(world.staff("party"))
    refused = api.post("/api/v1/party/attendance/", {"meeting": meeting.pk, "person": outsider.pk}, format="json")
    assert refused.status_code == 400 and "person" in refused.data
    assert not Attendance.objects.exists()


@pytest.mark.django_db
def test_branch_members_must_be_of_its_unit(client, world):
    stranger = PersonFactory(unit=world.unit_b, name="外单位人")
    client.force_login(world.staff("party"))
    response = client.post(
        reverse("party:branch_add"),
        {"unit": world.unit_a.pk, "name": "甲支部", "members": [stranger.pk], "standard_state": "building"},
    )
    assert response.status_code == 400 and "外单位人" in str(response.context["form"].errors["members"])


def test_periods():
    assert periods(Frequency.QUARTERLY, 2022)[1] == (datetime.date(2022, 4, 1), datetime.date(2022, 6, 30))
    assert len(periods(Frequency.MONTHLY, 2022)) == 12
    assert periods(Frequency.MONTHLY, 2024)[1][1] == datetime.date(2024, 2, 29)
    assert periods(Frequency.NONE, 2022) == []


@pytest.mark.django_db
def test_meetings_on_time_share_by_hand(world):
    """Two kinds only: A quarterly, B monthly; branch 2 holds B half-yearly by its own requirement.
    On 2022-07-15 the ended periods are: branch 1 — A Q1, Q2 (2); B Jan-Jun (6); branch 2 — A Q1,
    Q2 (2); B H1 (1): 11 due. Held: branch 1 A Q1 (twice in Q1 still counts once), B Jan, Feb,
    Mar; branch 2 A Q2, B H1 (in May). 1 + 3 + 1 + 1 = 6 of 11 = 54.55 %. Meetings in the open
    period (July) and other years count for nothing."""
    MeetingKind.objects.all().delete()
    a = MeetingKindFactory(name="A", frequency="quarterly")
    b = MeetingKindFactory(name="B", frequency="monthly")
    one, two = BranchFactory(unit=world.unit_a), BranchFactory(unit=world.unit_b)
    Requirement.objects.create(branch=two, kind=b, frequency="half_yearly")
    for branch, kind, day in [
        (one, a, "2022-01-05"),
        (one, a, "2022-02-05"),
        (one, b, "2022-01-20"),
        (one, b, "2022-02-20"),
        (one, b, "2022-03-20"),
        (one, b, "2022-07-01"),
        (one, a, "2021-05-01"),
        (two, a, "2022-06-30"),
        (two, b, "2022-05-09"),
    ]:
        MeetingFactory(branch=branch, kind=kind, held_on=datetime.date.fromisoformat(day))
    today = datetime.date(2022, 7, 15)
    assert on_time_share(Branch.objects.all(), 2022, today) == Decimal("54.55")
    assert on_time_share(Branch.objects.filter(pk=one.pk), 2022, today) == Decimal("50.00")  # 4 of 8
    assert on_time_share(Branch.objects.none(), 2022, today) is None


@pytest.mark.django_db
def test_the_grid_shows_held_and_missing_periods(client, world):
    MeetingKind.objects.exclude(name="支部党员大会").delete()
    kind = MeetingKind.objects.get()
    branch = BranchFactory(unit=world.unit_a, name="甲单位第一支部")
    MeetingFactory(branch=branch, kind=kind, held_on=datetime.date(2021, 2, 3))
    client.force_login(world.staff("party"))
    response = client.get(reverse("party:meeting_grid"), {"year": 2021, "kind": kind.pk})
    assert response.status_code == 200
    [(row_branch, label, cells, held, due)] = response.context["rows"]
    assert row_branch == branch and label == "每季度" and (held, due) == (1, 4)
    assert cells[1] == (1, "held") and cells[0] == (0, "held") and cells[3] == (0, "missing")
    client.force_login(world.liaison_b)
    assert client.get(reverse("party:meeting_grid"), {"year": 2021}).context["rows"] == []


@pytest.mark.django_db
def test_reminders_name_what_is_missing_before_the_period_ends(world, settings):
    settings.REMINDER_DAYS_BEFORE = [7]
    MeetingKind.objects.all().delete()
    quarterly = MeetingKindFactory(name="支部党员大会", frequency="quarterly")
    monthly = MeetingKindFactory(name="主题党日", frequency="monthly")
    secretary = PersonFactory(unit=world.unit_a, user=UserFactory(email="shuji@example.org"), name="周书记")
    branch = BranchFactory(unit=world.unit_a, members=[secretary])
    branch.secretary = secretary
    branch.save()
    MeetingFactory(branch=branch, kind=monthly, held_on=datetime.date(2022, 9, 2))
    assert remind_missing_meetings("2022-09-22") == 0  # 8 days before the end: not a reminder day
    assert remind_missing_meetings("2022-09-23") == 1
    [message] = mail.outbox
    assert message.to == ["shuji@example.org"] and "支部党员大会" in message.body and "主题党日" not in message.body
    assert quarterly.name in message.subject or "1 项" in message.subject
