"""Ledgers for the generated benchmark families (`bench_seed --families N`).

About 20 operations per family: ten issued invoices of one line, one a year, and ten payments.
Numbers continue the real counters (locked), so issuing after a benchmark seed stays gapless.
Every generated document points at one sample PDF rendered once: the bench measures serving
stored bytes, not rendering 100 000 of them.
"""

from datetime import date
from decimal import Decimal

import weasyprint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from bench.bulk_insert import insert
from billing.models import DocumentCounter, Invoice, InvoiceLine, Payment, PaymentMode
from billing.pdf import sha256

YEARS = range(2017, 2027)
SAMPLE_PDF = "billing/bench/sample.pdf"


def sample_pdf() -> tuple[str, str]:
    if not default_storage.exists(SAMPLE_PDF):
        content = weasyprint.HTML(string="<h1>Facture (exemple de mesure)</h1>").write_pdf()
        default_storage.save(SAMPLE_PDF, ContentFile(content))
    with default_storage.open(SAMPLE_PDF) as handle:
        return SAMPLE_PDF, sha256(handle.read())


def _next_numbers(kind: str, year: int, count: int) -> list[str]:
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(kind=kind, year=year)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [f"{year}{kind}{n:04d}" for n in range(first, first + count)]


SNAPSHOT = ["family_id", "family_name", "family_address", "centre_name", "pdf", "pdf_sha256"]
AMOUNTS = [Decimal(amount) for amount in ("120.00", "186.00", "245.50", "310.00")]


def bulk_seed(*, families, students, season, rng) -> None:
    pdf_name, pdf_hash = sample_pdf()
    mode = PaymentMode.objects.get_or_create(name="Chèque")[0]
    first_student = {}
    for student in students:
        first_student.setdefault(student.family_id, student)
    snapshots = [
        (
            family.pk,
            family.name.upper(),
            f"{family.address_line1}\n{family.postal_code} {family.city}",
            "Centre culturel",
            pdf_name,
            pdf_hash,
        )
        for family in families
    ]
    invoices, payments, numbers = [], [], []
    for year in YEARS:
        invoice_numbers = _next_numbers("FAC", year, len(families))
        receipt_numbers = _next_numbers("REG", year, len(families))
        label = f"Cotisations {year}-{year + 1}"
        for snapshot, invoice_number, receipt_number in zip(
            snapshots, invoice_numbers, receipt_numbers, strict=True
        ):
            amount = rng.choice(AMOUNTS)
            # Drafts first: the numbers are set once the lines are written.
            invoices.append((*snapshot, label, date(year, 10, 31), amount))
            numbers.append((invoice_number, date(year, 10, 1)))
            payments.append(
                (*snapshot, receipt_number, date(year, 10, 15), mode.pk, mode.name, amount)
            )
    invoice_ids = insert(Invoice, [*SNAPSHOT, "label", "due_on", "total"], invoices, ids=True)
    # Lines first, numbers after: on PostgreSQL a trigger refuses lines added to an issued
    # invoice (setting a draft's number is allowed).
    lines = []
    for pk, invoice in zip(invoice_ids, invoices, strict=True):
        student = first_student.get(invoice[0])
        lines.append(
            (pk, student.pk if student else None, str(student or ""), invoice[6], invoice[8])
        )
    insert(InvoiceLine, ["invoice_id", "student_id", "student_name", "label", "amount"], lines)
    _issue(invoice_ids, numbers)
    insert(
        Payment,
        [*SNAPSHOT, "number", "received_on", "mode_id", "mode_name", "amount"],
        payments,
    )


def _issue(invoice_ids: list[int], numbers: list[tuple[str, date]]) -> None:
    """Gives the drafts their numbers and dates: one statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        drafts = Invoice.objects.in_bulk(invoice_ids)
        for pk, (number, issued_on) in zip(invoice_ids, numbers, strict=True):
            drafts[pk].number, drafts[pk].issued_on = number, issued_on
        Invoice.objects.bulk_update(drafts.values(), ["number", "issued_on"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE billing_invoice AS invoice SET number = issued.number, "
            "issued_on = issued.issued_on "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::date[]) AS issued(id, number, issued_on) "
            "WHERE invoice.id = issued.id",
            [invoice_ids, [n for n, _ in numbers], [d for _, d in numbers]],
        )


DRAFT_LINES = [("Adhésion familiale", Decimal("25.00"))]
STUDENT_LINE = Decimal("186.00")


def bulk_seed_drafts(*, families, students, season) -> None:
    """One draft invoice per family (`bench_seed --drafts`), for the billing-run benchmark: the
    family's membership plus one course line per student (at most 3), as a season's bill."""
    by_family: dict[int, list] = {}
    for student in students:
        by_family.setdefault(student.family_id, []).append(student)
    label = f"Cotisations {season.name}" if season else "Cotisations"
    invoice_ids = insert(
        Invoice,
        ["family_id", "season_id", "label"],
        [(family.pk, season.pk if season else None, label) for family in families],
        ids=True,
    )
    lines = []
    for family, pk in zip(families, invoice_ids, strict=True):
        position = 0
        for text, amount in DRAFT_LINES:
            position += 1
            lines.append((pk, None, "", text, amount, position))
        for student in by_family.get(family.pk, [])[:3]:
            position += 1
            # The student's name (`str`: as `Student.display_name`) copied as
            # `billing.services.create_draft_invoice` does.
            lines.append(
                (
                    pk,
                    student.pk,
                    str(student),
                    f"Cours : {student.first_name}",
                    STUDENT_LINE,
                    position,
                )
            )
    insert(
        InvoiceLine,
        ["invoice_id", "student_id", "student_name", "label", "amount", "position"],
        lines,
    )
