"""The échéancier of an invoice: the family chooses how to pay it (at once, by term, monthly
direct debit) and the portal splits the invoice's total into instalments, to the cent (the
cents left by the division go on the last one).

Dates: "at once" is the invoice's due date; "by term" three instalments three months apart
from it; "monthly" one a month from it (same day, the month's last day when shorter) until the
season's last month, at most 10 (October–July for an invoice due in October), which needs an
active SEPA mandate. The plan may be changed until something was paid on the invoice.

What is due on a day (`amount_due_on`, used by the direct-debit export): the instalments due
until that day, less what already settled the invoice, never more than its balance; a rejected
debit (its receipt cancelled) is thus due again.
"""

import calendar
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import Instalment, Invoice, PaymentSchedule, SepaMandate
from billing.services import invoice_balance

CENT = Decimal("0.01")
MAX_MONTHLY = 10


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split(total: Decimal, count: int) -> list[Decimal]:
    """`count` amounts totalling `total` to the cent; the remainder on the last."""
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [base] * (count - 1) + [total - base * (count - 1)]


def plan_dates(invoice: Invoice, plan: str) -> list[date]:
    start = invoice.due_on or invoice.issued_on
    if plan == PaymentSchedule.Plan.TERMS:
        return [add_months(start, 3 * k) for k in range(3)]
    if plan == PaymentSchedule.Plan.MONTHLY:
        count = MAX_MONTHLY
        if invoice.season is not None:
            end = invoice.season.ends_on
            count = (end.year - start.year) * 12 + end.month - start.month + 1
        return [add_months(start, k) for k in range(max(1, min(count, MAX_MONTHLY)))]
    return [start]


def choose_plan(*, invoice: Invoice, plan: str, user=None) -> PaymentSchedule:
    if plan not in PaymentSchedule.Plan.values:
        raise ValidationError({"plan": _("Choisissez une modalité de paiement.")})
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("season")
            .get(pk=invoice.pk)
        )
        if not invoice.is_issued or invoice.is_credit_note:
            raise ValidationError(_("Un échéancier ne porte que sur une facture émise."))
        if invoice_balance(invoice) != invoice.total:
            raise ValidationError(
                _(
                    "Un règlement ou un avoir porte déjà sur cette facture : son échéancier ne "
                    "peut plus être changé. Contactez le secrétariat."
                )
            )
        if (
            plan == PaymentSchedule.Plan.MONTHLY
            and not SepaMandate.objects.active().filter(family_id=invoice.family_id).exists()
        ):
            raise ValidationError(
                {
                    "plan": _(
                        "Le prélèvement mensuel demande un mandat de prélèvement SEPA actif : "
                        "signez-le d'abord (Facturation, « Prélèvement SEPA »)."
                    )
                }
            )
        schedule, _created = PaymentSchedule.objects.update_or_create(
            invoice=invoice, defaults={"plan": plan, "chosen_by": user}
        )
        schedule.instalments.all().delete()
        dates = plan_dates(invoice, plan)
        Instalment.objects.bulk_create(
            Instalment(schedule=schedule, position=position, due_on=day, amount=amount)
            for position, (day, amount) in enumerate(
                zip(dates, split(invoice.total, len(dates)), strict=True), start=1
            )
        )
    return schedule


def amount_due_on(invoice: Invoice, day: date, instalments: list[Instalment] | None) -> Decimal:
    """What the invoice owes by `day`: its balance without an échéancier; with one, the
    instalments due until `day` less what already settled the invoice (never more than the
    balance)."""
    balance = invoice_balance(invoice)
    if instalments is None:
        return balance
    due = sum((i.amount for i in instalments if i.due_on <= day), Decimal("0.00"))
    settled = invoice.total - balance
    return max(Decimal("0.00"), min(balance, due - settled))
