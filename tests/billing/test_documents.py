"""Issued invoices, credit notes and receipts: copied data, immutability, validation, PDFs."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction

from billing import services
from billing.models import Invoice, InvoiceLine, IssuedDocumentError, Payment
from portal.models import Centre
from tests.billing.factories import draft_invoice, issued_invoice, payment, payment_mode, pdf_text


def stored_bytes(document) -> bytes:
    with default_storage.open(document.pdf.name, "rb") as stored:
        return stored.read()


@pytest.fixture
def centre(db):
    centre = Centre.objects.current()
    centre.name = "Centre culturel de Bellerive"
    centre.siret = "212 200 000 00017"
    centre.address = "2 place de l'Église\n22440 Bellerive"
    centre.legal_mentions = "TVA non applicable, art. 261-4-4° du CGI."
    centre.payment_instructions = "Chèque à l'ordre du Trésor public."
    centre.save()
    return centre


def test_an_issued_invoice_copies_the_family_and_the_centre(family, centre):
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    first_address = f"{family.address_line1}\n22440 Bellerive"
    family.address_line1 = "9 rue Neuve"
    family.save()
    centre.name = "Nouveau nom"
    centre.save()
    invoice.refresh_from_db()
    assert invoice.family_name == "DUPONT Marie"
    assert invoice.family_address == first_address
    assert invoice.centre_name == "Centre culturel de Bellerive"
    assert invoice.centre_siret == "212 200 000 00017"
    assert invoice.total == Decimal("186.00")
    assert [line.student_name for line in invoice.lines.all()] == ["Léa " + family.name.upper()] * 2


def test_a_student_renamed_after_the_draft_is_issued_under_the_new_name(family, centre):
    invoice = draft_invoice(family, "120.00")
    line = invoice.lines.get()
    assert line.student_name == "Léa " + family.name.upper()  # copied with the draft
    line.student.first_name = "Léana"
    line.student.save()
    services.issue_invoice(invoice=invoice, issued_on=date(2026, 10, 5))
    line.refresh_from_db()
    assert line.student_name == "Léana " + family.name.upper()
    invoice.refresh_from_db()
    assert "Léana " + family.name.upper() in pdf_text(stored_bytes(invoice))


def test_the_pdf_is_stored_once_with_its_hash_and_shows_number_family_and_total(family, centre):
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    data = stored_bytes(invoice)
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == invoice.pdf_sha256
    text = pdf_text(data)
    assert "FACTURE N° 2026FAC0001" in text
    assert "DUPONT Marie" in text
    assert "186,00 €" in text
    assert "SIRET : 212 200 000 00017" in text
    assert "TVA non applicable" in text
    assert "Chèque à l'ordre du Trésor public." in text
    # Issued without a due date: 30 days.
    assert "Date d'échéance 4 novembre 2026" in text


def test_an_issued_invoice_cannot_be_deleted(family):
    invoice = issued_invoice(family)
    with pytest.raises(IssuedDocumentError):
        invoice.delete()
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    with pytest.raises(IssuedDocumentError):
        payment(family).delete()
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_a_draft_can_be_deleted(family):
    draft = draft_invoice(family)
    draft.delete()
    assert not Invoice.objects.exists()


def test_it_refuses_to_issue_twice_or_without_lines(family):
    invoice = issued_invoice(family)
    with pytest.raises(ValidationError, match="déjà émise"):
        services.issue_invoice(invoice=invoice)
    empty = services.create_draft_invoice(family=family, lines=[])
    with pytest.raises(ValidationError, match="sans ligne"):
        services.issue_invoice(invoice=empty)


def test_a_credit_note_references_the_invoice_and_cannot_exceed_it(family):
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    partial = services.issue_credit_note(
        invoice=invoice,
        lines=[services.LineData(label="Remise", amount=Decimal("20.00"))],
        issued_on=date(2026, 10, 6),
    )
    assert partial.credited_invoice == invoice
    assert partial.total == Decimal("20.00")
    text = pdf_text(stored_bytes(partial))
    assert "AVOIR N° 2026AV0001" in text
    assert "2026FAC0001" in text
    with pytest.raises(ValidationError, match="dépasse"):
        services.issue_credit_note(invoice=invoice, issued_on=date(2026, 10, 7))
    rest = services.issue_credit_note(
        invoice=invoice,
        lines=[services.LineData(label="Solde annulé", amount=Decimal("166.00"))],
        issued_on=date(2026, 10, 7),
    )
    assert services.invoice_balance(invoice) == Decimal("0.00")
    with pytest.raises(ValidationError, match="facture émise"):
        services.issue_credit_note(invoice=rest)


def test_a_full_credit_note_copies_the_lines_and_the_invoices_address(family):
    invoice = issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 3, 1))
    with pytest.raises(ValidationError, match="précéder"):
        services.issue_credit_note(invoice=invoice, issued_on=date(2026, 2, 28))
    family.address_line1 = "9 rue Neuve"
    family.save()
    note = services.issue_credit_note(invoice=invoice, issued_on=date(2026, 3, 2))
    assert note.family_address == invoice.family_address
    assert [line.amount for line in note.lines.all()] == [Decimal("120.00"), Decimal("66.00")]
    assert note.total == invoice.total


def test_it_refuses_bad_amounts_and_dates(family):
    with pytest.raises(ValidationError, match="négative"):
        draft_invoice(family, "-5.00")
    with pytest.raises(ValidationError, match="positif"):
        payment(family, "0.00")
    with pytest.raises(ValidationError, match="après aujourd"):
        payment(family, received_on=date.today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="trop loin"):
        services.create_draft_invoice(
            family=family, lines=[], due_on=date.today() + timedelta(days=4000)
        )
    # And the database itself refuses what a bypassing write would try.
    invoice = draft_invoice(family)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(invoice=invoice, label="x", amount=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            family=family, received_on=date.today(), mode=payment_mode(), amount=Decimal("0")
        )


def test_a_payment_is_allocated_oldest_invoice_first_and_gets_a_receipt(family, centre):
    first = issued_invoice(family, "100.00", issued_on=date(2026, 9, 1))
    second = issued_invoice(family, "80.00", issued_on=date(2026, 9, 2))
    received = payment(
        family,
        "150.00",
        received_on=date(2026, 9, 10),
        invoices=[second, first],
        mode="Chèques vacances ANCV",
        reference="ANCV 123",
    )
    assert received.number == "2026REG0001"
    assert {a.invoice.number: a.amount for a in received.allocations.all()} == {
        "2026FAC0001": Decimal("100.00"),
        "2026FAC0002": Decimal("50.00"),
    }
    assert services.invoice_balance(second) == Decimal("30.00")
    text = pdf_text(stored_bytes(received))
    assert "REÇU N° 2026REG0001" in text
    assert "150,00 €" in text
    assert "Chèques vacances ANCV" in text
    assert "DUPONT Marie" in text
    assert hashlib.sha256(stored_bytes(received)).hexdigest() == received.pdf_sha256


def test_a_payment_is_never_allocated_to_another_familys_invoice(family, other_user):
    foreign = issued_invoice(other_user.family)
    received = payment(family, "50.00", invoices=[foreign])
    assert not received.allocations.exists()


def test_staff_can_add_payment_modes(family):
    received = payment(family, mode="Pass Culture")
    assert received.mode_name == "Pass Culture"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the immutability triggers exist on PostgreSQL only"
)
def test_the_database_refuses_to_change_an_issued_invoice_or_its_lines(family):
    invoice = issued_invoice(family)
    for statement in [
        "UPDATE billing_invoice SET total = 0 WHERE id = %s",
        "DELETE FROM billing_invoice WHERE id = %s",
        "UPDATE billing_invoiceline SET amount = 0 WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceline WHERE invoice_id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [invoice.pk])
    draft = draft_invoice(family)
    Invoice.objects.filter(pk=draft.pk).update(label="Toujours modifiable")
    draft.lines.update(amount=Decimal("1.00"))
