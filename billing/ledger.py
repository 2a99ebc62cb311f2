"""A family's ledger (relevé de compte): its issued invoices, credit notes and payments, and
their totals (`billing.models.account_totals`: what a balance counts is defined there once).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import ZERO, Invoice, Payment, account_totals, accounted, balance_of
from students.models import Season

KIND_INVOICE, KIND_CREDIT_NOTE, KIND_PAYMENT = "FAC", "AV", "REG"
KIND_CANCELLATION, KIND_REFUND = "ANN", "RMB"
PAYMENT_KINDS = (KIND_PAYMENT, KIND_CANCELLATION, KIND_REFUND)


@dataclass(frozen=True)
class Period:
    """A season (by the season each document belongs to) or a civil year (by date)."""

    season: Season | None = None
    year: int | None = None

    @property
    def label(self) -> str:
        if self.season is not None:
            return _("Saison %(name)s") % {"name": self.season.name}
        if self.year is not None:
            return _("Année %(year)s") % {"year": self.year}
        return _("Toutes périodes")

    @property
    def slug(self) -> str:
        if self.season is not None:
            return f"saison-{self.season.name}"
        return f"annee-{self.year}" if self.year else "tout"

    def invoice_q(self) -> Q:
        if self.season is not None:
            return Q(season=self.season)
        return Q(issued_on__year=self.year) if self.year else Q()

    def payment_q(self) -> Q:
        if self.season is not None:
            return Q(season=self.season)
        return Q(received_on__year=self.year) if self.year else Q()


@dataclass(frozen=True)
class Row:
    date: date
    number: str
    kind: str
    label: str
    mode: str = ""
    debit: Decimal | None = None
    credit: Decimal | None = None
    detail_url: str = ""
    pdf_url: str = ""
    # A receipt's cancellation, if any: the receipt stays, marked.
    cancelled_by: str = ""
    # An invoice past its due date and still owed (`InvoiceQuerySet.overdue`).
    overdue: bool = False


@dataclass(frozen=True)
class Totals:
    billed: Decimal = ZERO
    credited: Decimal = ZERO
    paid: Decimal = ZERO
    # Receipts' cancellations and refunds: Débit column entries that are not invoices.
    reversals: Decimal = ZERO
    # Positive: the family owes this; negative: the family has a credit.
    balance: Decimal = ZERO

    @property
    def settled(self) -> Decimal:
        """Everything in the Crédit column: payments and credit notes."""
        return self.paid + self.credited

    @property
    def debited(self) -> Decimal:
        """Everything in the Débit column: invoices, cancellations and refunds."""
        return self.billed + self.reversals


@dataclass
class Ledger:
    rows: list[Row] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


def issued_invoices(family):
    return Invoice.objects.for_family(family).filter(number__isnull=False)


def family_payments(family):
    return Payment.objects.for_family(family)


# Matches no row: what a filter on one kind of operation leaves of the others.
NOTHING = Q(pk__in=[])


def _filters(*, period: Period, kind: str, text: str) -> tuple[Q, Q]:
    """The ledger's filters, as conditions on invoices and on payments."""
    invoices, payments = period.invoice_q(), period.payment_q()
    if kind in (KIND_INVOICE, KIND_CREDIT_NOTE):
        invoices &= Q(kind=kind)
        payments = NOTHING
    elif kind in PAYMENT_KINDS:
        invoices = NOTHING
        payments &= Q(kind=kind)
    text = text.strip()
    if text:
        invoices &= Q(number__icontains=text) | Q(label__icontains=text)
        payments &= (
            Q(number__icontains=text)
            | Q(reference__icontains=text)
            | Q(mode_name__icontains=text)
            | Q(reason__icontains=text)
            # A cancellation is found by the receipt it cancels.
            | Q(cancelled_payment__number__icontains=text)
        )
    return invoices, payments


def totals(family, *, period: Period = Period(), kind: str = "", text: str = "") -> Totals:
    """The family's account, or the part of it the filters select."""
    invoices, payments = _filters(period=period, kind=kind, text=text)
    return Totals(**account_totals(family, invoices=invoices, payments=payments))


def build_ledger(family, *, period: Period = Period(), kind: str = "", text: str = "") -> Ledger:
    invoice_q, payment_q = _filters(period=period, kind=kind, text=text)
    # The rows are what a balance counts (`accounted`), so their sums are the account's totals.
    invoices, payments = accounted(invoices=invoice_q, payments=payment_q)
    # Rows are read as values, not model instances: worth more than 10 % of the ledger page.
    today = timezone.localdate()
    invoice_rows = (
        invoices.filter(family=family)
        .with_owed()
        .values_list(
            "issued_on",
            "number",
            "kind",
            "label",
            "total",
            "credited_invoice__number",
            "due_on",
            "owed",
            named=True,
        )
    )
    rows = [
        Row(
            date=invoice.issued_on,
            number=invoice.number,
            kind=invoice.kind,
            label=Invoice.ledger_label_for(
                invoice.kind, invoice.label, invoice.credited_invoice__number
            ),
            debit=None if invoice.kind == KIND_CREDIT_NOTE else invoice.total,
            credit=invoice.total if invoice.kind == KIND_CREDIT_NOTE else None,
            detail_url=reverse("billing:invoice", args=[invoice.number]),
            pdf_url=reverse("billing:pdf", args=[invoice.number]),
            overdue=invoice.kind == KIND_INVOICE
            and invoice.due_on is not None
            and invoice.due_on < today
            and invoice.owed > 0,
        )
        for invoice in invoice_rows
    ]
    rows += [
        Row(
            date=payment.received_on,
            number=payment.number,
            kind=payment.kind,
            label=Payment.ledger_label_for(
                payment.kind, payment.reference, payment.cancelled_payment__number
            ),
            mode=payment.mode_name,
            # A cancellation or a refund is a counter-entry: on the debit side.
            debit=None if payment.kind == KIND_PAYMENT else payment.amount,
            credit=payment.amount if payment.kind == KIND_PAYMENT else None,
            pdf_url=reverse("billing:pdf", args=[payment.number]),
            cancelled_by=payment.cancellation__number or "",
        )
        for payment in payments.filter(family=family).values_list(
            "received_on",
            "number",
            "kind",
            "reference",
            "mode_name",
            "amount",
            "cancelled_payment__number",
            "cancellation__number",
            named=True,
        )
    ]
    rows.sort(key=lambda row: (row.date, row.number), reverse=True)
    return Ledger(rows=rows, totals=_rows_totals(rows))


def _rows_totals(rows: list[Row]) -> Totals:
    """`totals()` of the same filters, summed from the rows already read: the same rule, since
    the rows are what `accounted` counts under the same `_filters`, and `balance_of` makes the
    balance (tests/billing/test_ledger.py checks both agree for every filter)."""
    billed = sum((row.debit for row in rows if row.kind == KIND_INVOICE), ZERO)
    credited = sum((row.credit for row in rows if row.kind == KIND_CREDIT_NOTE), ZERO)
    paid = sum((row.credit for row in rows if row.kind == KIND_PAYMENT), ZERO)
    reversals = sum(
        (row.debit for row in rows if row.kind in (KIND_CANCELLATION, KIND_REFUND)), ZERO
    )
    return Totals(
        billed, credited, paid, reversals, balance=balance_of(billed, credited, paid, reversals)
    )


@dataclass(frozen=True)
class OperationPeriod:
    """A season and a civil year in which the family has operations, and whether payments."""

    season_id: int | None
    season_name: str | None
    season_starts_on: date | None
    year: int
    has_payments: bool


def operation_periods(family) -> set[OperationPeriod]:
    """Every (season, civil year) of the family's issued invoices, credit notes and payments,
    in one query (a union), so that the filters offer no period without an operation."""
    issued = (
        issued_invoices(family)
        .order_by()
        .values_list(
            "season_id",
            "season__name",
            "season__starts_on",
            ExtractYear("issued_on"),
            Value(False, output_field=BooleanField()),
        )
    )
    paid = (
        family_payments(family)
        .order_by()
        .values_list(
            "season_id",
            "season__name",
            "season__starts_on",
            ExtractYear("received_on"),
            # A cancellation or a refund is an operation, not a payment to attest.
            ExpressionWrapper(
                Q(kind=Payment.Kind.RECEIPT, cancellation__isnull=True),
                output_field=BooleanField(),
            ),
        )
    )
    return {OperationPeriod(*row[:4], bool(row[4])) for row in issued.union(paid)}


def period_choices(
    operations: set[OperationPeriod], *, paid_only: bool = False
) -> list[tuple[str, str, Period]]:
    """("s<pk>" | "a<year>", label, Period) for each season, newest first, then each civil year,
    in which the family has operations (`paid_only`: payments)."""
    rows = [row for row in operations if row.has_payments or not paid_only]
    seasons = {
        row.season_id: Season(
            pk=row.season_id, name=row.season_name, starts_on=row.season_starts_on
        )
        for row in rows
        if row.season_id is not None
    }
    choices = [
        (f"s{season.pk}", Period(season=season).label, Period(season=season))
        for season in sorted(seasons.values(), key=lambda season: season.starts_on, reverse=True)
    ]
    choices += [
        (f"a{year}", Period(year=year).label, Period(year=year))
        for year in sorted({row.year for row in rows}, reverse=True)
    ]
    return choices


@dataclass(frozen=True)
class StudentShare:
    name: str
    billed: Decimal
    paid: Decimal


@dataclass(frozen=True)
class Attestation:
    family_name: str
    family_address: str
    period: Period
    students: list[StudentShare]
    billed: Decimal
    paid: Decimal
    payments: list[Payment]
    generated_on: date
    refunds: list[Payment] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return self.period.label

    @property
    def slug(self) -> str:
        return self.period.slug


def build_attestation(family, *, period: Period, family_name: str, address: str) -> Attestation:
    """What was billed (credit notes deducted) and paid in the period, per student.

    A credit note is netted against what was billed, never shown as a payment: a line naming a
    student deducts from that student; a line naming none (a family discount) is shared among
    the students of the invoice it corrects, in proportion to what each was billed on it.
    Payments are made by the family, not per student: each student's paid part is the period's
    paid total shared in proportion to what each student was billed (never above it).
    """
    from billing.models import InvoiceLine

    in_period = issued_invoices(family).filter(period.invoice_q())
    corrected = in_period.filter(kind=KIND_CREDIT_NOTE).values("credited_invoice")
    lines = (
        InvoiceLine.objects.filter(
            Q(invoice__in=in_period) | Q(invoice__in=corrected, invoice__kind=KIND_INVOICE)
        )
        .annotate(
            in_period=ExpressionWrapper(Q(invoice__in=in_period), output_field=BooleanField())
        )
        .values_list(
            "invoice_id",
            "invoice__kind",
            "invoice__credited_invoice_id",
            "student_name",
            "amount",
            "in_period",
            named=True,
        )
        .order_by("invoice_id", "position", "pk")
    )
    # What each invoice billed each student (also for an invoice outside the period that one of
    # the period's credit notes corrects: it tells how to share that credit note).
    per_invoice: dict[int, dict[str, Decimal]] = {}
    for line in lines:
        if line.invoice__kind == KIND_INVOICE:
            shares = per_invoice.setdefault(line.invoice_id, {})
            shares[line.student_name] = shares.get(line.student_name, ZERO) + line.amount
    billed_per_student: dict[str, Decimal] = {}
    for line in lines:
        if line.invoice__kind == KIND_INVOICE and line.in_period:
            _add(billed_per_student, line.student_name, line.amount)
    for line in lines:
        if line.invoice__kind != KIND_CREDIT_NOTE:
            continue
        basis = per_invoice.get(line.invoice__credited_invoice_id, {})
        if line.student_name or not any(name for name in basis):
            _add(billed_per_student, line.student_name, -line.amount)
        else:
            for name, share in _shared(line.amount, basis).items():
                _add(billed_per_student, name, -share)
    received = family_payments(family).filter(period.payment_q()).order_by("received_on")
    # A cancelled receipt was not paid; a refund gave money back.
    payments = list(received.filter(kind=Payment.Kind.RECEIPT, cancellation__isnull=True))
    refunds = list(received.filter(kind=Payment.Kind.REFUND))
    billed = sum(billed_per_student.values(), ZERO)
    # Never below zero: a refund may fall in a later period than the overpayment it returns.
    paid = max(
        sum((payment.amount for payment in payments), ZERO)
        - sum((refund.amount for refund in refunds), ZERO),
        ZERO,
    )
    positive = sum((amount for amount in billed_per_student.values() if amount > 0), ZERO)
    ratio = min(Decimal(1), paid / positive) if positive > 0 else Decimal(0)
    students = [
        StudentShare(
            name=name or "Autres prestations",
            billed=amount,
            paid=(max(amount, ZERO) * ratio).quantize(Decimal("0.01")),
        )
        for name, amount in sorted(billed_per_student.items(), key=lambda item: item[0] or "\uffff")
        if amount
    ]
    return Attestation(
        family_name=family_name,
        family_address=address,
        period=period,
        students=students,
        billed=billed,
        paid=paid,
        payments=payments,
        generated_on=timezone.localdate(),
        refunds=refunds,
    )


def _add(amounts: dict[str, Decimal], name: str, amount: Decimal) -> None:
    amounts[name] = amounts.get(name, ZERO) + amount


def _shared(amount: Decimal, basis: dict[str, Decimal]) -> dict[str, Decimal]:
    """`amount` shared in proportion to `basis`, to the cent, the rounding left on the last."""
    total = sum(basis.values(), ZERO)
    names = [name for name, value in basis.items() if value > 0]
    if total <= 0 or not names:
        return {"": amount}
    shares = {name: (amount * basis[name] / total).quantize(Decimal("0.01")) for name in names[:-1]}
    shares[names[-1]] = amount - sum(shares.values(), ZERO)
    return shares
