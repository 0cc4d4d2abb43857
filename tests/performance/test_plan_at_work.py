"""The plan at work: indicators on live figures, divisions on their own projects, dispatch,
suggested bonus and deduction items, the grade quota, and the figures of the area."""

import base64
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from bureau import metrics
from performance import assess, progress
from performance.models import Adjustment, Assessment, Evaluation, Indicator, Item, Plan, ProgressReport
from tests.conftest import make_user
from tests.factories import PersonFactory, SubmissionFactory
from tests.performance.factories import (
    AssessmentFactory,
    EvaluationFactory,
    IndicatorFactory,
    ItemFactory,
    PlanFactory,
    ProgressReportFactory,
)
from tests.vehicles.factories import VehicleFactory

pytestmark = pytest.mark.django_db


def test_an_indicator_on_the_new_energy_share_turns_green_when_new_energy_vehicles_arrive(world, api):
    year = timezone.localdate().year  # the year still runs: not met is yellow, not red
    item = ItemFactory(parent__plan=PlanFactory(year=year), division="vehicles")
    nev = IndicatorFactory(
        item=item, label="新能源车更新占比", metric="vehicles.nev_share", target=Decimal("50"), unit_of_measure="%",
        manual_value=None, evidence="",
    )  # fmt: skip
    for _ in range(3):
        VehicleFactory(unit=world.unit_a, energy_type="petrol")
    VehicleFactory(unit=world.unit_b, energy_type="bev")
    judge = progress.Judge()
    assert (judge.value(nev), judge.state(nev)) == (Decimal("25"), "yellow")  # 1 of 4
    api.force_authenticate(world.staff("performance"))
    row = api.get(reverse("performance-api:indicator-detail", args=[nev.pk])).json()
    assert (row["value"], row["state"], row["metric"]) == (25.0, "yellow", "vehicles.nev_share")

    VehicleFactory(unit=world.unit_a, energy_type="bev")
    VehicleFactory(unit=world.unit_b, energy_type="phev")
    judge = progress.Judge()
    assert (judge.value(nev), judge.state(nev)) == (Decimal("50"), "green")  # 3 of 6
    row = api.get(reverse("performance-api:indicator-detail", args=[nev.pk])).json()
    assert (row["value"], row["state"]) == (50.0, "green")
    # The dashboard's target for the figure is the plan's.
    assert metrics.target_for("vehicles.nev_share", year) == metrics.Target("ge", 50.0, f"{year}年工作计划 一.1")


def test_a_closed_year_left_unmet_is_red():
    nev = IndicatorFactory(
        item=ItemFactory(parent__plan=PlanFactory(year=2021)), target=Decimal("5000"), manual_value=Decimal("4000")
    )
    assert progress.Judge(datetime.date(2022, 1, 10)).state(nev) == "red"
    nev.manual_value = Decimal("5000")
    assert progress.Judge(datetime.date(2022, 1, 10)).state(nev) == "green"


def test_a_decrease_is_judged_against_the_base():
    co2 = IndicatorFactory(
        comparison="decrease", target=Decimal("5"), base=Decimal("1000"), manual_value=Decimal("960")
    )  # down 4 % in a year that has not ended
    assert progress.Judge().state(co2) == "yellow"
    co2.manual_value = Decimal("950")  # down 5 %
    assert progress.Judge().state(co2) == "green"


def test_a_division_sees_and_reports_only_its_own_projects(client, world):
    plan = PlanFactory(year=2022)
    ours = ItemFactory(parent__plan=plan, division="offices")
    theirs = ItemFactory(parent__plan=plan, division="vehicles")
    staff = world.staff("offices")
    client.force_login(staff)
    listed = client.get(reverse("performance:item_list")).content.decode()
    assert ours.get_absolute_url() in listed and theirs.get_absolute_url() not in listed
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("performance:item_add")).status_code == 403  # reads the plan, does not edit it

    page = client.get(reverse("performance:progressreport_add"), {"item": ours.pk})
    form = page.context["form"]
    assert list(form.fields["item"].queryset) == [ours]
    data = {"item": ours.pk, "period": "2022-03", "text": "完成清查方案。", "percent": 30}
    assert client.post(reverse("performance:progressreport_add"), data).status_code == 302
    refused = client.post(reverse("performance:progressreport_add"), data | {"item": theirs.pk, "period": "2022-04"})
    assert refused.status_code == 400 and "item" in refused.context["form"].errors
    report = ProgressReport.objects.get()
    assert (report.item, report.reported_by, report.percent) == (ours, staff, 30)

    # The dispatch meeting shows them their division only.
    body = client.get(reverse("performance:dispatch")).content.decode()
    assert ours.get_absolute_url() in body and theirs.get_absolute_url() not in body


def test_a_cadre_sees_only_their_own_evaluations(client, world):
    me = PersonFactory(unit=world.unit_a, user=world.member)
    mine = EvaluationFactory(person=me)
    other = EvaluationFactory(person=PersonFactory(unit=world.unit_a))
    client.force_login(world.member)
    listed = client.get(reverse("performance:evaluation_list")).content.decode()
    assert mine.get_absolute_url() in listed and other.get_absolute_url() not in listed
    assert client.get(other.get_absolute_url()).status_code == 404
    # Supervising nobody, they are offered nobody to evaluate.
    assert '<option value="' + str(me.pk) not in client.get(reverse("performance:evaluation_add")).content.decode()
    # Not even the cadre's division colleagues read them.
    client.force_login(world.staff("offices"))
    listed = client.get(reverse("performance:evaluation_list")).content.decode()
    assert mine.get_absolute_url() not in listed and other.get_absolute_url() not in listed


@pytest.mark.parametrize(
    ("model", "data", "field", "words"),
    [
        ("indicator", {"metric": "no.such_metric"}, "metric", "未登记的数据指标"),
        ("indicator", {"target": "九十五"}, "target", ""),
        ("indicator", {"manual_value": "12", "evidence": ""}, "evidence", "佐证"),
        ("progressreport", {"percent": 101}, "percent", ""),
        ("adjustment", {"reason": "  "}, "reason", ""),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, world, model, data, field, words):
    item = ItemFactory(parent__plan=PlanFactory(year=2022))
    base = {
        "indicator": {"item": item.pk, "label": "保障率", "comparison": "ge", "target": "95", "unit_of_measure": "%"},
        "progressreport": {"item": item.pk, "period": "2022-05", "text": "进展", "percent": 50},
        "adjustment": {"assessment": AssessmentFactory().pk, "kind": "bonus", "points": "1", "state": "proposed"},
    }[model]
    client.force_login(world.staff("performance"))
    model_class = {"indicator": Indicator, "progressreport": ProgressReport, "adjustment": Adjustment}[model]
    before = model_class.objects.count()
    response = client.post(reverse(f"performance:{model}_add"), {"reason": "", "evidence": ""} | base | data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert model_class.objects.count() == before


def test_the_share_of_excellent_is_capped_by_the_quota(client, world):
    plan = PlanFactory(excellent_quota=Decimal("20"))
    divisions = ["offices", "vehicles", "energy", "logistics", "party"]
    for d in divisions:
        AssessmentFactory(plan=plan, division=d)
    client.force_login(world.staff("performance"))
    first, second = Assessment.objects.filter(plan=plan).order_by("pk")[:2]

    def grade(a, value):
        data = {"plan": plan.pk, "division": a.division, "base_score": "100", "grade": value, "version": a.version}
        return client.post(reverse("performance:assessment_edit", args=[a.pk]), data)

    assert grade(first, "excellent").status_code == 302  # 1 of 5 = 20 %
    response = grade(second, "excellent")
    assert response.status_code == 400
    assert "优秀比例超过上限" in " ".join(response.context["form"].errors["grade"])
    assert Assessment.objects.filter(plan=plan, grade="excellent").count() == 1


def test_suggestions_come_from_the_data_and_count_once_accepted(client, world):
    plan = PlanFactory(year=2022)
    done = ItemFactory(parent__plan=plan, division="offices", deadline=datetime.date(2022, 6, 30))
    missed = ItemFactory(parent__plan=plan, division="offices", deadline=datetime.date(2022, 9, 30))
    ItemFactory(parent__plan=plan, division="vehicles", deadline=datetime.date(2022, 3, 31))  # not theirs
    on_time = timezone.make_aware(datetime.datetime(2022, 7, 2))
    ProgressReportFactory(item=done, period="2022-06", percent=100, submitted_at=on_time)
    late = ProgressReportFactory(item=missed, period="2022-03", percent=40)
    late.submitted_at = timezone.make_aware(datetime.datetime(2022, 4, 20))
    late.save()
    met = IndicatorFactory(item=done, target=Decimal("5000"), manual_value=Decimal("6000"))
    IndicatorFactory(item=missed, target=Decimal("5000"), manual_value=Decimal("100"))
    sent_late = SubmissionFactory(
        request__kind="offices.ledger", unit=world.unit_a, period="2022", deadline=datetime.date(2022, 3, 31),
        submitted_at=timezone.make_aware(datetime.datetime(2022, 4, 2)),
    )  # fmt: skip
    SubmissionFactory(
        request__kind="vehicles.annual", unit=world.unit_a, deadline=datetime.date(2022, 3, 31), submitted_at=None
    )
    assessment = AssessmentFactory(plan=plan, division="offices")

    found = assess.suggest(assessment, datetime.date(2023, 1, 15))
    assert sorted((s.source, s.kind, s.points, s.source_key) for s in found) == sorted(
        [
            ("deadline", "deduction", Decimal("2"), f"deadline:{missed.pk}"),
            ("late_report", "deduction", Decimal("0.5"), f"late_report:{late.pk}"),
            ("late_submission", "deduction", Decimal("0.5"), f"late_submission:{sent_late.pk}"),
            ("indicator", "bonus", Decimal("1"), f"indicator:{met.pk}"),
        ]
    )

    client.force_login(world.staff("performance"))
    assert client.post(reverse("performance:assessment_suggest", args=[assessment.pk])).status_code == 302
    assert client.post(reverse("performance:assessment_suggest", args=[assessment.pk])).status_code == 302
    assert assessment.adjustments.count() == 4  # computed twice, kept once
    assert assessment.total == Decimal("100")  # nothing counts before it is accepted
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert missed.get_absolute_url() in page and "逾期未完成" in page
    for adjustment in assessment.adjustments.all():
        state = "rejected" if adjustment.source == "late_submission" else "accepted"
        client.post(reverse("performance:adjustment_decide", args=[adjustment.pk]), {"state": state})
    assert assessment.total == Decimal("100") - 2 - Decimal("0.5") + 1
    assert set(assessment.adjustments.values_list("approved_by", flat=True)) == {world.staff("performance").pk}
    # A division reads its assessment but decides nothing.
    client.force_login(world.staff("offices"))
    assert client.get(assessment.get_absolute_url()).status_code == 200
    decide = reverse("performance:adjustment_decide", args=[Adjustment.objects.first().pk])
    assert client.post(decide, {"state": "rejected"}).status_code == 404


def test_the_area_figures_by_hand():
    year = timezone.localdate().year - 1  # a closed year
    plan = PlanFactory(year=year, report_grace_days=5)
    on_track = ItemFactory(parent__plan=plan, deadline=datetime.date(year, 6, 30))
    behind = ItemFactory(parent__plan=plan, deadline=datetime.date(year, 6, 30))
    ItemFactory(parent__plan=plan, retired=True, retired_reason="并入他项")
    ProgressReportFactory(item=on_track, period=f"{year}-06", percent=100)
    ProgressReportFactory(item=behind, period=f"{year}-01", percent=10)
    IndicatorFactory(item=on_track, target=Decimal("10"), manual_value=Decimal("12"))
    IndicatorFactory(item=behind, target=Decimal("10"), manual_value=Decimal("8"))
    IndicatorFactory(item=behind, target=None)
    # Every report above was filed today, long after its period: late.
    assert metrics.value("performance.projects_on_track_share", year, None) == 50.0
    assert metrics.value("performance.indicators_met_share", year, None) == 50.0
    assert metrics.value("performance.reports_on_time_share", year, None) == 0.0
    ProgressReportFactory(item=behind, period=f"{year}-12", percent=60, submitted_at=timezone.make_aware(
        datetime.datetime(year, 12, 31, 12)
    ))  # fmt: skip
    assert metrics.value("performance.reports_on_time_share", year, None) == round(100 / 3, 2)
    assert metrics.value("performance.projects_on_track_share", year + 50, None) is None


def test_the_dispatch_meeting_groups_by_division_and_state(client, world):
    year = timezone.localdate().year - 1
    plan = PlanFactory(year=year)
    red = ItemFactory(parent__plan=plan, division="energy", deadline=datetime.date(year, 6, 30))
    green = ItemFactory(parent__plan=plan, division="energy", deadline=datetime.date(year, 6, 30))
    ProgressReportFactory(item=green, period=f"{year}-06", percent=100)
    IndicatorFactory(item=green, label="低碳化改造家数", target=Decimal("3"), manual_value=Decimal("4"))
    IndicatorFactory(
        item=green, label="碳排放同比下降", comparison="decrease", target=Decimal("2"), unit_of_measure="%",
        base=Decimal("100"), manual_value=Decimal("96.9"),
    )  # fmt: skip
    client.force_login(world.leader)
    response = client.get(reverse("performance:dispatch"), {"year": year})
    assert response.status_code == 200
    ((division, states, count),) = response.context["divisions"]
    assert str(division) == "节能处" and count == 2
    by_state = {str(label)[0]: [item for item, _i in rows] for label, rows in states}
    assert by_state == {"红": [red], "黄": [], "绿": [green]}
    page = response.content.decode()
    assert "低碳化改造家数" in page and "data-print" in page
    # A decrease reads as the change against the base year: (100 - 96.9) / 100.
    assert "下降 3.1%" in page and "96.90" not in page


def test_the_upload_previews_the_tree_and_saves_on_confirmation(client, world, tmp_path):
    text = "导语。\n一、第一部分\n1.第一条。一是甲；二是乙。\n2.盘活不低于五千平方米闲置房产。\n"
    client.force_login(world.staff("performance"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("performance:plan_upload")
    preview = client.post(url, {"year": 2031, "file": SimpleUploadedFile("plan.txt", text.encode())})
    assert preview.status_code == 200 and not Plan.objects.exists()
    body = preview.content.decode()
    assert "一是甲；" in body and "不低于五千平方米" in body
    data = preview.context["data"]
    assert base64.b64decode(data).decode() == text
    assert client.post(url, {"data": data, "year": 2031}).status_code == 302
    saved = Plan.objects.get(year=2031)
    assert saved.text() == text and saved.items.count() == 5
    assert Indicator.objects.get(item__plan=saved).target == Decimal(5000)
    # A second import of the year is refused until replacing is confirmed.
    again = client.post(url, {"data": data, "year": 2031})
    assert again.status_code == 409 and "已导入" in again.content.decode()
    assert client.post(url, {"data": data, "year": 2031, "replace": "1"}).status_code == 302
    assert Plan.objects.get(year=2031).items.count() == 5
    # A file in an unknown format says where reading stopped.
    bad = client.post(url, {"year": 2032, "file": SimpleUploadedFile("p.txt", "导语\n一、甲\n乱行\n".encode("gbk"))})
    assert bad.status_code == 400 and "第 1 行第 1 列" in bad.content.decode()
    # Divisions do not import plans.
    client.force_login(world.staff("offices"))
    assert client.get(url).status_code == 403


def test_the_real_plan_imports_and_each_division_reports_on_its_projects(world):
    workplan = Path(__file__).resolve().parents[3] / "shared" / "reference" / "workplan-2022.txt"
    if not workplan.exists():
        pytest.skip("no workplan here")
    from performance import plan as plan_text

    saved = plan_text.store(plan_text.read(workplan.read_bytes()), 2022)
    assert saved.text() == workplan.read_text(encoding="utf-8")
    assert Item.objects.filter(plan=saved, level="part").count() == 3


def test_evaluations_feed_the_persons_assessment(client, world):
    person = PersonFactory(unit=world.unit_a, user=world.member)
    plan = PlanFactory(year=2022)
    EvaluationFactory(person=person, date=datetime.date(2022, 3, 1), quantity=80)
    EvaluationFactory(person=person, date=datetime.date(2022, 9, 1), quantity=90)
    EvaluationFactory(person=person, date=datetime.date(2021, 9, 1), quantity=10)  # another year
    assessment = Assessment.objects.create(plan=plan, person=person)
    client.force_login(world.member)
    response = client.get(assessment.get_absolute_url())
    assert response.status_code == 200 and response.context["evaluations"]["quantity"] == 85
    assert Evaluation.objects.for_user(world.member).count() == 3
    other = Assessment.objects.create(plan=plan, person=PersonFactory(unit=world.unit_a))
    assert client.get(other.get_absolute_url()).status_code == 404
    assert make_user("offices").groups.filter(name="offices").exists()


def test_the_tree_is_edited_in_the_browser_and_still_reads_as_the_plan(client, world):
    from performance import plan as plan_text

    text = "导语。\n一、甲部分\n1.第一条。一是子甲；二是子乙。\n2.第二条。后半句。\n二、乙部分\n1.乙的条目。\n"
    saved = plan_text.store(plan_text.read(text.encode()), 2040)
    client.force_login(world.staff("performance"))
    first = Item.objects.get(plan=saved, code="一.1")
    second = Item.objects.get(plan=saved, code="一.2")
    client.post(reverse("performance:item_move", args=[second.pk]), {"direction": "up"})
    assert (
        saved.text()
        == "导语。\n一、甲部分\n2.第二条。后半句。\n1.第一条。一是子甲；二是子乙。\n二、乙部分\n1.乙的条目。\n"
    )
    client.post(reverse("performance:item_move", args=[second.pk]), {"direction": "down"})
    assert saved.text() == text
    bad = client.post(reverse("performance:item_split", args=[first.pk]), {"at": "子乙", "number": "9"})
    assert bad.status_code == 400 and "只出现一次" in bad.content.decode()
    response = client.post(reverse("performance:item_split", args=[first.pk]), {"at": "1.第一条", "number": "1"})
    assert response.status_code == 400  # at the very start: nothing would be left
    response = client.post(reverse("performance:item_split", args=[second.pk]), {"at": "后半句", "number": "3"})
    assert response.status_code == 302 and saved.text() == text
    rest = Item.objects.get(plan=saved, code="一.3")
    assert rest.text == "后半句。\n" and rest.division == second.division
    # A new node goes last under its parent; retiring one needs a reason.
    page = client.get(reverse("performance:item_add"), {"plan": saved.pk, "parent": first.pk})
    data = {"plan": saved.pk, "parent": first.pk, "level": "subitem", "number": "三", "text": "三是子丙。"}
    assert page.status_code == 200 and client.post(reverse("performance:item_add"), data).status_code == 302
    assert saved.text() == text.replace("二是子乙。\n", "二是子乙。\n三是子丙。")
    edit = data | {"retired": "on", "version": first.version}
    refused = client.post(reverse("performance:item_edit", args=[first.pk]), edit)
    assert refused.status_code == 400
    assert "撤销项目须写明原因" in " ".join(refused.context["form"].errors["retired_reason"])


def test_the_dispatch_meeting_costs_the_same_queries_for_more_projects(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = PlanFactory(year=2022)

    def add():
        item = ItemFactory(parent__plan=plan, division="offices")
        ProgressReportFactory(item=item, period="2022-02")
        IndicatorFactory(item=item)

    add()
    client.force_login(world.staff("performance"))
    client.get(reverse("performance:dispatch"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("performance:dispatch")).status_code == 200
    for _ in range(5):
        add()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("performance:dispatch"))
    assert sum(len(rows) for _label, states, _n in response.context["divisions"] for _s, rows in states) == 6
    assert len(many) == len(few)
    assert (
        client.get(reverse("performance:item_split", args=[plan.items.filter(level="item").first().pk])).status_code
        == 200
    )


def test_an_assessment_starts_from_the_plans_base_score(client, world):
    plan = PlanFactory(base_score=Decimal("90"))
    client.force_login(world.staff("performance"))
    page = client.get(reverse("performance:assessment_add"))
    data = dict.fromkeys(page.context["form"].fields, "") | {"plan": plan.pk, "division": "energy"}
    assert client.post(reverse("performance:assessment_add"), data).status_code == 302
    assert Assessment.objects.get(plan=plan).base_score == Decimal("90")


def test_the_area_figures_answer_the_whole_citys_scope_only(world):
    from bureau.models import Unit

    plan = PlanFactory(year=2022)
    ProgressReportFactory(item=ItemFactory(parent__plan=plan), period="2022-01")
    staff_scope = Unit.objects.for_user(world.staff("performance"))
    liaison_scope = Unit.objects.for_user(world.liaison_a)
    assert metrics.value("performance.reports_on_time_share", 2022, staff_scope) == 0.0
    assert metrics.value("performance.reports_on_time_share", 2022, liaison_scope) is None
    assert (
        metrics.value("performance.indicators_met_share", 2022, metrics.scope_units(world.leader, world.unit_a.pk))
        is None
    )


def test_an_overdue_rectification_of_the_division_is_a_suggested_deduction(world):
    from tests.party.factories import RectificationFactory

    plan = PlanFactory(year=2022)
    overdue = RectificationFactory(division="办公用房处", deadline=datetime.date(2022, 10, 31), state="rectifying")
    RectificationFactory(division="offices", deadline=datetime.date(2022, 10, 31), state="closed")
    RectificationFactory(division="offices", deadline=datetime.date(2023, 3, 31), state="open")  # not due yet
    RectificationFactory(division="公务用车处", deadline=datetime.date(2022, 5, 31), state="open")  # not theirs
    assessment = AssessmentFactory(plan=plan, division="offices")

    found = [s for s in assess.suggest(assessment, datetime.date(2023, 1, 15)) if s.source == "rectification"]
    assert [(s.kind, s.points, s.source_key) for s in found] == [
        ("deduction", plan.rectification_points, f"rectification:{overdue.pk}")
    ]
    assert found[0].evidence_url == overdue.get_absolute_url()


def test_the_plans_indicator_sets_the_target_before_an_areas_standing_rule(world):
    from vehicles.models import Rules

    year = timezone.localdate().year
    Rules.objects.update(nev_purchase_share=30)  # the rules seeded by the vehicles migrations
    assert metrics.target_for("vehicles.nev_share_of_purchases", year).value == 30.0
    IndicatorFactory(
        item=ItemFactory(parent__plan=PlanFactory(year=year), division="vehicles"),
        metric="vehicles.nev_share_of_purchases", target=Decimal("45"), manual_value=None, evidence="",
    )  # fmt: skip
    assert metrics.target_for("vehicles.nev_share_of_purchases", year).value == 45.0
