"""Supporting documents for the generated benchmark families (`seed_demo --families N`):
a proof of address per family and a dance attestation for one student in two, in various
statuses, all pointing at one small sample PDF (the bench measures pages, not storage)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from students.models import Document, DocumentKind

SAMPLE_PDF = "documents/bench/sample.pdf"
STATUSES = [Document.Status.RECEIVED, Document.Status.VALIDATED, Document.Status.REFUSED]


def _sample_pdf() -> tuple[str, int]:
    if not default_storage.exists(SAMPLE_PDF):
        import weasyprint

        content = weasyprint.HTML(string="<p>Justificatif (exemple de mesure)</p>").write_pdf()
        default_storage.save(SAMPLE_PDF, ContentFile(content))
    return SAMPLE_PDF, default_storage.size(SAMPLE_PDF)


def bulk_seed(*, families, students, season, rng) -> None:
    if season is None:
        return
    name, size = _sample_pdf()
    today = timezone.localdate()

    def document(family, student, kind, status):
        return Document(
            family=family,
            student=student,
            season=season,
            kind=kind,
            document_date=today - timedelta(days=20)
            if kind == DocumentKind.PROOF_OF_ADDRESS
            else None,
            file=name,
            content_type="application/pdf",
            size=size,
            original_name="justificatif.pdf",
            status=status,
            refusal_reason="Document illisible" if status == Document.Status.REFUSED else "",
        )

    documents = [
        document(family, None, DocumentKind.PROOF_OF_ADDRESS, rng.choice(STATUSES))
        for family in families
    ]
    seen = set()
    for student in students:
        if student.family_id not in seen and rng.random() < 0.5:
            seen.add(student.family_id)
            documents.append(
                document(
                    student.family, student, DocumentKind.HEALTH_STATEMENT, rng.choice(STATUSES)
                )
            )
    Document.objects.bulk_create(documents)
