"""A long list pages with page numbers, first/last and a page-size choice; a large table's
estimated count keeps its pager without a "last page" it cannot know."""

import re

import pytest
from django.urls import reverse

from bureau.generic import Pager
from tests.conftest import require_postgres
from tests.factories import UnitFactory


def pager(body):
    start = body.index('class="pager"')
    return body[start : body.index("</nav>", start)]


def links(nav):
    return {text.strip(): href for href, text in re.findall(r'<a href="\?([^"]*)"[^>]*>([^<]*)</a>', nav)}


@pytest.mark.django_db
def test_list_pages_by_number_with_first_last_and_a_page_size(client, world):
    UnitFactory.create_batch(45)  # 47 with the world's two
    client.force_login(world.admin)
    url = reverse("bureau:unit_list")
    nav = pager(client.get(url, {"kind": "", "size": 20, "page": 2}).content.decode())
    found = links(nav)
    assert found["首页"] == "kind=&amp;size=20&amp;page=1"
    assert found["末页"] == "kind=&amp;size=20&amp;page=3"
    assert found["1"].endswith("page=1") and found["3"].endswith("page=3")
    assert '<span class="current">2</span>' in nav
    assert found["100"] == "kind=&amp;size=100" and "20" not in found  # the size in use is not a link
    page = client.get(url, {"size": 20, "page": 3})
    assert len(page.context["rows"]) == 7
    assert len(client.get(url, {"size": 100}).context["rows"]) == 47
    assert len(client.get(url, {"size": 7}).context["rows"]) == 47  # not offered: the default, 50


@pytest.mark.django_db
def test_an_estimated_count_pages_without_a_last_page(client, world, monkeypatch):
    require_postgres()
    UnitFactory.create_batch(45)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bureau_unit")
    monkeypatch.setattr(Pager, "ESTIMATE_ABOVE", 0)
    client.force_login(world.admin)
    body = client.get(reverse("bureau:unit_list"), {"size": 20, "page": 2}).content.decode()
    assert "估算" in body
    found = links(pager(body))
    assert "首页" in found and "1" in found and "末页" not in found
