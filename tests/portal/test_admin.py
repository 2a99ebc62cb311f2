"""Staff read the e-mails the portal sent (django-post-office) in French; a sent one is a
record that nobody can edit."""

import html

from django.contrib.messages import get_messages
from django.core import mail
from post_office.models import STATUS, Email

EMAILS = "/admin/post_office/email/"


def email(status, to="famille@example.org") -> Email:
    return Email.objects.create(
        from_email="secretariat@centre.example",
        to=[to],
        subject="Vos accès",
        message="Bonjour",
        status=status,
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_list_of_e_mails_is_in_french(staff_client):
    email(STATUS.sent)
    email(STATUS.failed)

    page = text(staff_client.get(EMAILS))

    assert "<h1>E-mails</h1>" in page
    assert "Destinataires" in page and "envoyé" in page and "échec" in page
    for english in ("Requeue selected emails", ">sent<", ">failed<", "Subject"):
        assert english not in page


def test_a_sent_e_mail_cannot_be_edited(staff_client):
    sent = email(STATUS.sent)
    url = f"{EMAILS}{sent.pk}/change/"

    page = text(staff_client.get(url))
    assert 'name="to"' not in page and 'name="status"' not in page
    assert "famille@example.org" in page and "Bonjour" in page
    assert "Renvoyer" not in page and "Resend" not in page

    response = staff_client.post(url, {"to": "pirate@example.org", "status": STATUS.queued})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert (sent.to, sent.status) == (["famille@example.org"], STATUS.sent)
    # post_office's resend link was a GET that sent the e-mail again: it is gone (the address
    # now falls to the admin's "no such page" redirect).
    assert staff_client.get(f"{EMAILS}{sent.pk}/resend/").status_code == 302
    assert mail.outbox == [] and not sent.logs.exists()


def test_only_failed_e_mails_are_queued_again_with_one_message(staff_client):
    sent, failed = email(STATUS.sent), email(STATUS.failed)

    response = staff_client.post(
        EMAILS, {"action": "requeue_failed", "_selected_action": [sent.pk, failed.pk]}
    )

    (message,) = get_messages(response.wsgi_request)
    assert str(message) == (
        "1 e-mail remis en file d'attente. 1 autre, qui n'est pas en échec, est inchangé."
    )
    sent.refresh_from_db()
    failed.refresh_from_db()
    assert (sent.status, failed.status) == (STATUS.sent, STATUS.queued)
