"""Bodies and query strings the API refuses with a 400 naming the field, never a 500 (found by
fuzzing the schema with schemathesis)."""

import pytest
from django.urls import reverse

from bureau import workflow
from bureau.choices import Rank, SubmissionState
from bureau.models import DataRequest, Review, Submission
from tests.factories import PersonFactory
from tests.html import page_form


@pytest.fixture
def sub(world):
    """Unit A's submission of a staff list, one row, submitted and waiting for review."""
    PersonFactory(unit=world.unit_a, name="王一", rank=Rank.BELOW_BUREAU)
    request = DataRequest.objects.create(
        kind="bureau.staff", title="名册", year=2022, frequency="annual", deadline="2023-03-31"
    )
    request.units.set([world.unit_a])
    workflow.publish(request, world.staff("offices"))
    found = Submission.objects.get(request=request, unit=world.unit_a)
    workflow.submit(found, world.liaison_a)
    return found


def url(sub, action):
    return reverse(f"bureau-api:submission-{action}", args=[sub.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("approve", {"comment": {"a": 1}}, "comment"),
        ("approve", [], "non_field_errors"),
        ("return", {"comment": ["请核对"]}, "comment"),
        ("return", {"comment": "请\x00核对"}, "comment"),
        ("return", [1], "non_field_errors"),
    ],
)
def test_a_review_body_that_is_not_text_is_refused_and_changes_nothing(api, world, sub, action, body, field):
    api.force_authenticate(world.staff("offices"))
    response = api.post(url(sub, action), body, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]
    sub.refresh_from_db()
    assert sub.state == SubmissionState.SUBMITTED and sub.comment == ""
    assert not Review.objects.filter(submission=sub, action__in=["approve", "return"]).exists()


@pytest.mark.django_db
def test_a_reopen_reason_that_is_not_text_is_refused(api, world, sub):
    api.force_authenticate(world.staff("offices"))
    assert api.post(url(sub, "approve"), {"comment": "好"}, format="json").status_code == 200
    response = api.post(url(sub, "reopen"), {"reason": [1]}, format="json")
    assert response.status_code == 400 and list(response.data) == ["reason"]
    sub.refresh_from_db()
    assert sub.state == SubmissionState.APPROVED and sub.comment == "好"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([1], (1, "整行")),
        ([{"name": "王一", "rank": Rank.BELOW_BUREAU}, ["王二", "general"]], (2, "整行")),
        ([{"name": "王一", "rank": Rank.BELOW_BUREAU, "备注": "a\x00"}], (1, "备注")),
        ([{"name": "王一", "rank": Rank.BELOW_BUREAU, "x\x00": "a"}], (1, "x\x00")),
        ([{"name": {"q": 1}, "rank": Rank.BELOW_BUREAU}], (1, "姓名")),
    ],
)
def test_rows_the_form_cannot_read_name_row_and_column_and_store_nothing(api, world, sub, rows, error):
    Submission.objects.filter(pk=sub.pk).update(state=SubmissionState.DRAFT)
    api.force_authenticate(world.liaison_a)
    response = api.post(url(sub, "rows"), {"rows": rows}, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.data["rows"]] == [error]
    sub.refresh_from_db()
    assert sub.rows == [{"name": "王一", "rank": Rank.BELOW_BUREAU}]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "0"}, "year"),
        ({"year": "-5"}, "year"),
        ({"year": "10000"}, "year"),
        ({"year": "99999999999999"}, "year"),
        ({"year": "二〇二五"}, "year"),
        ({}, "year"),
        ({"year": "2025", "unit": "甲"}, "unit"),
    ],
)
def test_a_metric_year_no_date_has_is_a_400_naming_it(api, world, query, field):
    api.force_authenticate(world.staff("vehicles"))
    response = api.get(reverse("bureau-api:metric-detail", args=["vehicles.fleet_size"]), query)
    assert response.status_code == 400
    assert list(response.data) == [field]


@pytest.mark.django_db
def test_a_metric_for_the_last_year_a_date_has(api, world):
    api.force_authenticate(world.liaison_a)
    url_ = reverse("bureau-api:metric-detail", args=["bureau.units"])
    response = api.get(url_, {"year": "9999", "unit": world.unit_a.pk})
    assert response.status_code == 200
    assert (response.data["year"], response.data["unit"], response.data["value"]) == (9999, world.unit_a.pk, 1)
    assert api.get(url_, {"year": "2025", "unit": world.unit_b.pk}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "action", "body", "field"),
    [
        ("liaison_a", "rows", {"rows": [{"name": "王\ud800", "rank": Rank.BELOW_BUREAU}]}, "rows.0.name"),
        ("liaison_a", "rows", {"rows": [{"name": "王一", "rank": Rank.BELOW_BUREAU, "\udfff": "a"}]}, "rows.0.\\udfff"),
        ("staff", "approve", {"comment": "\ud800"}, "comment"),
        ("staff", "approve", "\ud800", "non_field_errors"),
    ],
)
def test_a_lone_surrogate_anywhere_in_a_body_is_a_400_naming_where(api, world, sub, user, action, body, field):
    """Python reads "\\ud800" from JSON, but no database stores it: refused before any view runs."""
    import json

    Submission.objects.filter(pk=sub.pk).update(state=SubmissionState.DRAFT if action == "rows" else sub.state)
    api.force_authenticate(world.liaison_a if user == "liaison_a" else world.staff("offices"))
    response = api.post(url(sub, action), json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    sub.refresh_from_db()
    assert sub.rows == [{"name": "王一", "rank": Rank.BELOW_BUREAU}] and sub.comment == ""


@pytest.mark.django_db
def test_a_null_character_is_named_as_such(client, api, world):
    """Django's Chinese says "空字符串" (empty string) for "\\x00": the portal says what it is."""
    api.force_authenticate(world.admin)
    unit = world.unit_a
    response = api.patch(
        reverse("bureau-api:unit-detail", args=[unit.pk]), {"short_name": "甲\x00", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.data["short_name"] == ["不能含有空字符（NUL，\\x00）。"]
    client.force_login(world.admin)
    url = reverse("bureau:unit_edit", args=[unit.pk])
    response = client.post(url, page_form(client.get(url)) | {"short_name": ["甲\x00"]})
    assert response.status_code == 400
    assert response.context["form"].errors["short_name"] == ["不能含有空字符（NUL，\\x00）。"]


@pytest.mark.django_db
def test_if_match_star_is_no_version(api, world):
    """`If-Match: *` means "whatever is stored now": exactly the blind overwrite a version prevents."""
    api.force_authenticate(world.admin)
    url = reverse("bureau-api:unit-detail", args=[world.unit_a.pk])
    response = api.patch(url, {"short_name": "甲"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    assert "If-Match: *" in str(response.data["detail"])
    assert api.patch(url, {"short_name": "甲", "version": 1}, format="json", HTTP_IF_MATCH="*").status_code == 200
