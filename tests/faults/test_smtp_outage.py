"""SMTP down: the portal's actions still succeed; e-mails wait and go out exactly once."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.urls import reverse
from django.utils import timezone
from post_office.mail import send_queued
from post_office.models import STATUS, Email

from accounts.services import process_password_resets


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    }
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    yield controller, inbox
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def test_it_keeps_e_mails_while_smtp_is_down_and_sends_each_once_after(client, family_user, smtp):
    controller, inbox = smtp
    # The SMTP server is down: asking for a reset link still works for the family.
    response = client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"})
    assert response.status_code == 302
    process_password_resets()  # the timer's first step, before send_queued_mail
    email = Email.objects.get()
    assert email.status == STATUS.queued

    send_queued(processes=1)
    email.refresh_from_db()
    assert email.status == STATUS.requeued
    assert email.number_of_retries == 1
    assert inbox.messages == []

    # The server comes back; the retry is due.
    controller.start()
    Email.objects.update(scheduled_time=timezone.now() - timedelta(seconds=1))
    send_queued(processes=1)
    send_queued(processes=1)
    email.refresh_from_db()
    assert email.status == STATUS.sent
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == family_user.email
    assert "mot de passe" in inbox.messages[0]["Subject"]
