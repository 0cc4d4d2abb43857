from decimal import Decimal

import pytest
from django.urls import reverse

from tests.performance.factories import IndicatorFactory, ItemFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_the_contract_routes_and_fields(api, world):
    item = ItemFactory(parent__plan=PlanFactory(year=2022), division="energy")
    IndicatorFactory(item=item, target=Decimal("10"), manual_value=Decimal("12"))
    api.force_authenticate(world.leader)
    for route in ("plans", "items", "indicators", "reports", "assessments", "adjustments", "evaluations"):
        assert api.get(f"/api/v1/performance/{route}/").status_code == 200, route
    items = api.get(reverse("performance-api:item-list"), {"level": "item"}).json()["results"]
    assert {"plan", "parent", "level", "number", "text", "division", "owner", "deadline"} <= set(items[0])
    assert (items[0]["level"], items[0]["division"], items[0]["parent"]) == ("item", "energy", item.parent_id)
    row = api.get(reverse("performance-api:indicator-list")).json()["results"][0]
    assert {"item", "label", "comparison", "target", "metric", "value", "state"} <= set(row)
    assert (row["value"], row["state"], row["metric"]) == (12.0, "green", "")


def test_the_api_refuses_an_unknown_metric_and_a_percent_over_100(api, world):
    item = ItemFactory(parent__plan=PlanFactory(year=2022))
    api.force_authenticate(world.staff("performance"))
    body = {"item": item.pk, "label": "占比", "comparison": "ge", "target": "30", "metric": "vehicles.no_such"}
    response = api.post(reverse("performance-api:indicator-list"), body, format="json")
    assert response.status_code == 400 and "未登记的数据指标" in str(response.data["metric"])
    body = {"item": item.pk, "period": "2022-02", "text": "进展", "percent": 120}
    response = api.post(reverse("performance-api:progressreport-list"), body, format="json")
    assert response.status_code == 400 and "percent" in response.data
    response = api.post(reverse("performance-api:progressreport-list"), body | {"percent": 100}, format="json")
    assert response.status_code == 201 and response.data["reported_by"] == world.staff("performance").pk


def test_a_division_reports_through_the_api_on_its_own_projects_only(api, world):
    plan = PlanFactory(year=2022)
    ours, theirs = ItemFactory(parent__plan=plan, division="offices"), ItemFactory(parent__plan=plan, division="party")
    api.force_authenticate(world.staff("offices"))
    ids = {row["id"] for row in api.get(reverse("performance-api:item-list")).json()["results"]}
    assert ours.pk in ids and theirs.pk not in ids
    body = {"period": "2022-02", "text": "进展", "percent": 20}
    assert (
        api.post(reverse("performance-api:progressreport-list"), body | {"item": ours.pk}, format="json").status_code
        == 201
    )
    refused = api.post(reverse("performance-api:progressreport-list"), body | {"item": theirs.pk}, format="json")
    assert refused.status_code == 400
