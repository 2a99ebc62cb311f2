"""Payment reminders: first at due + 15 days, second at due + 30, none once the family paid,
never twice the same level, `send_payment_reminders` idempotent, listed in admin."""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from freezegun import freeze_time

from billing import services
from billing.models import Invoice, PaymentReminder, PaymentReminderItem
from billing.reminders import send_payment_reminders
from tests.billing.factories import issued_invoice, payment, plain, visible_text

ISSUED = date(2026, 10, 1)  # due on 31 October 2026 (the 30 days' term)
DUE = date(2026, 10, 31)


@pytest.fixture
def invoice(family):
    with freeze_time("2026-10-01 10:00"):
        return issued_invoice(family, "120.00", "66.00", issued_on=ISSUED)


def run_on(day: str) -> int:
    with freeze_time(f"{day} 08:00"):
        return send_payment_reminders()


def test_the_first_reminder_goes_15_days_after_the_due_date(family, invoice, outbox):
    assert invoice.due_on == DUE
    outbox.clear()
    assert run_on("2026-11-14") == 0
    assert outbox() == []
    assert run_on("2026-11-15") == 1
    [message] = outbox()
    assert family.responsables.get().email in message.to
    assert "Relance : factures impayées" in message.subject
    body = plain(message.body)
    assert "Facture 2026FAC0001 (échéance le 31 octobre 2026) : reste dû 186,00 € sur 186,00 €" in (
        body
    )
    assert "Montant à régler : 186,00 €." in body
    assert "https://portail.example.org/facturation/" in body
    html = message.alternatives[0][0]
    assert 'href="https://portail.example.org/facturation/"' in html
    [reminder] = PaymentReminder.objects.all()
    assert (reminder.family, reminder.level, reminder.amount_due) == (
        family,
        PaymentReminder.Level.FIRST,
        Decimal("186.00"),
    )
    assert list(reminder.invoices.all()) == [invoice]
    assert reminder.sent_at.date() == date(2026, 11, 15)


def test_the_second_reminder_goes_30_days_after_the_due_date_then_no_more(family, invoice, outbox):
    run_on("2026-11-15")
    outbox.clear()
    assert run_on("2026-11-29") == 0
    assert run_on("2026-11-30") == 1
    [message] = outbox()
    assert "Deuxième relance" in message.subject
    assert "Malgré notre premier rappel" in message.body
    assert run_on("2026-12-31") == 0
    assert list(PaymentReminder.objects.order_by("level").values_list("level", flat=True)) == [1, 2]


def test_a_late_run_sends_the_first_reminder_then_waits_before_the_second(family, invoice):
    # The timer was down: the first reminder goes at due + 40, the second 15 days later.
    assert run_on("2026-12-10") == 1
    assert PaymentReminder.objects.get().level == 1
    assert run_on("2026-12-24") == 0
    assert run_on("2026-12-25") == 1


def test_several_overdue_invoices_are_listed_in_one_email(family, invoice, outbox):
    with freeze_time("2026-10-02 10:00"):
        second = issued_invoice(family, "40.00", issued_on=date(2026, 10, 2))
    outbox.clear()
    assert run_on("2026-11-16") == 1
    [message] = outbox()
    body = plain(message.body)
    assert "2026FAC0001" in body and "2026FAC0002" in body
    assert "Montant à régler : 226,00 €." in body
    assert set(PaymentReminder.objects.get().invoices.all()) == {invoice, second}


def test_no_reminder_once_the_invoice_is_paid(family, invoice, outbox):
    with freeze_time("2026-11-10 10:00"):
        payment(family, "186.00", invoices=[invoice])
    outbox.clear()
    assert run_on("2026-11-15") == 0
    assert outbox() == []


def test_a_part_payment_leaves_a_reminder_for_what_remains(family, invoice, outbox):
    run_on("2026-11-15")
    with freeze_time("2026-11-20 10:00"):
        payment(family, "100.00", invoices=[invoice])
    outbox.clear()
    assert run_on("2026-11-30") == 1
    [message] = outbox()
    assert "reste dû 86,00 € sur 186,00 €" in plain(message.body)
    assert PaymentReminder.objects.get(level=2).amount_due == Decimal("86.00")


def test_the_reminders_stop_when_the_family_pays_after_the_first(family, invoice, outbox):
    run_on("2026-11-15")
    with freeze_time("2026-11-20 10:00"):
        payment(family, "186.00", invoices=[invoice])
    outbox.clear()
    assert run_on("2026-11-30") == 0
    assert outbox() == []


def test_a_payment_not_allocated_to_the_invoice_stops_them_too(family, invoice):
    # The family's account is settled, though the receipt names no invoice.
    with freeze_time("2026-11-10 10:00"):
        payment(family, "186.00")
    assert run_on("2026-11-15") == 0


def test_a_credit_note_for_the_whole_invoice_stops_them(family, invoice):
    with freeze_time("2026-11-10 10:00"):
        services.issue_credit_note(invoice=invoice, issued_on=date(2026, 11, 10))
    assert run_on("2026-11-15") == 0


def test_a_cancelled_receipt_makes_the_invoice_owed_again(family, invoice):
    with freeze_time("2026-11-10 10:00"):
        receipt = payment(family, "186.00", invoices=[invoice])
    assert run_on("2026-11-15") == 0
    with freeze_time("2026-11-16 10:00"):
        services.cancel_payment(payment=receipt, reason="Chèque impayé")
    assert run_on("2026-11-16") == 1


def test_the_command_is_idempotent(family, invoice, outbox, capsys):
    outbox.clear()
    with freeze_time("2026-11-15 08:00"):
        call_command("send_payment_reminders")
        call_command("send_payment_reminders")
    assert "1 payment reminder e-mail(s) queued." in capsys.readouterr().out
    assert len(outbox()) == 1
    assert PaymentReminder.objects.count() == 1


def test_the_database_refuses_a_second_reminder_of_one_level(family, invoice):
    run_on("2026-11-15")
    reminder = PaymentReminder.objects.create(family=family, level=1, amount_due=Decimal("1.00"))
    duplicate = PaymentReminderItem(
        reminder=reminder, invoice=invoice, level=1, amount_due=Decimal("1.00")
    )
    with pytest.raises(ValidationError) as error:
        duplicate.validate_constraints()
    assert "Cette facture a déjà fait l'objet d'une relance de ce niveau." in error.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_email_is_in_the_familys_language(family, family_user, invoice, outbox):
    family_user.language = "en"
    family_user.save()
    outbox.clear()
    run_on("2026-11-15")
    # The account's own address in its language; the reference e-mail in the family's.
    [message] = [message for message in outbox() if family_user.email in message.to]
    assert "Reminder: unpaid invoices" in message.subject
    body = plain(message.body)
    assert "Invoice 2026FAC0001 (due on" in body
    assert "Amount to pay: 186,00 €." in body


def test_staff_see_the_reminders_in_admin_read_only(staff_client, family, invoice):
    run_on("2026-11-15")
    run_on("2026-11-30")
    url = reverse("admin:billing_paymentreminder_changelist")
    response = staff_client.get(url)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Relances de paiement" in text
    assert "Première relance" in text and "Deuxième relance" in text
    assert "2026FAC0001" in text and "186,00 €" in text
    assert reverse("admin:billing_paymentreminder_add") not in response.content.decode()
    second = staff_client.get(url, {"level__exact": "2"})
    assert [reminder.level for reminder in second.context["cl"].result_list] == [2]
    reminder = PaymentReminder.objects.get(level=1)
    page = staff_client.get(reverse("admin:billing_paymentreminder_change", args=[reminder.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_two_runs_at_once_send_one_reminder(family, invoice, outbox, monkeypatch):
    # A second run that read the due reminders before the first one committed: the unique
    # constraint refuses its rows, it sends nothing and goes on with the other families.
    from billing import reminders

    with freeze_time("2026-11-15 08:00"):
        stale = reminders.reminders_due(date(2026, 11, 15))
    outbox.clear()
    assert run_on("2026-11-15") == 1
    monkeypatch.setattr(reminders, "reminders_due", lambda today, family=None: stale)
    assert run_on("2026-11-15") == 0
    assert len(outbox()) == 1
    assert PaymentReminder.objects.count() == 1


def test_the_facturation_tab_marks_overdue_invoices(family_client, family, invoice):
    ledger = reverse("billing:ledger")
    badge = "en retard de paiement"
    with freeze_time("2026-10-31 12:00"):  # the due date itself: not late yet
        assert badge not in family_client.get(ledger).content.decode()
    with freeze_time("2026-11-01 12:00"):
        html = family_client.get(ledger).content.decode()
        assert visible_text(html).count(badge) == 1
        payment(family, "100.00", invoices=[invoice])
        assert badge in family_client.get(ledger).content.decode()
        # Settled, though the second receipt names no invoice: not shown as late.
        payment(family, "86.00")
        assert badge not in family_client.get(ledger).content.decode()


def test_the_schedule_follows_the_settings(settings, family, invoice):
    settings.REMINDER_FIRST_DAYS, settings.REMINDER_SECOND_DAYS = 5, 10
    assert run_on("2026-11-04") == 0
    assert run_on("2026-11-05") == 1
    assert run_on("2026-11-10") == 1
    assert list(PaymentReminder.objects.values_list("level", flat=True)) == [2, 1]


def test_a_second_delay_not_after_the_first_is_refused_at_startup():
    env = {**os.environ, "PORTAL_TESTING": "1"}
    env.update({"REMINDER_FIRST_DAYS": "30", "REMINDER_SECOND_DAYS": "15"})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "REMINDER_SECOND_DAYS must be greater than REMINDER_FIRST_DAYS" in result.stderr


def test_what_an_invoice_owes_is_counted_alike_everywhere(family, invoice):
    # `with_owed` (reminders, the ledger's badge) and `invoice_balance` (payments' allocation).
    with freeze_time("2026-11-10 10:00"):
        services.issue_credit_note(
            invoice=invoice,
            lines=[services.LineData(label="Absence", amount=Decimal("20.00"))],
            issued_on=date(2026, 11, 10),
        )
        receipt = payment(family, "50.00", invoices=[invoice])
        payment(family, "30.00", invoices=[invoice])
        services.cancel_payment(payment=receipt, reason="Chèque impayé")
    invoice.refresh_from_db()
    owed = Invoice.objects.with_owed().get(pk=invoice.pk).owed
    assert owed == services.invoice_balance(invoice) == Decimal("136.00")
