"""/api/v1/ is the API's front door: every area's routes, each a link that answers."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_api_root_lists_each_areas_routes(api, world):
    api.force_authenticate(world.leader)
    response = api.get("/api/v1/")
    assert response.status_code == 200
    index = response.json()
    assert {"bureau", "offices", "vehicles", "energy"} <= set(index)
    assert index["bureau"]["units"] == "http://testserver/api/v1/units/"
    assert index["offices"]["buildings"] == "http://testserver/api/v1/offices/buildings/"
    assert index["docs"] == "http://testserver" + reverse("api_docs")
    for area, routes in index.items():
        if area == "docs":
            continue
        for url in routes.values():
            assert api.get(url).status_code == 200, url


@pytest.mark.django_db
def test_api_root_needs_sign_in(api):
    assert api.get("/api/v1/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_index_lists_only_what_the_user_may_open(api, world):
    api.force_authenticate(world.leader)
    index = api.get("/api/v1/").json()
    assert "clues" not in index["party"] and "archives" not in index["party"]  # per-record grants only
    api.force_authenticate(world.staff("discipline"))
    assert api.get("/api/v1/").json()["party"]["clues"] == "http://testserver/api/v1/party/clues/"
