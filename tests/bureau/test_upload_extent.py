"""Issue 10, HIGH 2: a crafted 1.6 KB workbook must not make a reader build a huge grid.

Each layout of tests/bureau/crafted.py is refused before any reader runs: in a fresh process (so
that its peak memory, a high-water mark, measures this file alone) it is refused in under a second
with less than 50 MB more memory, and through the real pages (a liaison's submission, a staff
registry import, the platform trip import) it is a 400 naming the problem. Seconds are CPU seconds
of the process (time.process_time), so that a loaded machine does not fail the test."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.bureau.crafted import LAYOUTS
from vehicles.views import TripViews

CHECK = """
import json, resource, sys, time
import django
django.setup()
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from bureau.imports.checks import UploadRejected
from bureau.imports.rows import parse_upload
from vehicles import trips

class Row(forms.Form):
    name = forms.CharField(label="名称")

data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = {}
for what, read in (("import", lambda f: parse_upload(f, Row)), ("trips", lambda f: list(trips.read_upload(f)))):
    start = time.process_time()
    try:
        read(SimpleUploadedFile("crafted.xlsx", data))
        message = ""
    except (UploadRejected, trips.TripErrors) as exc:
        message = str(exc)
    result[what] = [message, time.process_time() - start]
result["grown_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(result, ensure_ascii=False))
"""


def measure(data, tmp_path):
    """What a fresh process makes of the file: each reader's message and seconds, and how far its
    peak memory grew. A process the file kills (calamine aborts on a failed allocation) fails."""
    path = tmp_path / "crafted.xlsx"
    path.write_bytes(data)
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bureau.settings"}
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(path)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, f"the process died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_crafted_workbook_is_refused_fast_and_small(layout, tmp_path):
    data, says = LAYOUTS[layout]
    assert len(data) < 200 * 1024
    result = measure(data, tmp_path)
    for what in ("import", "trips"):
        message, seconds = result[what]
        assert says in message, (what, message)
        assert seconds < 1, (what, seconds)
    assert result["grown_mb"] < 50


def _upload(data):
    return SimpleUploadedFile("crafted.xlsx", data)


def _post(client, url, data, **fields):
    client.get(url)  # the page once, so that the timing is the upload's, not the first render's
    start = time.process_time()
    response = client.post(url, {"file": _upload(data), **fields})
    return response, time.process_time() - start


@pytest.fixture
def submission(world):
    from tests.bureau.test_requests import _published

    return _published(world).submissions.get(unit=world.unit_a)


@pytest.mark.django_db
@pytest.mark.parametrize("layout", LAYOUTS)
def test_crafted_workbook_is_refused_on_every_upload_page(layout, client, world, submission):
    data, says = LAYOUTS[layout]
    client.force_login(world.liaison_a)
    response, seconds = _post(client, submission.get_absolute_url(), data, action="upload")
    assert response.status_code == 400 and says in response.content.decode() and seconds < 1
    submission.refresh_from_db()
    assert submission.rows == []

    client.force_login(world.staff("vehicles"))
    for url in (reverse(TripViews.url_name("import")), reverse("vehicles:trip_platform_import")):
        response, seconds = _post(client, url, data)
        assert response.status_code == 400, url
        assert says in response.content.decode() and seconds < 1, url


def test_an_ordinary_workbook_still_reads(tmp_path):
    """The check refuses the crafted layouts, not the plain file they imitate."""
    from tests.bureau.crafted import header_and, sheet_xml, workbook

    data = workbook(
        [("xl/ws/sheet1.xml", sheet_xml(header_and({"A2": "一", "A3": "二"})))], targets=["/xl/ws/sheet1.xml"]
    )
    result = measure(data, tmp_path)
    assert result["import"][0] == ""
