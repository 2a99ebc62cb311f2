"""Uploading a document from a student's page: stored safely, or refused with nothing stored."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from students.models import Document, DocumentKind
from students.uploads import MAX_UPLOAD_SIZE
from tests.students.factories import (
    DocumentFactory,
    dance_student,
    image_bytes,
    music_student,
    pdf_bytes,
    upload,
)


def _stored_files():
    root = default_storage.path("documents")
    try:
        return default_storage.listdir("documents")[1]
    except FileNotFoundError:
        return []
    finally:
        del root


def _post_address(client, student, file, *, document_date=None):
    return client.post(
        f"/eleves/{student.pk}/documents/address/",
        {
            "address-document_date": (document_date or timezone.localdate()).isoformat(),
            "address-file": file,
        },
    )


def test_it_stores_a_proof_of_address_and_sends_a_receipt(family_client, family, outbox):
    student = music_student(family, first_name="Léa")
    response = _post_address(family_client, student, upload("facture-electricite.pdf", pdf_bytes()))
    assert response.status_code == 302
    assert response["Location"] == f"/eleves/{student.pk}/#documents"
    document = Document.objects.get()
    assert document.family == family and document.student is None
    assert document.kind == DocumentKind.PROOF_OF_ADDRESS
    assert document.status == Document.Status.RECEIVED
    assert document.content_type == "application/pdf"
    # A random name, not the family's file name.
    assert document.file.name.startswith("documents/") and "facture" not in document.file.name
    assert default_storage.open(document.file.name).read() == pdf_bytes()

    html = family_client.get(response["Location"]).content.decode()
    assert "reçu – en cours de vérification" in html
    assert "Document reçu : le secrétariat va le vérifier." in html
    message = outbox()[-1]
    assert message.subject == "Accusé de réception : Justificatif de domicile"
    assert family.reference_email in message.to
    assert "Nous avons bien reçu le document" in message.body


def test_it_converts_a_phone_photo_for_a_dance_student(family_client, family):
    student = dance_student(family, first_name="Inès")
    response = family_client.post(
        f"/eleves/{student.pk}/documents/dance/",
        {
            f"dance-{student.pk}-kind": "medical",
            f"dance-{student.pk}-file": upload("IMG_2001.png", image_bytes("PNG", gps=True)),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.student == student and document.kind == DocumentKind.MEDICAL_CERTIFICATE
    assert document.content_type == "image/jpeg" and document.file.name.endswith(".jpg")
    stored = Image.open(io.BytesIO(default_storage.open(document.file.name).read()))
    assert stored.format == "JPEG" and dict(stored.getexif()) == {}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.pdf", b"", "est vide"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "pas accepté"),
        ("protege.pdf", pdf_bytes(password="x"), "protégé par un mot de passe"),
        ("photo.jpg", image_bytes("JPEG") + b"<script>alert(1)</script>", "code"),
    ],
)
def test_it_refuses_a_bad_file_and_stores_nothing(family_client, family, name, content, message):
    student = music_student(family)
    response = _post_address(family_client, student, upload(name, content))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert _stored_files() == []


def test_it_stops_a_file_over_10_mb_and_says_so(family_client, family):
    student = music_student(family)
    big = upload("gros.pdf", pdf_bytes() + b"%" + b"0" * (MAX_UPLOAD_SIZE + 10))
    response = _post_address(family_client, student, big)
    assert response.status_code == 413
    assert "Le fichier dépasse 10 Mo" in response.content.decode()
    assert not Document.objects.exists()
    assert _stored_files() == []


def test_it_refuses_a_proof_of_address_older_than_3_months(family_client, family):
    student = music_student(family)
    old = timezone.localdate() - timedelta(days=100)
    response = _post_address(
        family_client, student, upload("a.pdf", pdf_bytes()), document_date=old
    )
    assert response.status_code == 400
    assert "doit dater de moins de 3 mois" in response.content.decode()
    assert not Document.objects.exists()


def test_it_leaves_no_file_when_the_row_cannot_be_written(family_client, family, monkeypatch):
    student = music_student(family)

    def fail(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr("students.services._notify", fail)
    with pytest.raises(RuntimeError):
        _post_address(family_client, student, upload("a.pdf", pdf_bytes()))
    assert not Document.objects.exists()
    assert _stored_files() == []


def test_it_replaces_a_refused_document_and_keeps_the_earlier_version(family_client, family):
    student = music_student(family)
    refused = DocumentFactory(family=family, status=Document.Status.REFUSED, refusal_reason="Flou")
    html = family_client.get(f"/eleves/{student.pk}/").content.decode()
    assert "Motif du refus :" in html and "Flou" in html
    response = _post_address(family_client, student, upload("b.pdf", pdf_bytes()))
    assert response.status_code == 302
    refused.refresh_from_db()
    assert not refused.is_current
    assert Document.objects.current().get().status == Document.Status.RECEIVED


def test_a_file_waiting_for_review_is_replaced_by_a_new_version(family_client, family, outbox):
    """Sent by mistake: the family sends the right one; staff still see the first, superseded."""
    student = music_student(family)
    wrong = DocumentFactory(family=family, original_name="mauvais.pdf")
    html = family_client.get(f"/eleves/{student.pk}/").content.decode()
    assert "Remplacer ce document" in html
    response = _post_address(family_client, student, upload("bon.pdf", pdf_bytes()))
    assert response.status_code == 302
    wrong.refresh_from_db()
    assert not wrong.is_current and wrong.status == Document.Status.RECEIVED
    current = Document.objects.get(is_current=True)
    assert current.original_name == "bon.pdf" and current.season == wrong.season
    assert outbox()[-1].subject == "Accusé de réception : Justificatif de domicile"


def test_it_takes_no_new_file_once_one_is_validated(family_client, family):
    student = music_student(family)
    DocumentFactory(family=family, status=Document.Status.VALIDATED)
    html = family_client.get(f"/eleves/{student.pk}/").content.decode()
    # The proof of address takes no file; the optional QF attestation still does.
    assert 'id="div_id_address-file"' not in html and 'id="div_id_qf-file"' in html
    response = _post_address(family_client, student, upload("b.pdf", pdf_bytes()))
    assert response.status_code == 302
    assert Document.objects.count() == 1


def test_it_is_for_the_family_s_own_students_only(other_client, family, client):
    student = music_student(family)
    assert _post_address(other_client, student, upload("a.pdf", pdf_bytes())).status_code == 404
    client.logout()
    response = _post_address(client, student, upload("a.pdf", pdf_bytes()))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert not Document.objects.exists()


def test_it_needs_the_csrf_token(family_user, family):
    from django.test import Client

    student = music_student(family)
    client = Client(enforce_csrf_checks=True)
    client.force_login(family_user)
    response = _post_address(client, student, upload("a.pdf", pdf_bytes()))
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_it_stops_reading_an_oversized_upload_before_checking_it(
    family_client, family, monkeypatch
):
    student = music_student(family)

    def never(*args, **kwargs):
        raise AssertionError("the file should have been stopped while it was read")

    monkeypatch.setattr("students.forms.check_upload", never)
    big = upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_SIZE + 1))
    response = _post_address(family_client, student, big)
    assert response.status_code == 413
    assert "Le fichier dépasse 10 Mo" in response.content.decode()


def test_an_upload_declared_too_large_is_not_read_at_all():
    from django.core.files.uploadhandler import StopUpload

    from students.uploads import SizeLimitedUploadHandler

    handler = SizeLimitedUploadHandler()
    handler.handle_raw_input(None, {}, 50 * 1024 * 1024, b"boundary")
    with pytest.raises(StopUpload) as stop:
        handler.new_file("address-file", "a.pdf", "application/pdf", 50 * 1024 * 1024)
    assert stop.value.connection_reset
    assert handler.too_large


def test_a_large_pdf_goes_through_a_temporary_file_and_is_stored_intact(family_client, family):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": "x" * (6 * 1024 * 1024)})  # over the 2.5 MB kept in memory
    output = io.BytesIO()
    writer.write(output)
    content = output.getvalue()
    student = music_student(family)
    response = _post_address(family_client, student, upload("releve-banque.pdf", content))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.size == len(content)
    assert default_storage.open(document.file.name).read() == content
