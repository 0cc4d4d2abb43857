"""Bad input gets a clear Chinese message naming the field, and nothing is saved."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bureau.choices import Rank
from offices.choices import RepairKind, RepairState, RoomCategory, RoomKind, TitleState
from offices.forms import BuildingForm, LeaseForm, RankLimitForm, RepairProjectForm, RoomForm
from offices.models import Building, Lease, RankLimit, RepairProject, Room
from tests.offices.factories import (
    BuildingFactory,
    FlatFactory,
    FloorFactory,
    LeaseFactory,
    RepairProjectFactory,
    RoomFactory,
    person,
    standard_2014,
)


def room_data(unit, **changes):
    building = BuildingFactory(unit=unit)
    floor = FloorFactory(building=building)
    data = {
        "building": building.pk,
        "floor": floor.pk,  # the API names the floor by id,
        "floor_level": floor.level,  # the form and the import by its number in the building
        "number": "301",
        "category": RoomCategory.OFFICE,
        "kind": RoomKind.OFFICE,
        "usable_area": "18",
        "unit": unit.pk,
    }
    return data | changes


def refused(form_class, data, field, text, user, instance=None):
    form = form_class(data, instance=instance, user=user)
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert text in " ".join(form.errors[field]), form.errors[field]


@pytest.fixture
def staff(world):
    return world.staff("offices")


@pytest.mark.django_db
class TestRoom:
    @pytest.mark.parametrize("area", ["0", "-5"])
    def test_area_must_be_positive(self, world, staff, area):
        refused(RoomForm, room_data(world.unit_a, usable_area=area), "usable_area", "面积必须大于 0", staff)
        assert not Room.objects.exists()

    def test_floor_must_be_in_the_building(self, world, staff):
        data = room_data(world.unit_a, floor_level=99)
        refused(RoomForm, data, "floor_level", "没有登记第 99 层，请先在楼宇中新增该楼层", staff)
        assert not Room.objects.exists()

    def test_api_refuses_a_floor_of_another_building(self, api, world, staff):
        elsewhere = FloorFactory(building=BuildingFactory(unit=world.unit_a))
        api.force_authenticate(staff)
        response = api.post(
            reverse("offices-api:room-list"), room_data(world.unit_a, floor=elsewhere.pk), format="json"
        )
        assert response.status_code == 400 and "所选楼层不属于所选楼宇" in response.data["floor"][0]
        assert not Room.objects.exists()

    def test_duplicate_number_in_a_building(self, world, staff):
        first = RoomFactory(unit=world.unit_a, number="301")
        data = room_data(world.unit_a) | {"building": first.building_id, "floor_level": first.floor.level}
        refused(RoomForm, data, "number", "已有房间号 301", staff)
        assert Room.objects.count() == 1

    def test_same_number_in_another_building_is_fine(self, world, staff):
        RoomFactory(unit=world.unit_a, number="301")
        assert RoomForm(room_data(world.unit_a), user=staff).is_valid()

    def test_occupant_already_holding_another_office(self, world, staff):
        holder = person(world.unit_a, Rank.BUREAU_DEPUTY, name="李明")
        RoomFactory(unit=world.unit_a, occupants=[holder])
        data = room_data(world.unit_a, occupants=[holder.pk])
        refused(RoomForm, data, "occupants", "李明 已在", staff)
        assert Room.objects.count() == 1

    def test_occupants_only_in_office_rooms(self, world, staff):
        p = person(world.unit_a)
        data = room_data(world.unit_a, category=RoomCategory.SERVICE, kind=RoomKind.MEETING, occupants=[p.pk])
        refused(RoomForm, data, "occupants", "只有办公室用房登记使用人", staff)

    def test_occupant_of_another_unit(self, world, staff):
        stranger = person(world.unit_b, name="王五")
        refused(RoomForm, room_data(world.unit_a, occupants=[stranger.pk]), "occupants", "王五 不属于使用单位", staff)

    def test_unknown_class(self, world, staff):
        refused(RoomForm, room_data(world.unit_a, category="garden"), "category", "garden", staff)

    def test_kind_must_fit_class(self, world, staff):
        data = room_data(world.unit_a, kind=RoomKind.CANTEEN)
        refused(RoomForm, data, "kind", "用途“食堂”不属于“办公室用房”", staff)

    def test_api_refuses_an_occupant_seated_elsewhere(self, api, world, staff):
        holder = person(world.unit_a, name="李明")
        RoomFactory(unit=world.unit_a, occupants=[holder])
        api.force_authenticate(staff)
        response = api.post(
            reverse("offices-api:room-list"), room_data(world.unit_a, occupants=[holder.pk]), format="json"
        )
        assert response.status_code == 400
        assert "一人只能占用一间办公室" in response.data["occupants"][0]
        assert Room.objects.count() == 1


@pytest.mark.django_db
class TestStandards:
    def test_unknown_rank(self, staff):
        data = {"standard": standard_2014().pk, "rank": "general", "limit_area": "40"}
        refused(RankLimitForm, data, "rank", "general", staff)

    def test_rank_twice_in_one_standard(self, staff):
        data = {"standard": standard_2014().pk, "rank": Rank.CITY_HEAD, "limit_area": "40"}
        form = RankLimitForm(data, user=staff)
        assert not form.is_valid()
        assert "该标准已有此职级" in str(form.errors)
        assert RankLimit.objects.count() == 5


@pytest.mark.django_db
class TestBuilding:
    def test_registered_title_needs_certificate_and_owner(self, world, staff):
        data = {
            "code": "B1",
            "name": "综合楼",
            "address": "地址",
            "structure": "frame",
            "floor_area": "5000",
            "unit": world.unit_a.pk,
            "status": "in_use",
            "title_state": TitleState.REGISTERED,
        }
        refused(BuildingForm, data, "certificate_no", "须填写不动产权证号", staff)
        refused(BuildingForm, data | {"title_state": TitleState.FILED}, "title_note", "须写明原因", staff)
        assert not Building.objects.exists()


@pytest.mark.django_db
class TestRepair:
    def data(self, unit, **changes):
        return {
            "unit": unit.pk,
            "building": BuildingFactory(unit=unit, floor_area=Decimal("4000")).pk,
            "year": 2022,
            "kind": RepairKind.MAJOR,
            "title": "综合楼大修",
            "scope": "结构加固",
            "added_floor_area": "0",
            "requested_amount": "1000000",
            "state": RepairState.APPLIED,
        } | changes

    def test_major_repair_adding_more_than_15_percent_is_refused(self, world, staff):
        # 15% of 4,000 m² = 600 m²: 601 is refused, 600 accepted.
        refused(
            RepairProjectForm,
            self.data(world.unit_a, added_floor_area="601"),
            "added_floor_area",
            "超过原建筑面积的 15%",
            staff,
        )
        assert RepairProjectForm(self.data(world.unit_a, added_floor_area="600"), user=staff).is_valid()
        assert not RepairProject.objects.exists()

    def test_medium_repair_adds_no_area(self, world, staff):
        data = self.data(world.unit_a, kind=RepairKind.MEDIUM, added_floor_area="10")
        refused(RepairProjectForm, data, "added_floor_area", "只有大修可以增加建筑面积", staff)

    def test_approved_amount_above_request(self, world, staff):
        project = RepairProjectFactory(unit=world.unit_a)
        data = self.data(
            world.unit_a, building=project.building_id, state=RepairState.APPROVED, approved_amount="1000001"
        )
        refused(
            RepairProjectForm,
            data | {"version": project.version},
            "approved_amount",
            "审定金额不能高于申报概算",
            staff,
            project,
        )
        project.refresh_from_db()
        assert project.approved_amount is None and project.state == RepairState.APPLIED

    def test_state_cannot_skip_review(self, world, staff):
        project = RepairProjectFactory(unit=world.unit_a)
        project = RepairProject.objects.get(pk=project.pk)
        data = self.data(
            world.unit_a, building=project.building_id, state=RepairState.ACCEPTED, approved_amount="900000"
        )
        refused(RepairProjectForm, data, "state", "不能从“已申报”直接变为“已验收”", staff, project)

    def test_cut_and_rate(self, world):
        # 1,000,000 requested, 880,000 approved: cut 120,000, rate 0.12.
        project = RepairProjectFactory(unit=world.unit_a, approved_amount=Decimal("880000"), state=RepairState.APPROVED)
        assert project.cut_amount == Decimal("120000") and project.cut_rate == Decimal("0.1200")

    def test_api_refuses_approved_above_request(self, api, world, staff):
        project = RepairProjectFactory(unit=world.unit_a)
        api.force_authenticate(staff)
        url = reverse("offices-api:repairproject-detail", args=[project.pk])
        body = {"approved_amount": "1200000", "state": RepairState.APPROVED, "version": project.version}
        response = api.patch(url, body, format="json")
        assert response.status_code == 400 and "审定金额不能高于申报概算" in str(response.data["approved_amount"])

    def test_liaison_applies_but_cannot_set_the_approved_amount(self, client, world):
        client.force_login(world.liaison_a)
        data = self.data(world.unit_a, approved_amount="1", state=RepairState.ACCEPTED)
        assert client.post(reverse("offices:repairproject_add"), data).status_code == 302
        project = RepairProject.objects.get()
        assert project.approved_amount is None and project.state == RepairState.APPLIED

    def test_unit_cannot_apply_for_another_units_building(self, world, staff):
        data = self.data(world.unit_a, building=BuildingFactory(unit=world.unit_b).pk)
        refused(RepairProjectForm, data, "building", "申报单位不使用该楼宇", staff)


@pytest.mark.django_db
class TestLease:
    def data(self, unit, **changes):
        return {
            "flat": FlatFactory().pk,
            "person": person(unit).pk,
            "joined_on": "2021-07-01",
            "start": "2022-02-01",
            "end": "2025-01-31",
            "monthly_rent": "800",
        } | changes

    def test_end_before_start(self, world, staff):
        refused(LeaseForm, self.data(world.unit_a, end="2022-01-31"), "end", "租期结束日期不能早于开始日期", staff)
        assert not Lease.objects.exists()

    def test_joined_too_long_ago(self, world, staff):
        # The 2022 policy allows 5 years: joined 2017-01-31, start 2022-02-01 is over 5 years.
        refused(LeaseForm, self.data(world.unit_a, joined_on="2017-01-31"), "joined_on", "入职已满 5 年", staff)

    def test_flat_already_let(self, world, staff):
        taken = LeaseFactory(unit=world.unit_a)
        data = self.data(world.unit_a, flat=taken.flat_id)
        refused(LeaseForm, data, "flat", "该房源在此租期内已出租", staff)

    def test_flat_free_after_move_out(self, world, staff):
        taken = LeaseFactory(unit=world.unit_a, moved_out_on=datetime.date(2022, 1, 15))
        form = LeaseForm(self.data(world.unit_a, flat=taken.flat_id), user=staff)
        assert form.is_valid(), form.errors
        assert form.save().unit == world.unit_a
