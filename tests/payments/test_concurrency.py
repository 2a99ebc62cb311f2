"""The same notification delivered twice at the same moment (the service retries while the
first is being processed) records one payment: the attempt's row is locked."""

import threading
from urllib.parse import urlencode

import pytest
from django.db import connection, connections

from billing.models import Payment
from payments import services
from payments.models import PaymentNotification
from tests.billing.factories import issued_invoice, payment_mode
from tests.payments.helpers import query_of, start


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write: only PostgreSQL shows concurrent notifications",
)
@pytest.mark.django_db(transaction=True)
def test_simultaneous_notifications_record_one_payment(client, family_user, settings):
    settings.PAYMENT_BACKEND = "dummy"
    payment_mode("Paiement en ligne (carte bancaire)")
    client.force_login(family_user)
    issued_invoice(family_user.family, "80.00")
    url = start(client)
    fields = {key: query_of(url)[key] for key in ["transaction_id", "orderid", "amount"]}
    body = urlencode({**fields, "signed": "1", "ok": "1"})
    barrier = threading.Barrier(3)
    outcomes = []

    def notify():
        try:
            barrier.wait()
            outcomes.append(services.handle_notification(body)[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=notify) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["duplicate", "duplicate", "recorded"]
    assert Payment.objects.count() == 1
    assert PaymentNotification.objects.count() == 3
