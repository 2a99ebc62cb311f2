"""Issue 12, item 23: the labels the portal generates ("RÈGLEMENT", "AVOIR sur…", a credit
note's "Objet") follow the reader's language; what staff typed is shown as typed."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from billing import services
from billing.models import Invoice
from tests.billing.factories import issued_invoice, payment, pdf_text, visible_text


@pytest.fixture(autouse=True)
def _back_to_french():
    """A request in English leaves English active in this thread: later tests expect French."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/facturation/"})


def operations(family):
    invoice = issued_invoice(
        family, "120.00", "66.00", issued_on=date(2026, 10, 5), label="Cotisations 2026-2027"
    )
    whole = services.issue_credit_note(invoice=invoice, issued_on=date(2026, 10, 6))
    second = issued_invoice(family, "50.00", issued_on=date(2026, 10, 7), label="Stage d'été")
    gesture = services.issue_credit_note(
        invoice=second,
        lines=[services.LineData(label="Geste commercial", amount=Decimal("10.00"))],
        label="Geste commercial",
        issued_on=date(2026, 10, 8),
    )
    payment(family, "40.00", received_on=date(2026, 10, 9), reference="Chq 42")
    return invoice, whole, gesture


def test_in_french_the_ledger_shows_staff_labels_as_typed(family_client, family):
    operations(family)
    text = visible_text(family_client.get(reverse("billing:ledger")).content.decode())
    assert "Cotisations 2026-2027" in text and "COTISATIONS" not in text
    assert "Stage d'été" in text
    assert "RÈGLEMENT (Chq 42)" in text
    assert "AVOIR sur 2026FAC0001" in text and "AVOIR sur 2026FAC0002" in text


def test_in_english_the_generated_labels_follow_the_reader(family_client, family):
    invoice, whole, gesture = operations(family)
    english(family_client)

    text = visible_text(family_client.get(reverse("billing:ledger")).content.decode())
    assert "PAYMENT (Chq 42)" in text and "RÈGLEMENT" not in text
    assert "CREDIT NOTE on 2026FAC0001" in text and "AVOIR" not in text
    assert "Cotisations 2026-2027" in text and "Stage d'été" in text  # staff text, as typed

    # A credit note without a typed reason: its "Objet" is generated in English.
    text = visible_text(
        family_client.get(reverse("billing:invoice", args=[whole.number])).content.decode()
    )
    assert "Credit note on invoice 2026FAC0001" in text
    assert "Avoir sur la facture" not in text
    # One with a reason staff typed shows it as typed.
    text = visible_text(
        family_client.get(reverse("billing:invoice", args=[gesture.number])).content.decode()
    )
    assert "Geste commercial" in text

    # The PDFs are the centre's French documents, frozen when issued: generated text in French
    # (never half-translated), staff text as typed.
    response = family_client.get(reverse("billing:pdf", args=[whole.number]))
    pdf = pdf_text(b"".join(response.streaming_content))
    assert "Objet : Avoir sur la facture 2026FAC0001" in pdf and "Credit note" not in pdf
    response = family_client.get(reverse("billing:pdf", args=[invoice.number]))
    pdf = pdf_text(b"".join(response.streaming_content))
    assert "Objet : Cotisations 2026-2027" in pdf


def test_a_generated_credit_note_label_is_not_stored_in_french(family, outbox):
    invoice = issued_invoice(family, issued_on=date(2026, 10, 5))
    outbox.clear()
    note = services.issue_credit_note(invoice=invoice, issued_on=date(2026, 10, 6))
    note = Invoice.objects.select_related("credited_invoice").get(pk=note.pk)
    assert note.label == "" and note.typed_label == ""
    with translation.override("en"):
        assert note.subject == "Credit note on invoice 2026FAC0001"
    with translation.override("fr"):
        assert note.subject == "Avoir sur la facture 2026FAC0001"
    # The family's e-mail gives the generated reason (in the e-mail's language).
    [message] = outbox()
    assert "Motif : Avoir sur la facture 2026FAC0001" in message.body


def test_a_credit_note_stored_with_the_old_french_label_reads_as_generated(family):
    """Issued rows never change: the label stored before this change is recognised."""
    invoice = issued_invoice(family, issued_on=date(2026, 10, 5))
    note = services.issue_credit_note(invoice=invoice, issued_on=date(2026, 10, 6))
    note.label = "Avoir sur la facture 2026FAC0001"  # as stored before (not saved: immutable)
    assert note.typed_label == ""
    with translation.override("en"):
        assert note.subject == "Credit note on invoice 2026FAC0001"
    note.label = "Remise famille"
    assert note.typed_label == note.subject == "Remise famille"


def test_the_accounting_export_keeps_staff_text_and_no_generated_duplicate(staff_client, family):
    operations(family)
    response = staff_client.get(
        reverse("admin:billing_familyaccount_export"), {"start": "01/10/2026", "end": "31/10/2026"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    labels = {row[2]: row[4] for row in rows[1:]}
    assert labels["2026FAC0001"] == "Cotisations 2026-2027"
    assert labels["2026AV0001"] == "AVOIR sur 2026FAC0001"
    assert labels["2026AV0002"] == "AVOIR sur 2026FAC0002 — Geste commercial"
