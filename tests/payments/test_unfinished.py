"""`manage.py check_online_payments`: payments left unfinished are asked about, then closed."""

import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.models import Payment
from payments.models import PaymentAttempt
from tests.billing.factories import issued_invoice
from tests.payments.helpers import query_of, start
from tests.payments.payfip_fake import FakePayFiP

pytestmark = pytest.mark.django_db


def _age(minutes: int) -> None:
    PaymentAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def _run() -> str:
    out = io.StringIO()
    call_command("check_online_payments", stdout=out)
    return out.getvalue()


def test_dummy_attempt_left_is_abandoned_and_a_late_payment_still_counts(
    family_client, client, family, settings
):
    settings.PAYMENT_BACKEND = "dummy"
    issued_invoice(family, "80.00")
    url = start(family_client)
    _age(30)
    assert "0 marked abandoned" in _run()
    assert PaymentAttempt.objects.get().state == "created"
    _age(150)
    assert "1 marked abandoned" in _run()
    assert PaymentAttempt.objects.get().state == "abandoned"
    assert "0 marked abandoned" in _run()
    # The service's "paid" arrives late after all: it is recorded.
    fields = {key: query_of(url)[key] for key in ["transaction_id", "orderid", "amount"]}
    client.post(
        "/facturation/payer/notification/",
        urlencode({**fields, "signed": "1", "ok": "1"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert PaymentAttempt.objects.get().state == "paid"
    assert Payment.objects.count() == 1


def test_payfip_attempts_are_asked_about(family_client, family, settings):
    fake = FakePayFiP().start()
    try:
        settings.PAYMENT_BACKEND = "payfip_ws"
        settings.PAYMENT_OPTIONS = '{"numcli": "123456", "saisie": "T"}'
        settings.PAYMENT_PAYFIP_SOAP_URL = fake.soap_url
        settings.PAYMENT_SERVICE_URL = fake.payment_url
        invoice = issued_invoice(family, "80.00")
        idop = query_of(start(family_client, invoice.number))["idop"]
        fake.pay(idop, "P")  # paid, but PayFiP's notification never came
        _age(30)
        assert _run().startswith("1 payment(s) settled")
        assert PaymentAttempt.objects.get().state == "paid"
        assert Payment.objects.count() == 1
    finally:
        fake.stop()
