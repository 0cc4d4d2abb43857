"""Generating the API schema reads every filter set's class-level filters; what it builds there
must not leak into the list pages (English "State" labels, unscoped dropdowns) for everyone after."""

import re

import pytest
from django.urls import reverse


def filters(body):
    start = body.index('class="filters"')
    return body[start : body.index("</form>", start)]


@pytest.mark.django_db
def test_filter_labels_and_dropdowns_are_the_same_after_the_api_schema(client, world):
    url = reverse("bureau:submission_list")
    client.force_login(world.admin)
    before = re.findall(r"<label>([^<]*)<", filters(client.get(url).content.decode()))
    assert "状态 " in before
    for path in ("/api/schema/", "/api/docs/", "/api/schema/?lang=en"):
        assert client.get(path).status_code == 200
        after = re.findall(r"<label>([^<]*)<", filters(client.get(url).content.decode()))
        assert after == before, path
    client.force_login(world.liaison_a)
    dropdowns = filters(client.get(url).content.decode())
    assert world.unit_a.name in dropdowns or str(world.unit_a) in dropdowns
    assert world.unit_b.name not in dropdowns and str(world.unit_b) not in dropdowns
