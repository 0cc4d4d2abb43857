"""API answers to input found by fuzzing the schema (schemathesis): refusals, never server errors."""

import datetime

import pytest
from django.urls import reverse

from tests.offices.factories import RevitalisationFactory


@pytest.mark.django_db
def test_the_revitalisation_year_filter_takes_years_a_date_can_have(api, world):
    kept = RevitalisationFactory(building__unit=world.unit_a, start=datetime.date(2022, 5, 1))
    RevitalisationFactory(building__unit=world.unit_a, start=datetime.date(2023, 5, 1))
    api.force_authenticate(world.staff("offices"))
    url = reverse("offices-api:revitalisation-list")
    assert [r["id"] for r in api.get(url, {"year": 2022}).data["results"]] == [kept.pk]
    for year in ("0", "10000", "-1"):
        response = api.get(url, {"year": year})
        assert response.status_code == 400 and list(response.data) == ["year"]
