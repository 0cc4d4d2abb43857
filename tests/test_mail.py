"""Reminder e-mails leave through a real SMTP conversation, with links to PORTAL_URL."""

import email
import socketserver
import threading

import pytest

from bureau.tasks import send_reminders
from tests.bureau.test_requests import _published


class Recorder(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data)
                self.server.messages.append(b"".join(lines))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"EHLO":
                self.wfile.write(b"250 test\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Recorder)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_reminders_are_sent_over_smtp_with_links_to_the_portal_url(world, settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.server_address
    settings.PORTAL_URL = "https://portal.jgswj.example"
    world.liaison_a.email = "a@unit.example"
    world.liaison_a.save()
    request = _published(world)
    link = "https://portal.jgswj.example" + request.submissions.get(unit=world.unit_a).get_absolute_url()
    assert send_reminders(today="2023-03-30") == 1
    (raw,) = smtp.messages
    message = email.message_from_bytes(raw)
    body = message.get_payload(decode=True).decode()
    assert message["To"] == "a@unit.example"
    assert link in body
