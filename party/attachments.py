"""Files of party records: what may be uploaded (the type told by the content's signature, not by
the name), stored under a random name, and read back only through a record the user may see."""

import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from bureau import audit
from bureau.choices import AuditAction
from party.models import Attachment

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
# The part an Office file of each kind cannot be without.
OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class Refused(Exception):
    """The upload is not stored; the message is for the user."""


def sniff(uploaded_file):
    """The file's kind from its first bytes (and, for Office files, its zip directory)."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(uploaded_file).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            uploaded_file.seek(0)
        if "[Content_Types].xml" in names:
            return next((kind for kind, part in OFFICE_PARTS.items() if part in names), None)
    return None


def check(uploaded_file):
    """The kind of an acceptable upload; Refused otherwise."""
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        raise Refused(_("文件过大，上限为 %(max).1f MB。") % {"max": settings.UPLOAD_MAX_BYTES / 1024 / 1024})
    if uploaded_file.size == 0:
        raise Refused(_("文件是空的。"))
    named = EXTENSIONS.get((uploaded_file.name or "").rsplit(".", 1)[-1].lower())
    if named is None:
        raise Refused(_("只能上传 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。"))
    kind = sniff(uploaded_file)
    if kind != named:
        raise Refused(_("文件内容与扩展名 .%(ext)s 不符，已拒绝。") % {"ext": named})
    return kind


def store(record, uploaded_file, user):
    """Save an upload to `record` (a meeting or a rectification item); Refused if not acceptable."""
    kind = check(uploaded_file)
    attachment = Attachment(
        name=uploaded_file.name[-200:], kind=kind, size=uploaded_file.size, uploaded_by=user, **{parent(record): record}
    )
    attachment.file.save("upload", uploaded_file, save=False)
    attachment.save()
    audit.record(AuditAction.ACTION, record, changes={"attachment": [None, attachment.name]}, user=user)
    return attachment


def parent(record):
    return type(record)._meta.model_name
