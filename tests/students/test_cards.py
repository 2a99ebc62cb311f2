"""Accueil: a card per document to provide, refused or expired."""

from students.models import Document
from tests.students.factories import DocumentFactory, dance_student, music_student


def test_it_shows_a_card_per_document_to_provide_or_refused(family_client, family):
    musician = music_student(family)
    dancer = dance_student(family, first_name="Inès")
    DocumentFactory(
        family=family, status=Document.Status.REFUSED, refusal_reason="Document illisible"
    )
    page = family_client.get("/accueil/").content.decode()
    assert "Justificatif de domicile de moins de 3 mois" in page
    assert "Document refusé : Document illisible" in page
    assert f"— {dancer.display_name}" in page
    assert "Document à fournir pour la saison en cours." in page
    assert f"/eleves/{dancer.pk}/#documents" in page
    assert f"/eleves/{musician.pk}/#documents" in page


def test_no_card_once_documents_are_received(family_client, family):
    music_student(family)
    DocumentFactory(family=family)
    page = family_client.get("/accueil/").content.decode()
    assert "Justificatif de domicile de moins de 3 mois" not in page
