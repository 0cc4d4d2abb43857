import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse
from openpyxl import Workbook

from bureau.models import AuditEntry
from party.models import Attachment
from tests.html import page_form
from tests.party.factories import ClueFactory, MeetingFactory, RectificationFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def xlsx():
    handle = BytesIO()
    Workbook().save(handle)
    return handle.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def attach(client, record, name, content):
    """Through the record's page: its upload link, then the form as the upload page rendered it."""
    detail = client.get(record.get_absolute_url()).content.decode()
    url = reverse("party:attachments", args=[record._meta.model_name, record.pk])
    assert f'href="{url}"' in detail
    data = page_form(client.get(url))
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(url, data)


@pytest.mark.django_db
def test_meeting_minutes_uploaded_downloaded_by_the_unit_and_audited(client, world, media):
    meeting = MeetingFactory(branch__unit=world.unit_a)
    staff = world.staff("party")
    client.force_login(staff)
    response = attach(client, meeting, "会议记录.pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.meeting, attachment.name, attachment.kind, attachment.size) == (
        meeting,
        "会议记录.pdf",
        "pdf",
        len(PDF),
    )
    # A random name under MEDIA_ROOT, nothing of the uploader's name in the path.
    assert [re.fullmatch(r"party/[0-9a-f]{32}\.pdf", p) is not None for p in stored(media)] == [True]
    url = reverse("party:attachment_download", args=[attachment.pk])
    assert url in client.get(meeting.get_absolute_url()).content.decode()
    for user in (staff, world.liaison_a):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
    changes = [
        (e.username, e.changes)
        for e in AuditEntry.objects.filter(
            Q(changes__has_key="download") | Q(changes__has_key="attachment"), object_id=str(meeting.pk)
        ).order_by("pk")
    ]
    assert changes == [
        (staff.username, {"attachment": [None, "会议记录.pdf"]}),
        (staff.username, {"download": [None, "会议记录.pdf"]}),
        ("liaison_a", {"download": [None, "会议记录.pdf"]}),
    ]
    # Nothing is served from /media/.
    assert client.get("/media/" + stored(media)[0]).status_code == 404


@pytest.mark.django_db
def test_rectification_evidence_is_404_beyond_the_record(client, world, media):
    item = RectificationFactory(unit=world.unit_a)
    client.force_login(world.staff("party"))
    assert attach(client, item, "整改台账.xlsx", xlsx()).status_code == 302
    url = reverse("party:attachment_download", args=[Attachment.objects.get().pk])
    for user in (world.liaison_b, world.staff("offices")):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(object_id=str(item.pk), changes__has_key="download").count() == 0
    client.force_login(world.liaison_a)
    assert client.get(url).status_code == 200
    # A liaison reads the evidence but does not add to it.
    assert client.get(reverse("party:attachments", args=["rectification", item.pk])).status_code == 403


@pytest.mark.django_db
def test_a_file_whose_content_is_not_its_extension_is_refused(client, world, media, settings):
    meeting = MeetingFactory(branch__unit=world.unit_a)
    client.force_login(world.staff("party"))
    for name, content in (
        ("会议记录.pdf", PNG),  # a picture renamed
        ("签到表.docx", xlsx()),  # a workbook renamed
        ("会议记录.pdf", b"MZ\x90\x00" + bytes(60)),  # a program renamed
        ("会议记录.exe", PDF),
    ):
        response = attach(client, meeting, name, content)
        assert response.status_code == 400, name
        assert response.context["form"].errors["file"]
    settings.UPLOAD_MAX_BYTES = 50
    response = attach(client, meeting, "会议记录.pdf", PDF)
    assert "文件过大" in response.context["form"].errors["file"][0]
    assert not Attachment.objects.exists()
    assert stored(media) == []
    assert attach(client, meeting, "照片.png", PNG).status_code == 302  # under the limit, a real PNG


@pytest.mark.django_db
def test_confidential_records_take_no_attachments(client, world):
    clue = ClueFactory()
    client.force_login(world.admin)
    assert client.get(reverse("party:attachments", args=["clue", clue.pk])).status_code == 404
    assert client.get(reverse("party:attachments", args=["archive", 1])).status_code == 404


@pytest.mark.django_db
def test_deleting_the_meeting_removes_its_files(client, world, media, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(branch__unit=world.unit_a)
    client.force_login(world.staff("party"))
    assert attach(client, meeting, "会议记录.pdf", PDF).status_code == 302
    assert len(stored(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting.delete()
        assert len(stored(media)) == 1  # until the deletion is committed
    assert not Attachment.objects.exists()
    assert stored(media) == []
