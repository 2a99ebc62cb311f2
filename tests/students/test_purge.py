"""`purge_documents`: previous seasons' certificates and proofs of address go, rows and files."""

from datetime import date
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command

from students.models import Document, DocumentKind
from tests.factories import SeasonFactory
from tests.students.factories import DocumentFactory, dance_student


def test_it_purges_previous_seasons_with_a_dry_run_first(
    family, django_capture_on_commit_callbacks
):
    current = SeasonFactory()
    old = SeasonFactory(name="2025-2026", starts_on=date(2025, 9, 1), is_current=False)
    student = dance_student(family)
    kept = DocumentFactory(family=family, season=current)
    old_address = DocumentFactory(family=family, season=old)
    old_certificate = DocumentFactory(
        family=family,
        student=student,
        season=old,
        kind=DocumentKind.MEDICAL_CERTIFICATE,
        document_date=None,
    )

    out = StringIO()
    call_command("purge_documents", "--dry-run", stdout=out)
    assert "Justificatif de domicile : 1 à supprimer" in out.getvalue()
    assert "Certificat médical : 1 à supprimer" in out.getvalue()
    assert "rien n'a été supprimé" in out.getvalue()
    assert Document.objects.count() == 3

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_documents", stdout=out)
    assert "Total : 2 document(s), 2 fichier(s) supprimé(s)" in out.getvalue()
    assert list(Document.objects.all()) == [kept]
    assert default_storage.exists(kept.file.name)
    assert not default_storage.exists(old_address.file.name)
    assert not default_storage.exists(old_certificate.file.name)
