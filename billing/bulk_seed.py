"""Ledgers for the generated benchmark families (`seed_demo --families N`).

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

from billing.models import DocumentCounter, Invoice, InvoiceLine, Payment, PaymentMode
from billing.pdf import sha256

YEARS = range(2017, 2027)
SAMPLE_PDF = "billing/bench/sample.pdf"


def _sample_pdf() -> tuple[str, str]:
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


def bulk_seed(*, families, students, season, rng) -> None:
    pdf_name, pdf_hash = _sample_pdf()
    mode = PaymentMode.objects.get_or_create(name="Chèque")[0]
    first_student = {}
    for student in students:
        first_student.setdefault(student.family_id, student)
    invoices, payments = [], []
    for year in YEARS:
        invoice_numbers = _next_numbers("FAC", year, len(families))
        receipt_numbers = _next_numbers("REG", year, len(families))
        for family, invoice_number, receipt_number in zip(
            families, invoice_numbers, receipt_numbers, strict=True
        ):
            amount = Decimal(rng.choice(["120.00", "186.00", "245.50", "310.00"]))
            common = {
                "family": family,
                "family_name": family.name.upper(),
                "family_address": f"{family.address_line1}\n{family.postal_code} {family.city}",
                "centre_name": "Centre culturel",
                "pdf": pdf_name,
                "pdf_sha256": pdf_hash,
            }
            invoices.append(
                Invoice(
                    **common,
                    number=invoice_number,
                    issued_on=date(year, 10, 1),
                    due_on=date(year, 10, 31),
                    label=f"Cotisations {year}-{year + 1}",
                    total=amount,
                )
            )
            payments.append(
                Payment(
                    **common,
                    number=receipt_number,
                    received_on=date(year, 10, 15),
                    mode=mode,
                    mode_name=mode.name,
                    amount=amount,
                )
            )
    # Lines first, numbers after: on PostgreSQL a trigger refuses lines added to an issued
    # invoice (setting a draft's number is allowed).
    numbers = [(invoice.number, invoice.issued_on) for invoice in invoices]
    for invoice in invoices:
        invoice.number = invoice.issued_on = None
    invoices = Invoice.objects.bulk_create(invoices)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                student=first_student.get(invoice.family_id),
                student_name=str(first_student.get(invoice.family_id, "")),
                label=invoice.label,
                amount=invoice.total,
            )
            for invoice in invoices
        ]
    )
    for invoice, (number, issued_on) in zip(invoices, numbers, strict=True):
        invoice.number, invoice.issued_on = number, issued_on
    Invoice.objects.bulk_update(invoices, ["number", "issued_on"], batch_size=500)
    Payment.objects.bulk_create(payments)
