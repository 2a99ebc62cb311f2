"""Paying online end to end with eopayment's `dummy` backend and the portal's simulated service:
start → service → notification → ledger, receipt PDF and e-mail."""

from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import pytest

from billing.models import Payment
from payments.models import PaymentAttempt, PaymentNotification
from tests.billing.factories import issued_invoice, payment, pdf_text, visible_text
from tests.payments.helpers import query_of, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dummy(settings):
    settings.PAYMENT_BACKEND = "dummy"
    settings.PAYMENT_SERVICE_URL = ""


def _simulate(client, url, outcome):
    """The family, on the simulated service, chooses `outcome`; returns the return page."""
    path = urlsplit(url).path
    assert path == "/facturation/payer/simulateur/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(path, {**query_of(url), "outcome": outcome})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_summary_says_what_is_paid_and_the_amount_is_the_servers(family_client, family):
    first = issued_invoice(family, "120.00", "66.00")
    second = issued_invoice(family, "40.00")
    html = visible_text(family_client.get("/facturation/payer/").content.decode())
    assert f"Facture {first.number}" in html and f"Facture {second.number}" in html
    assert "Montant à payer : 226,00 €" in html
    one = visible_text(
        family_client.get(f"/facturation/payer/?facture={second.number}").content.decode()
    )
    assert "Montant à payer : 40,00 €" in one
    # An amount in the form is ignored: the server computes it.
    url = family_client.post("/facturation/payer/", {"facture": [second.number], "amount": "1.00"})[
        "Location"
    ]
    assert query_of(url)["amount"] == "40.00"
    assert PaymentAttempt.objects.get().amount == Decimal("40.00")


def test_paid_end_to_end(family_client, family, outbox):
    invoice = issued_invoice(family, "120.00", "66.00")
    outbox.clear()
    url = start(family_client, invoice.number)
    attempt = PaymentAttempt.objects.get()
    assert attempt.state == "created" and attempt.amount == Decimal("186.00")
    page = _simulate(family_client, url, "ok")
    html = visible_text(page.content.decode())
    attempt.refresh_from_db()
    assert attempt.state == "paid"
    receipt = attempt.payment
    assert receipt.number.endswith("REG0001") and receipt.amount == Decimal("186.00")
    assert receipt.mode_name == "Paiement en ligne (carte bancaire)"
    assert "Paiement accepté" in html and receipt.number in html
    # The ledger: the receipt, and nothing left to pay.
    ledger = visible_text(family_client.get("/facturation/").content.decode())
    assert receipt.number in ledger and "Votre compte est soldé" in ledger
    assert "Payer en ligne" not in ledger
    # Its PDF, and its e-mail.
    pdf = family_client.get(f"/facturation/{receipt.number}.pdf")
    assert pdf.status_code == 200
    assert receipt.number in pdf_text(b"".join(pdf.streaming_content))
    messages = outbox()
    assert len(messages) == 1 and receipt.number in messages[0].body
    assert PaymentNotification.objects.get().outcome == "recorded"


def test_refused_and_abandoned_record_nothing(family_client, family):
    invoice = issued_invoice(family, "50.00")
    html = visible_text(_simulate(family_client, start(family_client), "refused").content.decode())
    assert "Paiement refusé" in html
    abandoned = _simulate(family_client, start(family_client), "cancelled")
    html = visible_text(abandoned.content.decode())
    assert "Paiement abandonné" in html
    assert list(PaymentAttempt.objects.values_list("state", flat=True).order_by("pk")) == [
        "error",
        "abandoned",
    ]
    assert not Payment.objects.exists()
    assert "Reste à payer sur cette facture : 50,00 €" in visible_text(
        family_client.get(f"/facturation/factures/{invoice.number}/").content.decode()
    )


FORM = "application/x-www-form-urlencoded"


def _notify(client, body):
    return client.post("/facturation/payer/notification/", body, content_type=FORM)


def _notification(url, **changes):
    fields = {key: query_of(url)[key] for key in ["transaction_id", "orderid", "amount"]}
    return urlencode({**fields, "signed": "1", "ok": "1", **changes})


def test_duplicate_notification_records_one_payment(family_client, client, family, outbox):
    issued_invoice(family, "80.00")
    url = start(family_client)
    body = _notification(url)
    for _ in range(2):
        response = _notify(client, body)
        assert response.status_code == 200
    assert Payment.objects.count() == 1
    assert list(PaymentNotification.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "recorded",
        "duplicate",
    ]


def test_tampered_amount_is_refused_and_logged(family_client, client, family, caplog):
    issued_invoice(family, "80.00")
    url = start(family_client)
    response = client.post(
        "/facturation/payer/notification/",
        _notification(url, amount="1.00"),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not Payment.objects.exists()
    assert PaymentAttempt.objects.get().state == "created"
    assert "payment_notification_rejected" in caplog.text
    notification = PaymentNotification.objects.get()
    assert notification.outcome == "rejected" and "amount" in notification.detail
    # An unsigned one, or another reference, neither.
    for changes in [{"orderid": "PLAUTRE"}]:
        client.post(
            "/facturation/payer/notification/",
            _notification(url, **changes),
            content_type="application/x-www-form-urlencoded",
        )
    unsigned = urlencode({"transaction_id": query_of(url)["transaction_id"], "ok": "1"})
    _notify(client, unsigned)
    assert not Payment.objects.exists()
    assert PaymentNotification.objects.filter(outcome="rejected").count() == 3


def test_notification_before_return_and_return_records_nothing(family_client, client, family):
    issued_invoice(family, "80.00")
    url = start(family_client)
    attempt = PaymentAttempt.objects.get()
    return_path = f"/facturation/payer/retour/{attempt.reference}/"
    # The family comes back without any notification: nothing is recorded, the page waits.
    html = visible_text(family_client.get(return_path).content.decode())
    assert "en attente de confirmation" in html
    assert not Payment.objects.exists()
    # The payment page warns before a second payment.
    again = visible_text(family_client.get("/facturation/payer/").content.decode())
    assert "attend encore la confirmation du service de paiement" in again
    # The notification arrives: the same page now says paid.
    client.post(
        "/facturation/payer/notification/",
        _notification(url),
        content_type="application/x-www-form-urlencoded",
    )
    html = visible_text(family_client.get(return_path).content.decode())
    assert "Paiement accepté" in html


def test_invoice_settled_meanwhile_leaves_a_credit(family_client, client, family):
    invoice = issued_invoice(family, "80.00")
    url = start(family_client, invoice.number)
    payment(family, "80.00", invoices=[invoice])  # a cheque at the desk, meanwhile
    client.post(
        "/facturation/payer/notification/",
        _notification(url),
        content_type="application/x-www-form-urlencoded",
    )
    attempt = PaymentAttempt.objects.get()
    assert attempt.state == "paid" and not attempt.payment.allocations.exists()
    html = visible_text(
        family_client.get(f"/facturation/payer/retour/{attempt.reference}/").content.decode()
    )
    assert "80,00 € restent en crédit" in html
    assert "crédit de 80,00 €" in visible_text(family_client.get("/facturation/").content.decode())


def test_another_familys_invoice_or_attempt_is_404(family_client, family, other_user):
    mine = issued_invoice(family, "80.00")
    theirs = issued_invoice(other_user.family, "30.00")
    assert family_client.get(f"/facturation/payer/?facture={theirs.number}").status_code == 404
    response = family_client.post("/facturation/payer/", {"facture": [theirs.number]})
    assert response.status_code == 404
    assert not PaymentAttempt.objects.exists()
    start(family_client, mine.number)
    attempt = PaymentAttempt.objects.get()
    family_client.force_login(other_user)
    assert family_client.get(f"/facturation/payer/retour/{attempt.reference}/").status_code == 404


def test_start_needs_csrf(client, family_user, family):
    issued_invoice(family, "80.00")
    client.handler.enforce_csrf_checks = True
    client.force_login(family_user)
    assert client.post("/facturation/payer/", {}).status_code == 403
    assert not PaymentAttempt.objects.exists()


def test_payer_buttons(family_client, family):
    invoice = issued_invoice(family, "80.00")
    assert 'href="/facturation/payer/"' in family_client.get("/accueil/").content.decode()
    assert 'id="ledger-pay"' in family_client.get("/facturation/").content.decode()
    detail = family_client.get(f"/facturation/factures/{invoice.number}/").content.decode()
    assert f"/facturation/payer/?facture={invoice.number}" in detail


def test_return_page_needs_login(client, family_user, family):
    response = client.get("/facturation/payer/retour/PLINCONNU/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_payment_page_queries_do_not_grow_with_invoices(family_client, family):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert family_client.get("/facturation/payer/").status_code == 200
        return len(queries)

    issued_invoice(family, "10.00")
    few = count()
    for _ in range(4):
        issued_invoice(family, "10.00")
    assert count() == few


def test_an_invoice_already_settled_says_so(family_client, family):
    invoice = issued_invoice(family, "80.00")
    payment(family, "80.00", invoices=[invoice])
    response = family_client.get(f"/facturation/payer/?facture={invoice.number}")
    assert response.status_code == 200
    assert f"Il ne reste rien à payer sur la facture {invoice.number}" in visible_text(
        response.content.decode()
    )
    assert "Vous n'avez aucune facture à payer" in visible_text(response.content.decode())


def test_without_a_backend_no_payer_button(family_client, family, settings):
    settings.PAYMENT_BACKEND = ""
    invoice = issued_invoice(family, "80.00")
    assert "/facturation/payer/" not in family_client.get("/accueil/").content.decode()
    assert "/facturation/payer/" not in family_client.get("/facturation/").content.decode()
    detail = family_client.get(f"/facturation/factures/{invoice.number}/").content.decode()
    assert "/facturation/payer/" not in detail
    assert family_client.get("/facturation/payer/").status_code == 404
    assert family_client.get("/facturation/payer/simulateur/").status_code == 404
