"""Staff: the attempts in admin (read-only, raw notifications) and the day's online payments
for the régie, as a page and as CSV."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from payments.models import PaymentAttempt
from tests.billing.factories import issued_invoice, payment, visible_text
from tests.conftest import staff_login
from tests.factories import StaffFactory
from tests.payments.helpers import query_of, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dummy(settings):
    settings.PAYMENT_BACKEND = "dummy"


def _paid(family_client, client, family, *numbers):
    url = start(family_client, *numbers)
    fields = {key: query_of(url)[key] for key in ["transaction_id", "orderid", "amount"]}
    client.post(
        "/facturation/payer/notification/",
        urlencode({**fields, "signed": "1", "ok": "1"}),
        content_type="application/x-www-form-urlencoded",
    )
    return PaymentAttempt.objects.get(transaction_id=fields["transaction_id"])


def test_attempts_in_admin_read_only_with_raw_notifications(
    family_client, client, family, staff_user
):
    invoice = issued_invoice(family, "80.00")
    attempt = _paid(family_client, client, family, invoice.number)
    staff_login(client, staff_user)
    listing = visible_text(
        client.get(reverse("admin:payments_paymentattempt_changelist")).content.decode()
    )
    assert attempt.reference in listing and attempt.payment.number in listing
    detail = client.get(reverse("admin:payments_paymentattempt_change", args=[attempt.pk]))
    html = detail.content.decode()
    assert "transaction_id=" in html and "règlement enregistré" in html
    assert 'name="_save"' not in html
    assert client.get(reverse("admin:payments_paymentattempt_add")).status_code == 403


def test_day_list_and_csv_with_credit(family_client, client, family, staff_user):
    first = issued_invoice(family, "80.00")
    second = issued_invoice(family, "20.00")
    settled = _paid(family_client, client, family, first.number)
    url = start(family_client, second.number)
    payment(family, "20.00", invoices=[second])  # settled at the desk meanwhile
    fields = {key: query_of(url)[key] for key in ["transaction_id", "orderid", "amount"]}
    client.post(
        "/facturation/payer/notification/",
        urlencode({**fields, "signed": "1", "ok": "1"}),
        content_type="application/x-www-form-urlencoded",
    )
    staff_login(client, staff_user)
    day = reverse("admin:payments_paymentattempt_day")
    html = visible_text(client.get(day).content.decode())
    assert "2 paiements en ligne, 100,00 €" in html
    assert settled.payment.number in html
    listing = visible_text(
        client.get(reverse("admin:payments_paymentattempt_changelist")).content.decode()
    )
    assert "20,00 €" in listing  # the credit left by the second one
    response = client.get(day, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Date;Reçu;Famille;Factures;Montant")
    assert len(lines) == 3
    assert f";{first.number};80,00;" in text and text.strip().endswith(";20,00")


def test_day_list_needs_the_view_permission(client, db):
    clerk = StaffFactory(username="accueil", is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_family"))
    staff_login(client, clerk)
    assert client.get(reverse("admin:payments_paymentattempt_day")).status_code == 403


def test_refused_notifications_are_listed_for_staff(client, staff_user):
    client.post(
        "/facturation/payer/notification/",
        "transaction_id=inconnu&signed=1&ok=1&amount=10.00",
        content_type="application/x-www-form-urlencoded",
    )
    staff_login(client, staff_user)
    html = visible_text(
        client.get(reverse("admin:payments_paymentnotification_changelist")).content.decode()
    )
    assert "refusée (non conforme)" in html and "unknown" in html
