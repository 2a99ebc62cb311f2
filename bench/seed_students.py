"""Supporting documents for the generated benchmark families (`bench_seed --families N`):
a proof of address per family and a dance attestation for one student in two, in various
statuses, all pointing at one small sample PDF (the bench measures pages, not storage)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from bench.bulk_insert import insert
from students.models import Document, DocumentKind

SAMPLE_PDF = "documents/bench/sample.pdf"
STATUSES = [Document.Status.RECEIVED, Document.Status.VALIDATED, Document.Status.REFUSED]


def sample_pdf() -> tuple[str, int]:
    if not default_storage.exists(SAMPLE_PDF):
        import weasyprint

        content = weasyprint.HTML(string="<p>Justificatif (exemple de mesure)</p>").write_pdf()
        default_storage.save(SAMPLE_PDF, ContentFile(content))
    return SAMPLE_PDF, default_storage.size(SAMPLE_PDF)


COLUMNS = [
    "family_id",
    "student_id",
    "season_id",
    "kind",
    "document_date",
    "file",
    "content_type",
    "size",
    "original_name",
    "status",
    "refusal_reason",
]


def bulk_seed(*, families, students, season, rng) -> None:
    if season is None:
        return
    name, size = sample_pdf()
    address_date = timezone.localdate() - timedelta(days=20)
    statuses = [status.value for status in STATUSES]

    def document(family_id, student_id, kind, status):
        return (
            family_id,
            student_id,
            season.pk,
            kind,
            address_date if kind == DocumentKind.PROOF_OF_ADDRESS else None,
            name,
            "application/pdf",
            size,
            "justificatif.pdf",
            status,
            "Document illisible" if status == Document.Status.REFUSED else "",
        )

    rows = [
        document(family.pk, None, DocumentKind.PROOF_OF_ADDRESS.value, rng.choice(statuses))
        for family in families
    ]
    seen = set()
    for student in students:
        if student.family_id not in seen and rng.random() < 0.5:
            seen.add(student.family_id)
            rows.append(
                document(
                    student.family_id,
                    student.pk,
                    DocumentKind.HEALTH_STATEMENT.value,
                    rng.choice(statuses),
                )
            )
    insert(Document, COLUMNS, rows)
