"""The demo family pays its balance online (dummy backend, the portal's simulated service): the
Accueil's "Payer en ligne", what is paid, the service, the result, the ledger, the receipt."""

import re

from playwright.sync_api import expect

from accounts.models import User
from billing.models import account_totals
from billing.templatetags.billing import format_euros
from payments.models import PaymentAttempt
from tests.billing.factories import pdf_text, plain
from tests.browser.helpers import log_in
from tests.demo import seed_demo


def test_demo_family_pays_its_balance(page, settings, outbox):
    seed_demo(settings)
    family = User.objects.get(username="demo").family
    balance = account_totals(family)["balance"]
    assert balance > 0
    amount = plain(format_euros(balance))
    outbox.clear()

    log_in(page, "demo", "Demo-Portail-2026")
    page.wait_for_url("**/accueil/")
    page.get_by_role("link", name="Payer en ligne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payer en ligne")
    summary = page.locator("#payment-summary")
    expect(summary).to_contain_text(
        re.compile(r"Montant à payer : " + re.escape(amount).replace(r"\ ", r"\s"))
    )
    page.get_by_role("button", name=re.compile("par carte bancaire")).click()

    # The simulated service, then the result page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Service de paiement simulé")
    page.get_by_role("button", name="Payer (paiement accepté)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat du paiement")
    expect(page.locator("#payment-result")).to_contain_text("Paiement accepté")
    attempt = PaymentAttempt.objects.get(family=family)
    receipt = attempt.payment.number

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Télécharger le reçu {receipt}").click()
    with open(download_info.value.path(), "rb") as downloaded:
        assert receipt in pdf_text(downloaded.read())

    page.get_by_role("link", name="Voir mon compte (Facturation)").click()
    expect(page.locator("#account-balance")).to_contain_text("Votre compte est soldé")
    expect(page.get_by_role("link", name=re.compile(receipt))).to_be_visible()
    assert any(receipt in message.body for message in outbox())
