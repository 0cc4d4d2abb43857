import io

import pytest

from bureau import demo as bureau_demo
from bureau.management.commands.seed_demo import Context
from performance import demo
from performance.models import Adjustment, Assessment, Evaluation, Indicator, Item, Plan, ProgressReport, Supervision


@pytest.mark.django_db
def test_the_demo_gives_a_plan_at_work():
    ctx = Context("small", 2022, 2022, io.StringIO())
    bureau_demo.seed(ctx)  # the units, staff and accounts the plan's demo assigns
    demo.seed(ctx)
    plan = Plan.objects.get(year=2022)
    assert plan.text() == demo.PLAN_TEXT.format(year=2022)
    projects = Item.objects.filter(plan=plan, level__in=("item", "subitem"))
    assert projects.count() >= 10
    assert not projects.filter(division="").exists() and not projects.filter(owner=None).exists()
    assert not projects.filter(deadline=None).exists()
    assert ProgressReport.objects.filter(item__plan=plan).values("period").distinct().count() >= 6
    assert ProgressReport.objects.filter(item__plan=plan, late=True).exists()
    bound = set(Indicator.objects.filter(item__plan=plan).exclude(metric="").values_list("metric", flat=True))
    assert {"vehicles.nev_share", "offices.idle_revitalised_area", "energy.co2_t", "bureau.on_time_rate"} <= bound
    assert Assessment.objects.filter(plan=plan).exclude(division="").count() == 7
    assert Assessment.objects.filter(plan=plan, grade="excellent").exclude(division="").count() == 1
    assert Adjustment.objects.filter(state="accepted").exists()
    assert Evaluation.objects.filter(person__user__username="member").count() == 12
    # The demo cadre's evaluations are their supervisor's, signed in as the offices account.
    assert set(
        Evaluation.objects.filter(person__user__username="member").values_list("evaluator__username", flat=True)
    ) == {"offices"}
    assert Supervision.objects.filter(person__user__username="member", supervisor__user__username="offices").exists()
