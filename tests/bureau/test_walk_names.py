"""The submission's timeline names who acted by name, as the clerk knows them (found by the walk:
it showed the login)."""

import datetime

from django.utils import timezone

from bureau import workflow
from bureau.models import DataRequest
from tests.conftest import make_user


def test_timeline_shows_the_reviewer_by_name(client, world):
    staff = make_user("offices", username="shenhe07", first_name="审核", last_name="李")
    request = DataRequest.objects.create(
        kind="bureau.staff", title="人员名册确认", year=2025, deadline=timezone.localdate() + datetime.timedelta(days=5)
    )
    request.units.set([world.unit_a])
    workflow.publish(request, staff)
    sub = request.submissions.get(unit=world.unit_a)
    workflow.save_rows(sub, [{"name": "王一", "rank": "below_bureau"}], world.liaison_a)
    workflow.submit(sub, world.liaison_a)
    workflow.return_(sub, staff, "请核对职级。")
    client.force_login(staff)
    page = client.get(sub.get_absolute_url()).content.decode()
    timeline = page[page.index('class="timeline"') :]
    assert staff.get_full_name() in timeline
    assert "shenhe07" not in timeline
