"""Invoice detail page and PDF downloads: owner, other family, anonymous, staff."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from billing import services
from billing.models import Invoice, Payment, model_for_number
from tests.billing.factories import issued_invoice, payment, pdf_text, visible_text


@pytest.fixture
def invoice(family):
    return issued_invoice(family, "120.00", "66.00", issued_on=date(2026, 10, 5))


def test_the_detail_shows_lines_and_what_was_paid(family_client, family, invoice):
    payment(family, "100.00", received_on=date(2026, 10, 10), invoices=[invoice])
    services.issue_credit_note(
        invoice=invoice,
        lines=[services.LineData(label="Remise", amount=Decimal("6.00"))],
        issued_on=date(2026, 10, 11),
    )
    response = family_client.get(reverse("billing:invoice", args=[invoice.number]))
    text = visible_text(response.content.decode())
    assert "Facture 2026FAC0001" in text
    assert f"Léa {family.name.upper()} Cotisation n° 1 120,00 €" in text
    assert "Total 186,00 €" in text
    assert "100,00 € le 10 octobre 2026 (Chèque, reçu 2026REG0001)" in text
    assert "6,00 € par l'avoir 2026AV0001" in text
    assert "Reste à payer sur cette facture : 80,00 €" in text


def test_the_detail_is_a_404_for_another_family_and_needs_a_login(client, other_user, invoice):
    url = reverse("billing:invoice", args=[invoice.number])
    assert client.get(url)["Location"] == f"/connexion/?next={url}"
    client.force_login(other_user)
    assert client.get(url).status_code == 404


def test_the_owner_downloads_the_stored_bytes_as_an_attachment(family_client, invoice):
    with default_storage.open(invoice.pdf.name, "rb") as stored:
        expected = stored.read()
    response = family_client.get(reverse("billing:pdf", args=[invoice.number]))
    assert response.status_code == 200
    content = response.getvalue()
    assert content == expected
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="2026FAC0001.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "FACTURE N° 2026FAC0001" in pdf_text(content)


def test_receipts_and_credit_notes_download_too(family_client, family, invoice):
    received = payment(family, "20.00")
    note = services.issue_credit_note(invoice=invoice)
    for number, title in [(received.number, "REÇU N°"), (note.number, "AVOIR N°")]:
        response = family_client.get(reverse("billing:pdf", args=[number]))
        assert f"{title} {number}" in pdf_text(response.getvalue())


def test_the_number_s_kind_picks_the_document_s_model():
    assert model_for_number("2026FAC0001") is Invoice
    assert model_for_number("2026AV0001") is Invoice  # credit notes are Invoice rows
    assert model_for_number("2026REG0001") is Payment
    assert model_for_number("2026XYZ0001") is None


def test_another_familys_number_is_a_404(client, other_user, family, invoice):
    received = payment(family, "20.00")
    client.force_login(other_user)
    for number in [invoice.number, received.number, "2026FAC9999"]:
        assert client.get(reverse("billing:pdf", args=[number])).status_code == 404


def test_an_anonymous_download_goes_to_the_login_page(client, invoice):
    url = reverse("billing:pdf", args=[invoice.number])
    assert client.get(url)["Location"] == f"/connexion/?next={url}"


def test_staff_can_download_any_document(staff_client, invoice):
    response = staff_client.get(reverse("billing:pdf", args=[invoice.number]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")


def test_the_detail_query_count_does_not_grow_with_lines_and_payments(
    family_client, family, django_assert_max_num_queries
):
    small = issued_invoice(family, "10.00", issued_on=date(2026, 3, 1))
    payment(family, "5.00", invoices=[small])
    with django_assert_max_num_queries(20) as few:
        family_client.get(reverse("billing:invoice", args=[small.number]))
    big = issued_invoice(family, *["10.00"] * 12, issued_on=date(2026, 3, 2))
    for _ in range(4):
        payment(family, "5.00", invoices=[big])
    services.issue_credit_note(
        invoice=big, lines=[services.LineData(label="Geste", amount=Decimal("1.00"))]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = family_client.get(reverse("billing:invoice", args=[big.number]))
    assert visible_text(response.content.decode()).count("Cotisation n°") == 12
