"""A family finds its invoice in the ledger, opens it and downloads its PDF, by keyboard."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.billing.factories import issued_invoice, payment, pdf_text
from tests.browser.helpers import log_in
from tests.factories import ResponsableFactory, UserFactory

PASSWORD = "Premier-Mot-De-Passe-2026"


def test_it_opens_an_invoice_from_the_ledger_and_downloads_its_pdf(page):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    invoice = issued_invoice(user.family, "120.00", "66.00", issued_on=date(2026, 10, 5))
    payment(user.family, "86.00", received_on=date(2026, 10, 20), invoices=[invoice])

    log_in(page, "test.nicolas", PASSWORD)
    expect(page.get_by_text("Solde à régler")).to_be_visible()
    page.get_by_role("link", name="Voir mes factures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturation")
    expect(page.locator("#account-balance")).to_contain_text("Vous devez 100,00")

    # Keyboard only: focus the invoice's label link and press Enter.
    page.get_by_role("link", name="COTISATIONS").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Facture {invoice.number}")
    expect(page.locator("#invoice-balance")).to_contain_text("100,00")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(f"Télécharger le PDF {invoice.number}")).click()
    download = download_info.value
    assert download.suggested_filename == f"{invoice.number}.pdf"
    with open(download.path(), "rb") as downloaded:
        text = pdf_text(downloaded.read())
    assert f"FACTURE N° {invoice.number}" in text
    assert "TEST Nicolas" in text
    assert "186,00 €" in text
