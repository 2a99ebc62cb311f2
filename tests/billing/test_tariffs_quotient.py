"""The quotient familial: families upload the CAF/MSA attestation in the Élèves tab, staff
validate it and set the QF and its validity, the family sees its bracket in Facturation."""

from datetime import timedelta

from django.utils import timezone

from billing.tariff_demo import demo_grid
from billing.tariffs import quotient_status
from students.models import Document, DocumentKind
from tests.billing.factories import visible_text
from tests.factories import SeasonFactory
from tests.students.factories import DocumentFactory, music_student, pdf_bytes, upload


def _qf_document(family):
    return DocumentFactory(
        family=family,
        kind=DocumentKind.FAMILY_QUOTIENT,
        document_date=None,
        season=SeasonFactory(),
        original_name="attestation-caf.pdf",
    )


def _review(staff_client, document, **data):
    return staff_client.post(
        f"/admin/students/documenttoreview/{document.pk}/change/",
        {"decision": "validate", "reason": "", **data},
    )


def test_a_family_uploads_its_qf_attestation_on_a_student_page(family_client, family, outbox):
    student = music_student(family)
    page = family_client.get(f"/eleves/{student.pk}/").content.decode()
    assert "Attestation de quotient familial (CAF/MSA), facultative" in page
    response = family_client.post(
        f"/eleves/{student.pk}/documents/qf/", {"qf-file": upload("caf.pdf", pdf_bytes())}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.kind == DocumentKind.FAMILY_QUOTIENT
    assert document.student is None and document.family == family
    assert document.status == Document.Status.RECEIVED
    assert any("Attestation de quotient familial" in message.body for message in outbox())


def test_staff_must_give_the_qf_and_its_validity_to_validate(staff_client, family):
    document = _qf_document(family)
    response = _review(staff_client, document)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Indiquez le quotient familial qui figure sur l'attestation (en euros)." in text
    assert "Indiquez jusqu'à quand le quotient familial est valable." in text
    yesterday = timezone.localdate() - timedelta(days=1)
    response = _review(staff_client, document, qf_value="640", qf_valid_until=yesterday.isoformat())
    assert "Cette date est passée" in visible_text(response.content.decode())
    document.refresh_from_db()
    family.refresh_from_db()
    assert document.status == Document.Status.RECEIVED
    assert family.qf_value is None


def test_validating_the_attestation_sets_the_family_qf(staff_client, family):
    document = _qf_document(family)
    until = timezone.localdate() + timedelta(days=200)
    response = _review(staff_client, document, qf_value="640", qf_valid_until=until.isoformat())
    assert response.status_code == 302
    document.refresh_from_db()
    family.refresh_from_db()
    assert document.status == Document.Status.VALIDATED
    assert (family.qf_value, family.qf_valid_until) == (640, until)


def test_the_family_sees_its_bracket_in_facturation(family_client, family):
    demo_grid(SeasonFactory())
    text = visible_text(family_client.get("/facturation/").content.decode())
    assert "tranche la plus haute (Tranche C)" in text
    family.qf_value = 640
    family.qf_valid_until = timezone.localdate() + timedelta(days=30)
    family.save()
    text = visible_text(family_client.get("/facturation/").content.decode())
    assert "640 €, valable jusqu'au" in text
    assert "tarifs de la Tranche A (0 € à 700 €) pour la saison 2026-2027" in text


def test_an_expired_qf_falls_in_the_highest_bracket(family):
    demo_grid(SeasonFactory())
    family.qf_value = 640
    family.qf_valid_until = timezone.localdate() - timedelta(days=1)
    status = quotient_status(family)
    assert status.qf_value is None and status.bracket.label == "Tranche C"
    family.qf_valid_until = timezone.localdate()
    assert quotient_status(family).bracket.label == "Tranche A"
