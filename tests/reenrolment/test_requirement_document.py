"""The document a consent refers to (the season's règlement): a PDF staff upload in the admin,
served inline to logged-in users, linked from the consent's checkbox."""

import html
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from reenrolment.models import Requirement
from tests.conftest import staff_login
from tests.reenrolment.helpers import form_url
from tests.students.factories import image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.usefixtures("clock")


def _post_requirement(client, requirement, file):
    return client.post(
        f"/admin/reenrolment/requirement/{requirement.pk}/change/",
        {"name": requirement.name, "text": requirement.text, "url": "", "document": file},
    )


def test_staff_upload_the_reglement_as_a_checked_pdf(staff_client, consent):
    content = pdf_bytes()
    response = _post_requirement(staff_client, consent, upload("Règlement 2027.pdf", content))
    assert response.status_code == 302
    consent.refresh_from_db()
    # Private storage, under a random name (not the file's).
    assert consent.document.name.startswith("reglements/") and "2027" not in consent.document.name
    assert default_storage.open(consent.document.name).read() == content
    assert consent.document_size == len(content)
    page = html.unescape(staff_client.get("/admin/reenrolment/requirement/").content.decode())
    assert f"/reinscription/consentements/{consent.pk}/document/" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", image_bytes(), "Le document doit être un PDF."),
        ("faux.pdf", b"%PDF-1.4 nothing else", "Ce PDF est illisible ou endommagé."),
        ("script.pdf", pdf_bytes(javascript="app.alert(1)"), "contient du contenu actif"),
    ],
)
def test_anything_but_a_clean_pdf_is_refused(staff_client, consent, name, content, message):
    response = _post_requirement(staff_client, consent, upload(name, content))
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    consent.refresh_from_db()
    assert not consent.document


def _client(user) -> Client:
    client = Client()
    if user.is_staff:
        return staff_login(client, user)
    client.force_login(user)
    return client


def test_logged_in_users_read_it_in_the_browser(family_user, staff_user, consent):
    content = pdf_bytes()
    _post_requirement(_client(staff_user), consent, upload("reglement.pdf", content))
    url = f"/reinscription/consentements/{consent.pk}/document/"
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")

    response = _client(family_user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_a_consent_without_document_has_no_link(family_client, consent):
    url = f"/reinscription/consentements/{consent.pk}/document/"
    assert family_client.get(url).status_code == 404
    assert not Requirement.objects.get().document


def test_the_consent_checkbox_label_links_the_pdf(family_user, staff_user, campaign, consent, lea):
    content = pdf_bytes()
    _post_requirement(_client(staff_user), consent, upload("reglement.pdf", content))
    page = _client(family_user).get(form_url(campaign, lea)).content.decode()
    label = re.search(rf'<label for="id_consent_{consent.pk}"[^>]*>(.*?)</label>', page, re.S)
    assert label is not None
    assert html.unescape(consent.text) in html.unescape(label.group(1))
    link = re.search(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', label.group(1))
    assert link.group(1) == f"/reinscription/consentements/{consent.pk}/document/"
    assert f"Règlement intérieur (PDF, {len(content)}" in html.unescape(link.group(2))
    assert "octets" in link.group(2)
