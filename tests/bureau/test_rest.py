"""The API bases' answers to bad input, and the schema documenting them (found by schemathesis)."""

import pytest
import yaml
from django.urls import reverse

from bureau.models import Unit
from tests.factories import UnitFactory


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "-1", "abc", "3"])
def test_a_page_that_does_not_exist_is_a_400_naming_page(api, world, page):
    UnitFactory()  # with world's two: three units, one page of 50
    api.force_authenticate(world.admin)
    response = api.get(reverse("bureau-api:unit-list"), {"page": page})
    assert response.status_code == 400
    assert list(response.data) == ["page"]
    assert f"页码“{page}”无效" in response.data["page"][0]


@pytest.mark.django_db
def test_the_last_page_still_answers(api, world):
    UnitFactory()
    api.force_authenticate(world.admin)
    response = api.get(reverse("bureau-api:unit-list"), {"page": 2, "page_size": 2})
    assert response.status_code == 200
    assert response.data["count"] == 3 and len(response.data["results"]) == 1


@pytest.mark.django_db
def test_the_schema_documents_the_refusals(api, world):
    api.force_authenticate(world.admin)
    response = api.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi")
    paths = yaml.safe_load(response.content)["paths"]
    detail = paths["/api/v1/units/{id}/"]
    assert set(detail["put"]["responses"]) == {"200", "400", "401", "403", "404", "409", "412", "428"}
    assert set(detail["delete"]["responses"]) == {"204", "401", "403", "404", "409"}
    assert set(detail["get"]["responses"]) == {"200", "401", "403", "404"}
    assert set(paths["/api/v1/units/"]["get"]["responses"]) == {"200", "400", "401", "403"}
    assert set(paths["/api/v1/units/"]["post"]["responses"]) == {"201", "400", "401", "403"}
    assert set(paths["/api/v1/submissions/{id}/approve/"]["post"]["responses"]) == {"200", "400", "401", "403", "404"}


@pytest.mark.django_db
@pytest.mark.parametrize("version", [True, 1.5, "x", [1], {"v": 1}])
def test_a_version_that_is_not_a_whole_number_is_a_400_naming_it(api, world, version):
    unit = UnitFactory(name="原名")
    api.force_authenticate(world.admin)
    url = reverse("bureau-api:unit-detail", args=[unit.pk])
    response = api.patch(url, {"name": "新名", "version": version}, format="json")
    assert response.status_code == 400 and list(response.data) == ["version"]
    assert Unit.objects.get(pk=unit.pk).name == "原名"
