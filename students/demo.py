"""Demo documents for the demo family (called by `seed_demo`): one per status worth seeing."""

import io
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from students.models import Document, DocumentKind, Season


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _document(family, season, *, student=None, kind, status, is_current=True, reason="", days=10):
    name, content = f"documents/{uuid.uuid4().hex}.pdf", _blank_pdf()
    # Written once the rows are committed: `seed_demo --dry-run` leaves no file behind.
    transaction.on_commit(lambda: default_storage.save(name, ContentFile(content)))
    today = timezone.localdate()
    return Document.objects.create(
        family=family,
        student=student,
        season=season,
        kind=kind,
        document_date=today - timedelta(days=days) if student is None else None,
        file=name,
        content_type="application/pdf",
        size=len(content),
        original_name="document.pdf",
        status=status,
        refusal_reason=reason,
        is_current=is_current,
        reviewed_at=None if status == Document.Status.RECEIVED else timezone.now(),
    )


def seed_demo(family) -> None:
    """Proof of address: a refused first version, then one waiting for review; Inès (dance):
    a validated attestation. Idempotent: does nothing when the family has documents."""
    season = Season.objects.current()
    if season is None or Document.objects.filter(family=family).exists():
        return
    _document(
        family,
        season,
        kind=DocumentKind.PROOF_OF_ADDRESS,
        status=Document.Status.REFUSED,
        reason="Le document est illisible : merci d'envoyer une photo plus nette.",
        is_current=False,
        days=40,
    )
    _document(family, season, kind=DocumentKind.PROOF_OF_ADDRESS, status=Document.Status.RECEIVED)
    dancer = family.students.filter(enrolments__course__discipline__department__kind="dance")
    for student in dancer.distinct():
        _document(
            family,
            season,
            student=student,
            kind=DocumentKind.HEALTH_STATEMENT,
            status=Document.Status.VALIDATED,
        )
