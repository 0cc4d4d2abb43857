import datetime
from decimal import Decimal

import pytest
from django.core import mail

from performance import tasks
from performance.models import IndicatorValue
from tests.factories import PersonFactory
from tests.performance.factories import IndicatorFactory, ItemFactory, PlanFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db


def test_indicator_values_are_kept_weekly_and_at_each_period_close():
    plan = PlanFactory(year=2022, report_grace_days=5)
    indicator = IndicatorFactory(item=ItemFactory(parent__plan=plan), target=Decimal("10"), manual_value=Decimal("8"))
    assert tasks.weekly_indicator_values("2022-03-07") == 1
    assert tasks.weekly_indicator_values("2022-03-07") == 1  # the same day again: one row, brought up to date
    assert tasks.close_periods("2022-04-04") == 0  # no report falls due that day
    assert tasks.close_periods("2022-04-05") == 1  # March's reports fall due 5 days after its end
    rows = IndicatorValue.objects.filter(indicator=indicator).order_by("date")
    assert [(r.date, r.occasion, r.value, r.state) for r in rows] == [
        (datetime.date(2022, 3, 7), "weekly", Decimal("8"), "yellow"),
        (datetime.date(2022, 4, 5), "period", Decimal("8"), "yellow"),
    ]


def test_reminders_go_to_the_owner_and_the_division_for_a_missing_report(world, settings):
    settings.REMINDER_DAYS_BEFORE = [1]
    plan = PlanFactory(year=2022, report_grace_days=5)
    world.staff("offices").email = "offices@example.org"
    world.staff("offices").save()
    world.member.email = "cadre@example.org"
    world.member.save()
    owner = PersonFactory(user=world.member)
    late = ItemFactory(parent__plan=plan, division="offices", owner=owner)
    filed = ItemFactory(parent__plan=plan, division="offices")
    ProgressReportFactory(item=filed, period="2022-03")
    ItemFactory(parent__plan=plan, division="energy")  # nobody of energy has an address
    assert tasks.remind_reports("2022-04-04") == 2  # March's report is due on 5 April
    sent = {m.to[0]: m.body for m in mail.outbox}
    assert set(sent) == {"offices@example.org", "cadre@example.org"}
    assert late.get_absolute_url() in sent["cadre@example.org"]
    assert filed.get_absolute_url() not in sent["offices@example.org"]
    assert tasks.remind_reports("2022-04-02") == 0  # not a reminder day, for March nor for February
