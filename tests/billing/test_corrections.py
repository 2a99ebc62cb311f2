"""Correcting payments (issue 12, item 5): a receipt is cancelled by a numbered counter-entry
with a reason, an overpayment is refunded by a numbered refund; nothing is ever deleted."""

import csv
import functools
import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from billing import services
from billing.ledger import Period, build_attestation, build_ledger, totals
from billing.models import FamilyAccount, Payment
from tests.billing.factories import (
    issued_invoice,
    payment,
    payment_mode,
    pdf_text,
    plain,
    visible_text,
)
from tests.conftest import staff_login
from tests.factories import FamilyFactory, StaffFactory

YEAR = date.today().year
LEDGER = reverse("billing:ledger")


def stored_bytes(document) -> bytes:
    with default_storage.open(document.pdf.name, "rb") as stored:
        return stored.read()


def cancel_url(receipt) -> str:
    return reverse("admin:billing_payment_cancel", args=[receipt.pk])


def refund_url(family) -> str:
    return reverse("admin:billing_familyaccount_refund", args=[family.pk])


def agent_with(*codenames):
    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="billing", codename__in=["view_payment", *codenames]
        )
    )
    return client_of(agent)


# --- Cancellation of a receipt -------------------------------------------------------------


def client_of(user) -> Client:
    client = Client()
    if user.is_staff:
        return staff_login(client, user)
    client.force_login(user)
    return client


def test_staff_cancel_a_receipt_with_a_reason_and_the_family_sees_both_entries(
    staff_client, family_user, family, outbox
):
    family_client = client_of(family_user)
    invoice = issued_invoice(family, "186.00")
    receipt = payment(family, "86.00", invoices=[invoice], reference="Chq 42")
    receipt_pdf = stored_bytes(receipt)
    outbox.clear()

    change = staff_client.get(reverse("admin:billing_payment_change", args=[receipt.pk]))
    assert cancel_url(receipt) in change.content.decode()
    form = visible_text(staff_client.get(cancel_url(receipt)).content.decode())
    assert "Motif de l'annulation" in form
    # No reason: refused, in French, and nothing is recorded.
    response = staff_client.post(cancel_url(receipt), {"reason": " ", "on": date.today()})
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Payment.objects.filter(kind=Payment.Kind.CANCELLATION).exists()

    response = staff_client.post(
        cancel_url(receipt),
        {"reason": "Chèque revenu impayé", "on": date.today().isoformat()},
        follow=True,
    )
    cancellation = Payment.objects.get(kind=Payment.Kind.CANCELLATION)
    assert cancellation.number == f"{YEAR}ANN0001"
    assert cancellation.cancelled_payment == receipt
    assert cancellation.amount == Decimal("86.00")
    assert cancellation.reason == "Chèque revenu impayé"
    html = response.content.decode()
    assert f"Reçu {receipt.number} annulé : annulation {cancellation.number} émise." in html

    # The receipt stays, unchanged, PDF included.
    receipt.refresh_from_db()
    assert receipt.amount == Decimal("86.00") and receipt.kind == Payment.Kind.RECEIPT
    assert stored_bytes(receipt) == receipt_pdf

    # The cancellation's own PDF.
    data = stored_bytes(cancellation)
    assert hashlib.sha256(data).hexdigest() == cancellation.pdf_sha256
    text = pdf_text(data)
    assert f"ANNULATION DE REÇU N° {cancellation.number}" in text
    assert receipt.number in text and "86,00 €" in text
    assert "Motif : Chèque revenu impayé" in text

    # The family's ledger: the receipt marked, the counter-entry on the debit side.
    page = plain(family_client.get(LEDGER).content.decode())
    text = visible_text(page)
    assert f"RÈGLEMENT (Chq 42) annulé par {cancellation.number}" in text
    assert f"ANNULATION du reçu {receipt.number} 86,00 €" in text
    assert f'href="/facturation/{cancellation.number}.pdf"' in page
    assert f'href="/facturation/{receipt.number}.pdf"' in page
    assert "Reçus annulés et remboursements 86,00 €" in text
    assert "Solde de votre compte : Vous devez 186,00 € au centre." in text
    # Its PDF, to the family.
    download = family_client.get(f"/facturation/{cancellation.number}.pdf")
    assert download.status_code == 200 and download.getvalue() == data
    # The invoice is owed again.
    detail = visible_text(
        plain(family_client.get(reverse("billing:invoice", args=[invoice.number])).content.decode())
    )
    assert f"reçu annulé ({cancellation.number}) : ne compte plus" in detail
    assert "Reste à payer sur cette facture : 186,00 €" in detail

    # The family is told, with a link and the reason.
    [message] = outbox()
    assert f"Annulation de votre reçu {receipt.number}" in message.subject
    body = plain(message.body)
    assert "Motif : Chèque revenu impayé" in body
    assert f"https://portail.example.org/facturation/{cancellation.number}.pdf" in body
    assert message.attachments == []


def test_a_receipt_is_cancelled_once_and_a_cancellation_is_not_a_receipt(staff_client, family):
    receipt = payment(family, "40.00")
    first = services.cancel_payment(payment=receipt, reason="Saisi deux fois")
    with pytest.raises(ValidationError, match="déjà annulé"):
        services.cancel_payment(payment=receipt, reason="Encore")
    with pytest.raises(ValidationError, match="Seul un reçu"):
        services.cancel_payment(payment=first, reason="Annuler l'annulation")
    response = staff_client.get(cancel_url(receipt), follow=True)
    assert f"Le reçu {receipt.number} est déjà annulé ({first.number})." in (
        response.content.decode()
    )
    # Gapless: the refused attempts took no number.
    second = services.cancel_payment(payment=payment(family, "10.00"), reason="Erreur")
    assert second.number == f"{YEAR}ANN0002"


def test_a_cancellation_cannot_be_dated_after_today_nor_before_the_receipt(staff_client, family):
    receipt = payment(family, "40.00", received_on=date.today() - timedelta(days=3))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = staff_client.post(cancel_url(receipt), {"reason": "Erreur", "on": tomorrow})
    assert "Cette date ne peut pas être après aujourd" in response.content.decode()
    before = (date.today() - timedelta(days=4)).isoformat()
    response = staff_client.post(cancel_url(receipt), {"reason": "Erreur", "on": before})
    assert "Une annulation ne peut pas précéder le règlement" in response.content.decode()
    assert not Payment.objects.filter(kind=Payment.Kind.CANCELLATION).exists()


def test_cancelling_needs_its_permission_and_nothing_can_be_deleted(family):
    receipt = payment(family, "40.00")
    viewer = agent_with()
    change = viewer.get(reverse("admin:billing_payment_change", args=[receipt.pk]))
    assert change.status_code == 200
    assert cancel_url(receipt) not in change.content.decode()
    assert viewer.post(cancel_url(receipt), {"reason": "Erreur"}).status_code == 403
    assert not Payment.objects.filter(kind=Payment.Kind.CANCELLATION).exists()

    canceller = agent_with("cancel_payment")
    assert canceller.get(cancel_url(receipt)).status_code == 200
    canceller.post(cancel_url(receipt), {"reason": "Erreur", "on": date.today().isoformat()})
    cancellation = Payment.objects.get(kind=Payment.Kind.CANCELLATION)
    for document in [receipt, cancellation]:
        delete = reverse("admin:billing_payment_delete", args=[document.pk])
        assert canceller.post(delete, {"post": "yes"}).status_code == 403
    assert Payment.objects.count() == 2


# --- Refund of an overpayment ---------------------------------------------------------------


def test_staff_refund_an_overpayment_within_the_credit(staff_client, family_user, family, outbox):
    family_client = client_of(family_user)
    issued_invoice(family, "100.00")
    # No credit yet: refused.
    payment(family, "60.00")
    response = staff_client.get(refund_url(family))
    assert (
        "Cette famille n'a pas de crédit : il n'y a rien à rembourser." in response.content.decode()
    )
    data = {
        "amount": "10.00",
        "mode": payment_mode("Virement").pk,
        "on": date.today().isoformat(),
        "reference": "VIR 778",
        "reason": "Trop-perçu sur la saison",
    }
    response = staff_client.post(refund_url(family), data)
    assert "Cette famille n'a pas de crédit" in response.content.decode()

    payment(family, "70.00")  # 30,00 € of credit
    ledger = plain(
        staff_client.get(
            reverse("admin:billing_familyaccount_change", args=[family.pk])
        ).content.decode()
    )
    assert refund_url(family) in ledger
    assert "30,00" in plain(staff_client.get(refund_url(family)).content.decode())
    response = staff_client.post(refund_url(family), data | {"amount": "30.01"})
    assert "Le remboursement (30,01 €) dépasse le crédit de la famille (30,00 €)." in plain(
        response.content.decode()
    )
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = staff_client.post(refund_url(family), data | {"amount": "30.00", "on": tomorrow})
    assert "Cette date ne peut pas être après aujourd" in response.content.decode()
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()
    outbox.clear()

    response = staff_client.post(refund_url(family), data | {"amount": "30.00"}, follow=True)
    refund = Payment.objects.get(kind=Payment.Kind.REFUND)
    # Gapless: the refused attempts took no number.
    assert refund.number == f"{YEAR}RMB0001"
    assert f"Remboursement {refund.number} de 30,00 € enregistré." in plain(
        response.content.decode()
    )
    text = pdf_text(stored_bytes(refund))
    assert f"REMBOURSEMENT N° {refund.number}" in text
    assert "30,00 €" in text and "Virement" in text and "Motif : Trop-perçu sur la saison" in text

    page = visible_text(plain(family_client.get(LEDGER).content.decode()))
    assert f"{refund.number} — télécharger le PDF REMBOURSEMENT (VIR 778) 30,00 €" in page
    assert "Votre compte est soldé : vous ne devez rien." in page
    assert totals(family).balance == 0

    [message] = outbox()
    assert f"Remboursement {refund.number}" in message.subject
    body = plain(message.body)
    assert "Nous vous avons remboursé 30,00 € (Virement)" in body
    assert "Motif : Trop-perçu sur la saison" in body
    assert f"https://portail.example.org/facturation/{refund.number}.pdf" in body

    # Nothing left to refund.
    with pytest.raises(ValidationError, match="pas de crédit"):
        services.refund_overpayment(
            family=family, amount=Decimal("1.00"), mode=payment_mode(), reason="Encore"
        )


def test_refunding_needs_its_permission(family):
    issued_invoice(family, "10.00")
    payment(family, "40.00")
    viewer = agent_with("view_familyaccount")
    assert viewer.get(refund_url(family)).status_code == 403
    ledger = viewer.get(reverse("admin:billing_familyaccount_change", args=[family.pk]))
    assert refund_url(family) not in ledger.content.decode()
    assert agent_with("view_familyaccount", "refund_payment").get(
        refund_url(family)
    ).status_code == (200)


# --- Every balance counts them, and the accountant sees them ------------------------------


def test_every_balance_counts_cancellations_and_refunds(family_client, family):
    invoice = issued_invoice(family, "100.00")
    payment(family, "100.00", invoices=[invoice])
    bounced = payment(family, "50.00")
    services.refund_overpayment(
        family=family, amount=Decimal("20.00"), mode=payment_mode(), reason="Trop-perçu"
    )
    services.cancel_payment(payment=bounced, reason="Chèque impayé")
    # 100 billed − 150 paid + 50 cancelled + 20 refunded.
    assert totals(family).balance == Decimal("20.00")
    assert build_ledger(family).totals.balance == Decimal("20.00")
    assert FamilyAccount.objects.with_totals().get(pk=family.pk).balance == Decimal("20.00")
    home = plain(family_client.get(reverse("portal:home")).content.decode())
    assert "Vous devez 20,00 € au centre." in home
    attestation = build_attestation(family, period=Period(), family_name="DUPONT Marie", address="")
    # Paid: the receipts not cancelled, less the refund.
    assert attestation.paid == Decimal("80.00")
    assert bounced not in attestation.payments


def test_an_attestation_never_shows_a_negative_payment(family):
    """A refund this year of what was overpaid last year: this year, nothing was paid."""
    issued_invoice(family, "10.00", issued_on=date(YEAR - 1, 3, 1))
    payment(family, "40.00", received_on=date(YEAR - 1, 3, 2))
    services.refund_overpayment(
        family=family, amount=Decimal("30.00"), mode=payment_mode(), reason="Trop-perçu"
    )
    this_year = build_attestation(
        family, period=Period(year=YEAR), family_name="DUPONT Marie", address=""
    )
    assert this_year.paid == 0 and [refund.amount for refund in this_year.refunds] == [30]


def test_the_ledgers_totals_are_the_accounts_for_every_filter_with_corrections(family):
    issued_invoice(family, "100.00", issued_on=date.today())
    receipt = payment(family, "130.00", reference="Chq 7")
    services.refund_overpayment(
        family=family, amount=Decimal("10.00"), mode=payment_mode(), reason="Trop-perçu"
    )
    services.cancel_payment(payment=payment(family, "5.00"), reason="Doublon")
    for filters in [
        {},
        {"kind": "REG"},
        {"kind": "ANN"},
        {"kind": "RMB"},
        {"text": receipt.number},
        {"text": "Doublon"},
        {"period": Period(year=YEAR)},
    ]:
        ledger = build_ledger(family, **filters)
        assert ledger.totals == totals(family, **filters), filters
        debit = sum((row.debit or 0 for row in ledger.rows), Decimal(0))
        credit = sum((row.credit or 0 for row in ledger.rows), Decimal(0))
        assert (ledger.totals.debited, ledger.totals.settled) == (debit, credit), filters
        assert ledger.totals.balance == debit - credit, filters
    assert [row.kind for row in build_ledger(family, kind="ANN").rows] == ["ANN"]
    assert [row.kind for row in build_ledger(family, kind="RMB").rows] == ["RMB"]


def test_the_ledger_labels_are_in_the_readers_language(family):
    receipt = payment(family, "30.00")
    services.cancel_payment(payment=receipt, reason="Erreur de saisie")
    issued_invoice(family, "10.00")
    payment(family, "20.00")
    services.refund_overpayment(
        family=family, amount=Decimal("10.00"), mode=payment_mode(), reason="Trop-perçu"
    )
    with translation.override("en"):
        labels = {row.kind: row.label for row in build_ledger(family).rows}
    assert labels["ANN"] == f"CANCELLATION of receipt {receipt.number}"
    assert labels["RMB"] == "REFUND"
    # Nothing of the label is stored: only the staff's reason.
    assert set(Payment.objects.exclude(kind="REG").values_list("reason", flat=True)) == {
        "Erreur de saisie",
        "Trop-perçu",
    }


def test_the_csv_lists_cancellations_and_refunds_on_the_debit_side(staff_client, family):
    receipt = payment(family, "86.00", mode="Chèque")
    cancellation = services.cancel_payment(payment=receipt, reason="Chèque impayé")
    payment(family, "50.00")
    refund = services.refund_overpayment(
        family=family, amount=Decimal("50.00"), mode=payment_mode("Virement"), reason="=1+1"
    )
    today = date.today().strftime("%d/%m/%Y")
    response = staff_client.get(
        reverse("admin:billing_familyaccount_export"), {"start": today, "end": today}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_number = {row[2]: row for row in rows[1:]}
    assert by_number[receipt.number][1] == "Règlement"
    assert by_number[receipt.number][7] == "86,00"
    row = by_number[cancellation.number]
    assert row[1] == "Annulation de reçu"
    assert row[4] == f"ANNULATION du reçu {receipt.number} — Chèque impayé"
    assert (row[6], row[7]) == ("86,00", "")
    row = by_number[refund.number]
    assert row[1] == "Remboursement" and row[5] == "Virement"
    assert (row[6], row[7]) == ("50,00", "")
    assert row[4] == "REMBOURSEMENT — =1+1"


def test_the_ledger_query_count_stays_flat_with_corrections(
    family_client, family, django_assert_max_num_queries
):
    issued_invoice(family, "10.00", issued_on=date(2026, 1, 1))
    services.cancel_payment(payment=payment(family, "5.00"), reason="Doublon")
    with django_assert_max_num_queries(7) as few:
        family_client.get(LEDGER)
    for _ in range(4):
        services.cancel_payment(payment=payment(family, "5.00"), reason="Doublon")
        payment(family, "20.00")
        services.refund_overpayment(
            family=family, amount=Decimal("5.00"), mode=payment_mode(), reason="Trop-perçu"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = family_client.get(LEDGER).content.decode()
    assert html.count(f"/facturation/{YEAR}RMB000") == 4


# --- Two staff members at once (PostgreSQL row locks) ---------------------------------------


def all_at_once(*calls) -> list:
    """Runs the calls from one thread each, released together; returns their errors."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # returned to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[call]) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call is still waiting"
    return errors


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE): concurrency is proven on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_credit_is_refunded_once_and_a_receipt_cancelled_once_under_concurrency():
    family = FamilyFactory()
    mode = payment_mode()
    issued_invoice(family, "10.00")
    payment(family, "40.00")  # 30,00 € of credit
    refund = functools.partial(
        services.refund_overpayment,
        family=family,
        amount=Decimal("30.00"),
        mode=mode,
        reason="Trop-perçu",
    )
    errors = all_at_once(refund, refund)
    assert len(errors) == 1 and "pas de crédit" in str(errors[0])
    receipt = payment(family, "5.00")
    cancel = functools.partial(services.cancel_payment, payment=receipt, reason="Doublon")
    errors = all_at_once(cancel, cancel)
    assert len(errors) == 1 and "déjà annulé" in str(errors[0])
    assert sorted(Payment.objects.exclude(kind="REG").values_list("number", flat=True)) == [
        f"{YEAR}ANN0001",
        f"{YEAR}RMB0001",
    ]
    assert totals(family).balance == 0  # 10 − 45 + 30 refunded + 5 cancelled


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the immutability triggers exist on PostgreSQL only"
)
def test_the_database_refuses_to_change_or_delete_a_payment_or_its_corrections(family):
    from django.db import DatabaseError, transaction

    receipt = payment(family, "40.00")
    cancellation = services.cancel_payment(payment=receipt, reason="Doublon")
    for document in [receipt, cancellation]:
        for statement in [
            "UPDATE billing_payment SET amount = 1 WHERE id = %s",
            "UPDATE billing_payment SET reason = 'autre' WHERE id = %s",
            "DELETE FROM billing_payment WHERE id = %s",
        ]:
            with (
                pytest.raises(DatabaseError, match="cannot be changed"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement, [document.pk])
