"""Allocation and reclaim, the ledger request kind, the remaining metrics and the report sheets."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from bureau.choices import Rank
from bureau.metrics import REGISTRY as METRICS
from bureau.models import AuditEntry, Unit
from bureau.reports import REGISTRY as SHEETS
from bureau.reports import build_workbook
from bureau.requests import REGISTRY as KINDS
from offices.choices import BuildingStatus, RepairKind, RepairState, RoomCategory, TitleState
from offices.forms import AllocationForm
from offices.models import Allocation, Occupancy, Reconciliation, Room
from offices.requests import LedgerRow, differences, ledger_rows, record_reconciliation
from tests.offices.factories import (
    BuildingFactory,
    RepairProjectFactory,
    RevitalisationFactory,
    RoomFactory,
    person,
)


def allocation_data(kind, unit, rooms, **changes):
    return {
        "kind": kind,
        "unit": unit.pk,
        "reason": "vacated" if kind == "reclaim" else "",
        "rooms": [r.pk for r in rooms],
        "document_no": "X机管〔2022〕5号",
        "approved_on": "2022-03-01",
        "effective_on": "2022-03-10",
    } | changes


@pytest.mark.django_db
class TestAllocation:
    def test_reclaim_then_allocate_moves_the_room_with_history(self, world):
        staff = world.staff("offices")
        room = RoomFactory(unit=world.unit_a, usable_area=Decimal("32"), occupants=[person(world.unit_a)])
        form = AllocationForm(allocation_data("reclaim", world.unit_a, [room]), user=staff)
        assert form.is_valid(), form.errors
        reclaim = form.save()
        room.refresh_from_db()
        assert room.unit is None and not Occupancy.objects.filter(room=room).exists()
        assert reclaim.total_area == Decimal("32")  # taken from the room when left empty

        form = AllocationForm(allocation_data("allocate", world.unit_b, [room]), user=staff)
        assert form.is_valid(), form.errors
        form.save()
        room.refresh_from_db()
        assert room.unit == world.unit_b
        history = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Room), object_id=str(room.pk), action="update"
        ).order_by("id")
        moves = [e.changes["unit_id"] for e in history if "unit_id" in e.changes]
        assert moves == [[world.unit_a.pk, None], [None, world.unit_b.pk]]

    def test_correcting_an_old_record_does_not_move_its_rooms_back(self, world):
        staff = world.staff("offices")
        room = RoomFactory(unit=world.unit_a)
        AllocationForm(allocation_data("reclaim", world.unit_a, [room]), user=staff).save()
        allocation = AllocationForm(allocation_data("allocate", world.unit_b, [room]), user=staff)
        allocation = allocation.save() if allocation.is_valid() else pytest.fail(str(allocation.errors))
        reclaim = Allocation.objects.get(kind="reclaim")
        data = allocation_data("reclaim", world.unit_a, [room], document_no="X机管〔2022〕6号")
        form = AllocationForm(data | {"version": reclaim.version}, instance=reclaim, user=staff)
        assert form.is_valid(), form.errors
        form.save()
        room.refresh_from_db()
        assert room.unit == world.unit_b  # still where the later allocation put it

    def test_room_of_another_unit_cannot_be_allocated(self, world):
        room = RoomFactory(unit=world.unit_b)
        form = AllocationForm(allocation_data("allocate", world.unit_a, [room]), user=world.staff("offices"))
        assert not form.is_valid()
        assert "须先收回再配置" in str(form.errors["rooms"])
        room.refresh_from_db()
        assert room.unit == world.unit_b and not Allocation.objects.exists()

    def test_reclaim_needs_a_reason_and_rooms_or_area(self, world):
        form = AllocationForm(allocation_data("reclaim", world.unit_a, [], reason=""), user=world.staff("offices"))
        assert not form.is_valid()
        assert "收回须选择收回原因" in str(form.errors["reason"])
        assert "请选择房间，或填写面积" in str(form.errors["rooms"])

    def test_api_allocation_moves_the_rooms(self, api, world):
        room = RoomFactory(unit=world.unit_a)
        api.force_authenticate(world.staff("offices"))
        body = allocation_data("reclaim", world.unit_a, [room], reason="over_standard")
        response = api.post(reverse("offices-api:allocation-list"), body, format="json")
        assert response.status_code == 201, response.content
        room.refresh_from_db()
        assert room.unit is None


@pytest.mark.django_db
class TestLedgerRequest:
    def rooms(self, world):
        building = BuildingFactory(unit=world.unit_a, code="JG001")
        a = RoomFactory(unit=world.unit_a, building=building, number="101", usable_area=Decimal("18"))
        b = RoomFactory(unit=world.unit_a, building=building, number="102", usable_area=Decimal("36"))
        RoomFactory(unit=world.unit_b, number="999")
        return a, b

    def test_kind_is_registered(self):
        kind = KINDS["offices.ledger"]
        assert kind.area == "offices" and kind.row_form is LedgerRow and kind.initial_rows is ledger_rows

    def test_prefill_is_the_units_rooms_only(self, world):
        self.rooms(world)
        rows = ledger_rows(world.unit_a, "2022")
        assert [(r["building_code"], r["number"], r["usable_area"]) for r in rows] == [
            ("JG001", "101", Decimal("18")),
            ("JG001", "102", Decimal("36")),
        ]

    def test_confirmed_unchanged_has_no_differences(self, world):
        self.rooms(world)
        assert differences(world.unit_a, ledger_rows(world.unit_a)) == []

    def test_differences_are_listed_with_their_rows(self, world):
        self.rooms(world)
        rows = ledger_rows(world.unit_a)
        rows[0]["usable_area"] = Decimal("20")  # area differs
        rows[0]["category"] = RoomCategory.SERVICE  # class differs
        del rows[1]  # 102 left out
        rows.append({"building_code": "JG001", "number": "103", "category": "office", "usable_area": Decimal("9")})
        found = {(d["number"], d["message"], d["row"]) for d in differences(world.unit_a, rows)}
        assert found == {
            ("101", "使用面积不一致。", 1),
            ("101", "用房类别不一致。", 1),
            ("103", "主账中本单位没有此房间。", 2),
            ("102", "主账中有此房间，单位未填报。", None),
        }
        flags = list(KINDS["offices.ledger"].checks[0](SimpleNamespace(unit=world.unit_a), rows))
        assert len(flags) == 4 and {f.field for f in flags} == {"usable_area", "category", ""}

    def test_row_form_rejects_unknown_class_and_zero_area(self):
        form = LedgerRow({"building_code": "JG001", "number": "1", "category": "garden", "usable_area": "0"})
        assert not form.is_valid()
        assert set(form.errors) == {"category", "usable_area"}
        assert "面积必须大于 0" in form.errors["usable_area"][0]

    def test_approval_records_and_replaces(self, world):
        self.rooms(world)
        submission = SimpleNamespace(unit=world.unit_a, period="2022")
        rows = ledger_rows(world.unit_a)
        rows[1]["usable_area"] = Decimal("30")
        record = record_reconciliation(submission, rows)
        assert not record.settled and record.difference_count == 1
        assert record.differences[0]["ledger"] == "36.00" and record.differences[0]["reported"] == "30"
        again = record_reconciliation(submission, ledger_rows(world.unit_a))
        assert Reconciliation.objects.count() == 1 and again.pk == record.pk
        assert again.settled and again.consistent

    def test_liaison_sees_only_own_reconciliation(self, client, world):
        self.rooms(world)
        mine = record_reconciliation(SimpleNamespace(unit=world.unit_a, period="2022"), [])
        theirs = record_reconciliation(SimpleNamespace(unit=world.unit_b, period="2022"), [])
        client.force_login(world.liaison_a)
        assert client.get(reverse("offices:reconciliation_detail", args=[mine.pk])).status_code == 200
        assert client.get(reverse("offices:reconciliation_detail", args=[theirs.pk])).status_code == 404
        body = client.get(reverse("offices:reconciliation_detail", args=[mine.pk])).content.decode()
        assert "主账中有此房间，单位未填报。" in body


@pytest.mark.django_db
class TestMetrics:
    def test_title_registered_share_ignores_disposed_buildings(self, world):
        BuildingFactory(unit=world.unit_a, title_state=TitleState.REGISTERED, certificate_no="1", registered_owner="局")
        BuildingFactory(unit=world.unit_a)
        BuildingFactory(unit=world.unit_a, status=BuildingStatus.DISPOSED)
        BuildingFactory(unit=world.unit_b)
        share = METRICS["offices.title_registered_share"]
        # Unit A: 1 registered of 2 in use = 0.5; city: 1 of 3.
        assert share.compute(2022, Unit.objects.filter(pk=world.unit_a.pk)) == 0.5
        assert share.compute(2022, Unit.objects.all()) == pytest.approx(1 / 3, abs=1e-4)

    def test_repair_cut_rate_counts_reviewed_projects_of_the_year(self, world):
        # Cuts 100,000 of 1,000,000 and 50,000 of 500,000: 150,000 / 1,500,000 = 0.1.
        RepairProjectFactory(unit=world.unit_a, approved_amount=Decimal("900000"), state=RepairState.APPROVED)
        RepairProjectFactory(
            unit=world.unit_b,
            requested_amount=Decimal("500000"),
            approved_amount=Decimal("450000"),
            state=RepairState.ACCEPTED,
        )
        RepairProjectFactory(unit=world.unit_a)  # not yet reviewed
        RepairProjectFactory(unit=world.unit_a, year=2021, approved_amount=Decimal("1"), state=RepairState.APPROVED)
        rate = METRICS["offices.repair_cut_rate"]
        assert rate.compute(2022, Unit.objects.all()) == 0.1
        assert rate.compute(2022, Unit.objects.filter(pk=world.unit_a.pk)) == 0.1
        assert rate.compute(2020, Unit.objects.all()) is None

    def test_idle_revitalised_area_of_the_year(self, world):
        RevitalisationFactory(building=BuildingFactory(unit=world.unit_a), revitalised_area=Decimal("1200"))
        RevitalisationFactory(building=BuildingFactory(unit=world.unit_b), revitalised_area=Decimal("800"))
        RevitalisationFactory(revitalised_area=Decimal("500"), start=datetime.date(2021, 5, 1))
        area = METRICS["offices.idle_revitalised_area"]
        assert area.compute(2022, Unit.objects.all()) == 2000.0
        assert area.compute(2022, Unit.objects.filter(pk=world.unit_a.pk)) == 1200.0


def sheet_rows(tmp_path, key, units):
    path = tmp_path / "book.xlsx"
    build_workbook(path, 2022, units, sheets=[SHEETS[key]])
    book = load_workbook(path, read_only=True)
    return [list(r) for r in book[book.sheetnames[-1]].iter_rows(values_only=True)]


@pytest.mark.django_db
class TestSheets:
    def test_overview_by_unit(self, tmp_path, world):
        RoomFactory(unit=world.unit_a, usable_area=Decimal("32"), occupants=[person(world.unit_a, Rank.CITY_DEPUTY)])
        RoomFactory(unit=world.unit_a, usable_area=Decimal("60"), category=RoomCategory.SERVICE, kind="meeting")
        RoomFactory(unit=world.unit_b, usable_area=Decimal("9"), occupants=[person(world.unit_b)])
        rows = sheet_rows(tmp_path, "offices.overview", Unit.objects.all())
        header, body, total = rows[1], rows[2:-1], rows[-1]
        assert header[0] == "单位" and header[2] == "办公室用房（m²）"
        a = next(r for r in body if r[0] == world.unit_a.name)
        # 2 rooms; 32 office + 60 service = 92; 1 person, limit 30; unit 2 over; 1 room 2 over.
        assert a[1:] == [2, 32, 60, 0, 0, 92, 1, 30, 2, 1, 2]
        assert total[0] == "合计" and total[1] == 3 and total[6] == 101

    def test_over_standard_findings_sheet(self, tmp_path, world):
        RoomFactory(
            unit=world.unit_a,
            number="808",
            usable_area=Decimal("32"),
            occupants=[person(world.unit_a, Rank.CITY_DEPUTY, name="赵六")],
        )
        RoomFactory(unit=world.unit_b, usable_area=Decimal("18"), occupants=[person(world.unit_b, Rank.BUREAU_DEPUTY)])
        rows = sheet_rows(tmp_path, "offices.over_standard", Unit.objects.all())
        assert rows[2][2:] == ["808", 32, "赵六（市级副职）", 30, 2]
        assert rows[-1][0] == "合计 1 间" and rows[-1][-1] == 2
        assert len(sheet_rows(tmp_path, "offices.over_standard", Unit.objects.filter(pk=world.unit_b.pk))) == 3

    def test_repairs_sheet_totals_reviewed_projects(self, tmp_path, world):
        RepairProjectFactory(unit=world.unit_a, approved_amount=Decimal("880000"), state=RepairState.APPROVED)
        RepairProjectFactory(unit=world.unit_a, kind=RepairKind.ROUTINE)
        rows = sheet_rows(tmp_path, "offices.repairs", Unit.objects.all())
        assert rows[-2][5:] == [1000000, 880000, 120000, 0.12]
        assert len(rows) == 6  # title, header, two projects, total, note

    def test_titles_sheet(self, tmp_path, world):
        BuildingFactory(unit=world.unit_a, title_state=TitleState.REGISTERED, certificate_no="1", registered_owner="局")
        BuildingFactory(unit=world.unit_a, title_state=TitleState.FILED, title_note="历史遗留")
        rows = sheet_rows(tmp_path, "offices.titles", Unit.objects.all())
        assert rows[2] == [world.unit_a.name, 2, 10000, 1, 5000, 0, 1, 0.5, "否"]


@pytest.mark.django_db
class TestScoping:
    def test_liaison_sees_a_building_where_the_unit_uses_rooms(self, client, world):
        shared = BuildingFactory(unit=world.unit_b)
        RoomFactory(unit=world.unit_a, building=shared)
        RoomFactory(unit=world.unit_b, building=shared, number="B-only")
        client.force_login(world.liaison_a)
        response = client.get(reverse("offices:building_detail", args=[shared.pk]))
        assert response.status_code == 200
        assert "B-only" not in response.content.decode()
        assert client.get(reverse("offices:building_edit", args=[shared.pk])).status_code == 403

    def test_liaison_metrics_and_exports_cover_own_unit(self, client, world):
        RoomFactory(unit=world.unit_a, usable_area=Decimal("32"), occupants=[person(world.unit_a, Rank.CITY_DEPUTY)])
        RoomFactory(unit=world.unit_b, usable_area=Decimal("50"), occupants=[person(world.unit_b, Rank.CITY_DEPUTY)])
        client.force_login(world.liaison_a)
        response = client.get(reverse("offices:room_export"))
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        assert len(list(book.active.iter_rows(values_only=True))) == 2  # header + own room
        units = Unit.objects.for_user(world.liaison_a)
        assert METRICS["offices.over_standard_area"].compute(2022, units) == 2.0


@pytest.mark.django_db
class TestLedgerCycle:
    """Publish → the liaison corrects the prefilled sub-ledger → checks flag it → approval records
    the difference for the division to settle (bureau.workflow end to end)."""

    def test_unit_corrects_its_sub_ledger_and_staff_settle(self, world):
        from bureau import workflow
        from bureau.models import DataRequest

        building = BuildingFactory(unit=world.unit_a, code="JG001")
        RoomFactory(unit=world.unit_a, building=building, number="101", usable_area=Decimal("18"))
        RoomFactory(unit=world.unit_a, building=building, number="102", usable_area=Decimal("36"))
        staff = world.staff("offices")
        request = DataRequest.objects.create(
            kind="offices.ledger",
            title="2022 年度办公用房统计",
            year=2022,
            frequency="annual",
            deadline=datetime.date(2023, 3, 31),
        )
        request.units.set([world.unit_a, world.unit_b])
        workflow.publish(request, staff)
        sub = request.submissions.get(unit=world.unit_a)
        assert [(r["number"], r["usable_area"]) for r in sub.rows] == [("101", "18.00"), ("102", "36.00")]

        rows = [dict(r) for r in sub.rows]
        rows[1]["usable_area"] = "30"
        assert workflow.save_rows(sub, [*rows, rows[0]], world.liaison_a)[0][1:] == ("房间号", "同一房间填报了两次。")
        assert workflow.save_rows(sub, rows, world.liaison_a) == []
        workflow.submit(sub, world.liaison_a)
        sub.refresh_from_db()
        assert [(f["row"], f["field"]) for f in sub.flags] == [(2, "usable_area")]

        workflow.approve(sub, staff)
        record = Reconciliation.objects.get(unit=world.unit_a, period="2022")
        assert not record.settled and record.differences[0]["number"] == "102"
        assert not Reconciliation.objects.filter(unit=world.unit_b).exists()
