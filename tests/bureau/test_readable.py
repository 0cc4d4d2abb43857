"""What a person reads is a label, never a stored code: the read-only submission view, its
automatic-check findings and every history page (field names by their verbose names)."""

import pytest
from django.urls import reverse

from bureau import workflow
from bureau.choices import Rank
from bureau.models import DataRequest, Submission
from tests.factories import PersonFactory
from tests.html import page_form


@pytest.fixture
def approved(world):
    """Unit A's staff list, one row of rank below_bureau, submitted and approved."""
    PersonFactory(unit=world.unit_a, name="王一", rank=Rank.BELOW_BUREAU)
    request = DataRequest.objects.create(
        kind="bureau.staff", title="名册", year=2022, frequency="annual", deadline="2023-03-31"
    )
    request.units.set([world.unit_a])
    workflow.publish(request, world.staff("offices"))
    sub = Submission.objects.get(request=request, unit=world.unit_a)
    workflow.submit(sub, world.liaison_a)
    workflow.approve(sub, world.staff("offices"), "")
    return sub


@pytest.mark.django_db
def test_the_read_only_submission_shows_labels(client, world, approved):
    client.force_login(world.liaison_a)
    body = client.get(approved.get_absolute_url()).content.decode()
    table = body[body.index('id="rows"') :]
    assert str(Rank.BELOW_BUREAU.label) in table and "below_bureau" not in table


@pytest.mark.django_db
def test_the_submission_history_names_fields_and_states_as_people_read_them(client, world, approved):
    client.force_login(world.staff("offices"))
    body = client.get(reverse("bureau:submission_history", args=[approved.pk])).content.decode()
    assert "状态：已报送 → 已通过" in body
    assert "姓名 王一，职级 局（处）级以下" in body
    for code in ("state", "submitted", "approved", "below_bureau", "submitted_at"):
        assert f">{code}" not in body and f"{code}：" not in body and f"'{code}'" not in body, code


@pytest.mark.django_db
def test_a_record_history_names_fields_and_related_records(client, world):
    person = PersonFactory(unit=world.unit_a, name="李四", rank=Rank.BELOW_BUREAU)
    client.force_login(world.admin)
    url = reverse("bureau:person_edit", args=[person.pk])
    data = page_form(client.get(url)) | {"rank": [Rank.BUREAU_DEPUTY], "unit": [str(world.unit_b.pk)]}
    assert client.post(url, data).status_code == 302
    body = client.get(reverse("bureau:person_history", args=[person.pk])).content.decode()
    assert f"职级：{Rank.BELOW_BUREAU.label} → {Rank.BUREAU_DEPUTY.label}" in body
    assert f"单位：{world.unit_a} → {world.unit_b}" in body
    assert "unit_id" not in body and "bureau_deputy" not in body


@pytest.mark.django_db
def test_a_many_to_many_change_names_the_records(client, world):
    request = DataRequest.objects.create(
        kind="bureau.staff", title="名册", year=2022, frequency="annual", deadline="2023-03-31"
    )
    request.units.set([world.unit_a, world.unit_b])
    request.units.remove(world.unit_b)
    client.force_login(world.admin)
    body = client.get(reverse("bureau:datarequest_history", args=[request.pk])).content.decode()
    assert f"填报单位：— → {world.unit_a}、{world.unit_b}" in body
    assert f"填报单位：{world.unit_b} → —" in body
