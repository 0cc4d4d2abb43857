import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bureau import demo as core_demo
from bureau.management.commands.seed_demo import Context
from bureau.models import Unit
from party import demo
from party.choices import RectificationState
from party.models import Archive, Branch, Clue, Meeting, Policy, QuizResult, Rectification

User = get_user_model()


@pytest.mark.django_db
def test_seed_demo_fills_the_party_area(client):
    ctx = Context("small", 2022, 2022, io.StringIO())
    core_demo.seed(ctx)
    demo.seed(ctx)
    assert Branch.objects.count() == Unit.objects.count() == 6
    assert Meeting.objects.filter(held_on__year=2022).values("branch").distinct().count() == 6
    assert set(Rectification.objects.values_list("state", flat=True)) == set(RectificationState)
    assert set(QuizResult.objects.values_list("person__unit", flat=True)) == set(
        Unit.objects.values_list("pk", flat=True)
    )
    assert Policy.objects.filter(state="revised", revised_by__isnull=False).exists()
    for item in Rectification.objects.all():
        item.full_clean()  # every state as the forms would accept it
    # The confidential records are the demo 纪检 account's, and the demo 干部 reads their archive.
    client.force_login(User.objects.get(username="discipline"))
    assert client.get(Clue.objects.first().get_absolute_url()).status_code == 200
    client.force_login(User.objects.get(username="member"))
    assert client.get(Archive.objects.get().get_absolute_url()).status_code == 200
    assert client.get(reverse("party:clue_list")).status_code == 403
    client.force_login(User.objects.get(username="leader"))
    assert client.get(Clue.objects.first().get_absolute_url()).status_code == 404
    assert client.get(reverse("party:meeting_grid"), {"year": 2022}).status_code == 200
