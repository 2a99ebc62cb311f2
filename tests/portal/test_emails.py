import email
from email import policy

import pytest
from django.db import transaction
from post_office.models import Email

from portal.emails import send_templated_email
from tests.factories import UserFactory


def test_it_writes_eml_files_right_after_the_commit_in_local_mode(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EMAIL_DELIVER_ON_COMMIT = True
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "portal.mail_backends.EmlFileBackend"},
    }
    user = UserFactory(username="eml.test")
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            to=[" Famille@Example.org "],
            template="password_reset",
            context={"user": user, "reset_url": "https://portail.example.org/x/", "valid_hours": 1},
        )
    (path,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "famille@example.org"
    assert message["Subject"] == "Choisir votre mot de passe du portail des familles"
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }
    assert "eml.test" in parts["text/plain"]
    assert "eml.test" in parts["text/html"]


def test_an_e_mail_rolls_back_with_its_change(db):
    user = UserFactory(username="rollback.test")
    with pytest.raises(RuntimeError), transaction.atomic():
        send_templated_email(
            to=["famille@example.org"],
            template="password_changed",
            context={"user": user, "reset_request_url": "https://portail.example.org/"},
        )
        raise RuntimeError("the change failed")
    assert not Email.objects.exists()


def test_it_escapes_html_in_the_html_part(db, outbox):
    user = UserFactory(username="x")
    user.username = "<b>evil</b>"
    send_templated_email(
        to=["famille@example.org"],
        template="password_changed",
        context={"user": user, "reset_request_url": "https://portail.example.org/"},
    )
    (message,) = outbox()
    html = message.alternatives[0][0]
    assert "<b>evil</b>" not in html
    assert "&lt;b&gt;evil&lt;/b&gt;" in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_subject_is_plain_text_without_html_entities(db, outbox, language):
    send_templated_email(
        to=["famille@example.org"],
        template="document_validated",
        context={"kind": "Attestation sur l'honneur & <autorisation>\nparentale"},
        language=language,
    )
    (message,) = outbox()
    assert "Attestation sur l'honneur & <autorisation> parentale" in message.subject
    assert "&#x27;" not in message.subject and "&amp;" not in message.subject
    assert "\n" not in message.subject
