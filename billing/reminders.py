"""Payment reminders: the first and second reminder e-mails about overdue invoices.

An issued invoice still owed (`InvoiceQuerySet.with_owed`: its total less its credit notes and
the payments allocated to it whose receipt was not cancelled) gets its first reminder
`REMINDER_FIRST_DAYS` after its due date, its second `REMINDER_SECOND_DAYS` after it (and never
sooner than the difference after the first). A family whose account is settled (its balance,
`account_totals`, is 0 or a credit: it paid without allocating to the invoice) gets none.

`send_payment_reminders` is run by the e-mail timer (`manage.py send_payment_reminders`). Each
family is handled in its own transaction, under a lock on the family row, and the database
refuses a second reminder of one level for one invoice: running it twice, or twice at once,
sends nothing more.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from billing.models import (
    Invoice,
    PaymentReminder,
    PaymentReminderItem,
    account_totals,
)
from families.models import Family
from portal.emails import absolute_url, send_family_email

logger = logging.getLogger(__name__)

FIRST, SECOND = PaymentReminder.Level.FIRST, PaymentReminder.Level.SECOND


@dataclass(frozen=True)
class DueReminder:
    invoice: Invoice  # annotated with `owed`
    level: int


def reminders_due(today: date, *, family: Family | None = None) -> list[DueReminder]:
    """The reminders to send on `today`: for each overdue invoice still owed, the level after the
    last one it got, once that level's delay has passed. One query."""
    first_days = timedelta(days=settings.REMINDER_FIRST_DAYS)
    second_days = timedelta(days=settings.REMINDER_SECOND_DAYS)
    items = PaymentReminderItem.objects.filter(invoice=OuterRef("pk")).order_by()
    invoices = (
        Invoice.objects.overdue(today)
        .filter(due_on__lte=today - first_days)
        # Reminded twice already: nothing more to send (the timer runs this every minute).
        .exclude(reminder_items__level=SECOND)
        .annotate(
            last_level=Subquery(
                items.values("invoice").annotate(level=Max("level")).values("level")
            ),
            first_sent_at=Subquery(
                items.filter(level=FIRST)
                .values("invoice")
                .annotate(sent=Min("reminder__sent_at"))
                .values("sent")
            ),
        )
        .order_by("family_id", "due_on", "number")
    )
    if family is not None:
        invoices = invoices.filter(family=family)
    due = []
    for invoice in invoices:
        if invoice.last_level is None:
            due.append(DueReminder(invoice, FIRST))
        elif (
            invoice.last_level == FIRST
            and invoice.due_on + second_days <= today
            and timezone.localdate(invoice.first_sent_at) + (second_days - first_days) <= today
        ):
            due.append(DueReminder(invoice, SECOND))
    return due


def send_payment_reminders(today: date | None = None) -> int:
    """Records and queues the reminders due today; returns how many e-mails were queued (one per
    family and level)."""
    today = today or timezone.localdate()
    sent = 0
    for family_id in sorted({due.invoice.family_id for due in reminders_due(today)}):
        try:
            sent += _remind_family(family_id, today)
        except IntegrityError:
            # Another run reminded this family at the same time: it sent the e-mail.
            logger.warning("payment reminder of family %s already sent by another run", family_id)
    return sent


def _remind_family(family_id: int, today: date) -> int:
    with transaction.atomic():
        # Two runs at once wait here in line; the second finds nothing left to send.
        family = Family.objects.select_for_update().get(pk=family_id)
        due = reminders_due(today, family=family)
        balance = account_totals(family)["balance"]
        if not due or balance <= 0:
            return 0
        sent = 0
        for level in sorted({reminder.level for reminder in due}):
            invoices = [reminder.invoice for reminder in due if reminder.level == level]
            amount_due = min(sum((invoice.owed for invoice in invoices), Decimal("0.00")), balance)
            reminder = PaymentReminder.objects.create(
                family=family, level=level, sent_at=timezone.now(), amount_due=amount_due
            )
            PaymentReminderItem.objects.bulk_create(
                PaymentReminderItem(
                    reminder=reminder, invoice=invoice, level=level, amount_due=invoice.owed
                )
                for invoice in invoices
            )
            send_family_email(
                family=family,
                template="payment_reminder",
                context={
                    "reminder": reminder,
                    "invoices": invoices,
                    "url": absolute_url(reverse("billing:ledger")),
                },
            )
            sent += 1
    return sent
