"""Paying through PayFiP (eopayment's payfip_ws) against a local fake of its web service: the
created payment, the redirect, the notification and the detail lookup."""

from decimal import Decimal

import pytest

from billing.models import Payment
from payments.models import PaymentAttempt, PaymentNotification
from tests.billing.factories import issued_invoice, visible_text
from tests.payments.helpers import query_of, start
from tests.payments.payfip_fake import FakePayFiP

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def payfip(settings):
    fake = FakePayFiP().start()
    settings.PAYMENT_BACKEND = "payfip_ws"
    settings.PAYMENT_OPTIONS = '{"numcli": "123456", "saisie": "T"}'
    settings.PAYMENT_PAYFIP_SOAP_URL = fake.soap_url
    settings.PAYMENT_SERVICE_URL = fake.payment_url
    yield fake
    fake.stop()


def _start(family_client, payfip, invoice):
    url = start(family_client, invoice.number)
    assert url.startswith(payfip.payment_url + "?idop=")
    idop = query_of(url)["idop"]
    created = payfip.payments[idop]
    assert created["refdet"] == invoice.number and created["numcli"] == "123456"
    assert created["montant"] == str(int(invoice.total * 100))
    assert created["urlnotif"] == "https://portail.example.org/facturation/payer/notification/"
    return idop


def _notify(client, path, body):
    return client.post(path, body, content_type=FORM)


def test_paid_notification_then_return(family_client, client, family, payfip, outbox):
    invoice = issued_invoice(family, "120.00", "66.00")
    outbox.clear()
    idop = _start(family_client, payfip, invoice)
    attempt = PaymentAttempt.objects.get()
    assert attempt.transaction_id == idop and attempt.order_id == invoice.number
    path, body = payfip.pay(idop, "P")
    assert _notify(client, path, body).status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == "paid" and attempt.payment.amount == Decimal("186.00")
    assert payfip.calls == ["creerPaiementSecurise", "recupererDetailPaiementSecurise"]
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "Paiement accepté" in html and attempt.payment.number in html
    assert len(outbox()) == 1
    assert "Votre compte est soldé" in visible_text(
        family_client.get("/facturation/").content.decode()
    )


def test_duplicate_notification_records_one_payment(family_client, client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    path, body = payfip.pay(idop, "P")
    _notify(client, path, body)
    _notify(client, path, body)
    assert Payment.objects.count() == 1
    assert list(PaymentNotification.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "recorded",
        "duplicate",
    ]


def test_refused(family_client, client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    _notify(client, *payfip.pay(idop, "R"))
    assert PaymentAttempt.objects.get().state == "refused"
    assert not Payment.objects.exists()
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "Paiement refusé" in html


def test_abandoned(family_client, client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    # Just abandoned: PayFiP lets the family try again with the same idOp for a while.
    _notify(client, *payfip.pay(idop, "A"))
    assert PaymentAttempt.objects.get().state == "created"
    # Later, the lookup (from the return page) says it is over.
    payfip.pay(idop, "A", minutes_ago=5)
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "Paiement abandonné" in html
    assert PaymentAttempt.objects.get().state == "abandoned"
    assert not Payment.objects.exists()


def test_tampered_amount_is_refused(family_client, client, family, payfip, caplog):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    payfip.payments[idop]["montant"] = "100"  # 1,00 € paid for an 80,00 € payment
    response = _notify(client, *payfip.pay(idop, "P"))
    assert response.status_code == 400
    assert not Payment.objects.exists()
    assert PaymentAttempt.objects.get().state == "created"
    assert "payment_notification_rejected" in caplog.text
    payfip.payments[idop].update(montant="8000", refdet="2026FAC9999")  # another title
    _notify(client, *payfip.pay(idop, "P"))
    assert not Payment.objects.exists()
    assert PaymentNotification.objects.filter(outcome="rejected").count() == 2


def test_return_before_notification_verifies_with_the_service(family_client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    # Back before paying (P5: not finished): pending, nothing recorded.
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "en attente de confirmation" in html
    assert not Payment.objects.exists()
    # Paid, and back before PayFiP's notification: the page asks PayFiP (server to server).
    payfip.pay(idop, "P")
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "Paiement accepté" in html
    assert PaymentNotification.objects.get(outcome="recorded").source == "lookup"


def test_notification_before_return(family_client, client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    _notify(client, *payfip.pay(idop, "P"))
    calls = len(payfip.calls)
    html = visible_text(family_client.get(payfip.return_path(idop)).content.decode())
    assert "Paiement accepté" in html
    assert len(payfip.calls) == calls  # already known: no lookup
    assert Payment.objects.count() == 1


def test_one_invoice_per_payment(family_client, family, payfip):
    first = issued_invoice(family, "80.00")
    second = issued_invoice(family, "20.00")
    html = visible_text(family_client.get("/facturation/payer/").content.decode())
    assert "une facture par paiement" in html
    assert f"Facture {first.number} du" in html and "Montant à payer : 80,00 €" in html
    response = family_client.post("/facturation/payer/", {"facture": [first.number, second.number]})
    assert "une facture à la fois" in response.content.decode()
    assert not PaymentAttempt.objects.exists()


def test_service_down_records_nothing(family_client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    payfip.stop()
    response = family_client.post("/facturation/payer/", {"facture": [invoice.number]})
    assert response.status_code == 200
    assert "n'a pas pu créer le paiement" in visible_text(response.content.decode())
    assert PaymentAttempt.objects.get().state == "error"


def test_below_payfips_minimum(family_client, family, payfip):
    invoice = issued_invoice(family, "0.50")
    response = family_client.post("/facturation/payer/", {"facture": [invoice.number]})
    assert "moins de 1,00 €" in visible_text(response.content.decode())
    assert not PaymentAttempt.objects.exists() and payfip.calls == []


def test_notification_not_verifiable_is_kept_and_retried(family_client, client, family, payfip):
    invoice = issued_invoice(family, "80.00")
    idop = _start(family_client, payfip, invoice)
    path, body = payfip.pay(idop, "P")
    payfip.stop()  # PayFiP does not answer the lookup
    assert _notify(client, path, body).status_code == 503
    assert not Payment.objects.exists()
    assert PaymentNotification.objects.get().outcome == "unverified"
    assert PaymentAttempt.objects.get().state == "created"
