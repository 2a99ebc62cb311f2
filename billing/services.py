"""Writes of the billing app: issuing invoices and credit notes, recording payments.

Each function is one transaction: the number is taken from a locked counter row, the document's
copied data and PDF are stored, and the family's e-mail is queued; if anything fails, all of it
(number included) rolls back, so numbers stay sequential without gaps.
"""

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.db.models import Sum, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import pdf
from billing.models import (
    ZERO,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
    PaymentMode,
    account_totals,
    not_after_today,
    not_far_future,
)
from billing.templatetags.billing import format_euros
from families.models import Family
from portal.emails import absolute_url, send_family_email
from portal.models import Centre
from students.models import Discipline, Season, Student, check_student_of_family

# Due date of an invoice issued without one (the centre's usual "30 jours").
PAYMENT_TERM = timedelta(days=30)


def check_not_far_future(value: date | None, *, field: str) -> None:
    try:
        not_far_future(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def allocate_number(*, kind: str, year: int) -> str:
    """The next number of `kind` for `year`, e.g. 2026FAC0001. Call inside a transaction."""
    return format_number(kind=kind, year=year, number=allocate_numbers(kind=kind, year=year))


def allocate_numbers(*, kind: str, year: int, count: int = 1) -> int:
    """The first of the next `count` numbers of `kind` for `year` (the others follow it).
    Call inside a transaction.

    One UPDATE … RETURNING increments the counter row and locks it until the caller's
    transaction ends: concurrent issuers wait in line, and a rollback gives the numbers back.
    The row is created first if missing (INSERT … ON CONFLICT DO NOTHING).
    """
    increment = (
        f"UPDATE {DocumentCounter._meta.db_table} SET last_number = last_number + %s "  # noqa: S608 - a model's table
        "WHERE kind = %s AND year = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(increment, [count, kind, year])
        row = cursor.fetchone()
        if row is None:
            DocumentCounter.objects.bulk_create(
                [DocumentCounter(kind=kind, year=year)], ignore_conflicts=True
            )
            cursor.execute(increment, [count, kind, year])
            row = cursor.fetchone()
    return row[0] - count + 1


def format_number(*, kind: str, year: int, number: int) -> str:
    return f"{year}{kind}{number:04d}"


def _claim_key(*, kind: str, year: int, number: int) -> int:
    """The advisory lock key of "an issuer renders `number` of this counter" (signed 64 bits)."""
    digest = hashlib.blake2b(f"billing.number:{kind}:{year}:{number}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _last_number(*, kind: str, year: int) -> int:
    """The counter's last number committed (0 before the year's first). Plain SQL: read up to
    three times per invoice while other issuers wait for the counter."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last_number FROM {DocumentCounter._meta.db_table} "  # noqa: S608 - a model's table
            "WHERE kind = %s AND year = %s",
            [kind, year],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def _advisory(function: str, key: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [key])
        return cursor.fetchone()[0]


# How far past the last committed number an issuer looks for one no other issuer claimed (more
# than the numbers the workers of a run ever claim at once: 2 x 25), and how long it waits for
# the number before its own (longer than its holder takes to render a block of drafts).
CLAIM_TRIES = 128
PREDECESSOR_WAIT = 30.0  # seconds


def claim_number(*, kind: str, year: int) -> tuple[int, int] | None:
    """`claim_numbers` of one number: (the number, the last committed then), or None."""
    claim = claim_numbers(kind=kind, year=year, count=1)
    return None if claim is None else (claim[0], claim[2])


def claim_numbers(*, kind: str, year: int, count: int) -> tuple[int, int, int] | None:
    """The numbers `allocate_numbers` will most likely give this issuer, so that its PDFs are
    rendered before it locks the counter, in parallel with the other issuers (an issuing
    run's workers) rather than one after the other under the lock. Call inside a
    transaction; None without PostgreSQL (SQLite: the PDFs are rendered under the lock).

    Each issuer claims the first numbers after the last committed one that no other issuer
    has claimed, up to `count` in a row: a transaction-level advisory lock on each, released
    when its transaction ends (even when its worker is killed). Fewer than `count` when the
    next number is another issuer's: the caller then issues only as many drafts. Returns the
    first number, how many follow it (itself included) and the last one committed then.
    Only a guess: the caller renders again, under the counter's lock, when the numbers given
    differ (an issuer before it failed, or took a number without claiming it).
    """
    if connection.vendor != "postgresql":
        return None
    for _attempt in range(3):
        last = _last_number(kind=kind, year=year)
        number, first, claimed = last + 1, None, 0
        for _try in range(CLAIM_TRIES + count):
            key = _claim_key(kind=kind, year=year, number=number)
            if _advisory("pg_try_advisory_xact_lock", key):
                first = number if first is None else first
                claimed += 1
                if claimed == count:
                    break
            elif first is not None:
                break  # another issuer's number: this issuer's numbers end here
            number += 1
        if first is None:
            return None
        # Claimed, unless their claimant committed them in between (and so released them).
        if _last_number(kind=kind, year=year) < first:
            return first, claimed, last
    return None


def wait_for_predecessor(*, kind: str, year: int, number: int, last: int) -> None:
    """Before an issuer that claimed `number` (its first) locks the counter: waits
    (PREDECESSOR_WAIT at most) until the number before it is committed or given up (its claim
    released), so that an issuer done rendering sooner does not take its predecessor's number
    (both would render again). `last`: the last number committed when `number` was claimed."""
    if last >= number - 1 or _last_number(kind=kind, year=year) >= number - 1:
        return
    key = _claim_key(kind=kind, year=year, number=number - 1)
    # A shared lock on the claim: granted once its holder's transaction ends, and harmless to
    # keep (that number is then committed or given up, nobody claims it any more). A rare race
    # can make two issuers wait for each other (one claimed the other's predecessor just after
    # it was committed, and moved on): PostgreSQL detects it and fails one wait, in its
    # savepoint; like the timeout, that only means the counter's lock decides.
    # One statement, evaluated left to right: the wait's own lock_timeout, the wait, then the
    # previous lock_timeout back (a timeout fails the statement: its savepoint undoes the first).
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true), "
                "pg_advisory_xact_lock_shared(%s), "
                "set_config('lock_timeout', previous.value, true) "
                "FROM (SELECT current_setting('lock_timeout') AS value) AS previous",
                [f"{PREDECESSOR_WAIT * 1000:.0f}", key],
            )
    except OperationalError:
        pass


def family_address(family: Family) -> str:
    lines = [family.address_line1, family.address_line2, f"{family.postal_code} {family.city}"]
    return "\n".join(line.strip() for line in lines if line and line.strip())


def copy_identities(document, *, family: Family, centre: Centre) -> Family:
    """What an issued document keeps forever, whatever later happens to the live records.
    `family`: as read in the caller's transaction; returned with its responsables prefetched
    (e.g. for its e-mail)."""
    prefetch_related_objects([family], "responsables")
    document.family_name = family.display_name
    document.family_address = family_address(family)
    document.centre_name = centre.name
    document.centre_address = centre.address
    document.centre_contact = " · ".join(
        value for value in [centre.phone, centre.email, centre.website] if value
    )
    document.centre_siret = centre.siret
    document.centre_legal_mentions = centre.legal_mentions
    return family


# The PDFs stored by the issue running in this thread (see `pdfs_deleted_on_error`).
_stored_pdfs: ContextVar[list[str] | None] = ContextVar("stored_pdfs", default=None)


@contextmanager
def pdfs_deleted_on_error() -> Iterator[None]:
    """Wrap an issue's transaction: if it fails, the rows roll back and the PDFs it stored are
    deleted too, so no file is left that no row points to."""
    parent = _stored_pdfs.get()
    stored: list[str] = []
    token = _stored_pdfs.set(stored)
    try:
        yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    else:
        # Inside a larger transaction (an issuing run's task): its failure deletes them too.
        if parent is not None:
            parent.extend(stored)
    finally:
        _stored_pdfs.reset(token)


def store_pdf(document, rendered: tuple[str, str, bytes]) -> None:
    """Saves the bytes once, under a random name, with their SHA-256."""
    _filename, _mimetype, data = rendered
    year = timezone.localdate().year
    document.pdf.name = default_storage.save(
        f"billing/{year}/{secrets.token_urlsafe(24)}.pdf", ContentFile(data)
    )
    document.pdf_sha256 = pdf.sha256(data)
    stored = _stored_pdfs.get()
    if stored is not None:
        stored.append(document.pdf.name)


@dataclass(frozen=True)
class LineData:
    label: str
    amount: Decimal
    student: Student | None = None
    discipline: Discipline | None = None
    # A reduction's amount is negative (or zero); any other line's positive (or zero).
    is_reduction: bool = False


def check_lines(lines) -> None:
    """Line amounts have the sign of their kind, and the lines do not total below zero."""
    for line in lines:
        if line.is_reduction and line.amount > 0:
            raise ValidationError(_("Une réduction ne peut pas être positive."))
        if not line.is_reduction and line.amount < 0:
            raise ValidationError(_("Une ligne de facture ne peut pas être négative."))
    if sum((line.amount for line in lines), ZERO) < 0:
        raise ValidationError(_("Le total d'une facture ne peut pas être négatif."))


def _create_lines(invoice: Invoice, lines) -> None:
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            label=line.label,
            amount=line.amount,
            student=line.student,
            student_name=line.student.display_name if line.student else "",
            discipline=line.discipline,
            is_reduction=line.is_reduction,
        )
        for position, line in enumerate(lines, start=1)
    )


def create_draft_invoice(
    *,
    family: Family,
    lines: list[LineData],
    season: Season | None = None,
    label: str = "",
    due_on: date | None = None,
) -> Invoice:
    check_not_far_future(due_on, field="due_on")
    check_lines(lines)
    for line in lines:
        check_student_of_family(line.student, family.pk)
    with transaction.atomic():
        invoice = Invoice.objects.create(family=family, season=season, label=label, due_on=due_on)
        _create_lines(invoice, lines)
    return invoice


def _issue(invoice: Invoice, *, issued_on: date, centre: Centre) -> None:
    """Numbers, freezes and renders a locked draft (invoice or credit note)."""
    lines = list(invoice.lines.select_related("student"))
    rename_students(prepare_issue(invoice, issued_on=issued_on, centre=centre, lines=lines))
    claim = claim_numbers(kind=invoice.kind, year=issued_on.year, count=1)
    number_and_store([(invoice, lines)], claim=claim, issued_on=issued_on, centre=centre)


def prepare_issue(invoice: Invoice, *, issued_on: date, centre: Centre, lines) -> list:
    """What issuing a locked draft sets before its number: its copied identities (its family's
    responsables prefetched, or read here), total and date. Raises ValidationError when the
    draft cannot be issued. Returns the lines whose student's name is to be copied again
    (`rename_students`)."""
    if not lines:
        raise ValidationError(_("Une facture sans ligne ne peut pas être émise."))
    renamed = []
    for line in lines:
        check_student_of_family(line.student, invoice.family_id)
        # Copied when the draft was made; copied again if the student was renamed since.
        if line.student is not None and line.student_name != line.student.display_name:
            line.student_name = line.student.display_name
            renamed.append(line)
    invoice.family = copy_identities(invoice, family=invoice.family, centre=centre)
    if invoice.credited_invoice_id is not None:
        # A credit note is addressed as the invoice it corrects was, even if the family moved.
        invoice.family_name = invoice.credited_invoice.family_name
        invoice.family_address = invoice.credited_invoice.family_address
    invoice.payment_instructions = centre.payment_instructions
    invoice.total = sum((line.amount for line in lines), ZERO).quantize(ZERO)
    invoice.issued_on = issued_on
    return renamed


def rename_students(lines) -> None:
    if lines:
        InvoiceLine.objects.bulk_update(lines, ["student_name"])


def number_and_store(prepared, *, claim, issued_on: date, centre: Centre) -> None:
    """Numbers prepared drafts (`prepare_issue`) of one kind consecutively, in their order,
    renders and stores their PDFs and saves them. `prepared`: (draft, its lines) pairs; `claim`:
    what `claim_numbers` claimed for them (as many numbers, a run issuing a block of drafts at
    once), or None.

    Their PDFs are rendered before the counter is locked, with the numbers claimed, then again
    under the lock for any draft whose number turns out different."""
    kind, year = prepared[0][0].kind, issued_on.year
    predicted = [None] * len(prepared)
    if claim is not None:
        # Rendered and stored before taking the counter's lock, while the other issuers hold
        # it (and while this one may wait for its predecessor).
        first, claimed, last = claim
        for index, (invoice, lines) in enumerate(prepared[:claimed]):
            invoice.number = predicted[index] = format_number(
                kind=kind, year=year, number=first + index
            )
            store_pdf(invoice, pdf.render_invoice(invoice, centre=centre, lines=lines))
        wait_for_predecessor(kind=kind, year=year, number=first, last=last)
    first = allocate_numbers(kind=kind, year=year, count=len(prepared))
    # Under the counter's lock: numbers and dates must run in the same order.
    later = Invoice.objects.filter(kind=kind, issued_on__year=year, issued_on__gt=issued_on)
    if later.exists():
        raise ValidationError(
            _("Une facture plus récente existe déjà : la date d'émission ne peut pas la précéder.")
        )
    for index, (invoice, lines) in enumerate(prepared):
        invoice.number = format_number(kind=kind, year=year, number=first + index)
        if invoice.number != predicted[index]:
            # The guess missed (an issuer before this one rolled back, or did not claim): the
            # PDF always prints the number actually given.
            if predicted[index] is not None:
                default_storage.delete(invoice.pdf.name)
            store_pdf(invoice, pdf.render_invoice(invoice, centre=centre, lines=lines))
        invoice.save(update_fields=ISSUED_FIELDS)


# What issuing writes on an invoice or a credit note (its lines' student names apart).
ISSUED_FIELDS = [
    "number",
    "issued_on",
    "due_on",
    "total",
    "family_name",
    "family_address",
    "centre_name",
    "centre_address",
    "centre_contact",
    "centre_siret",
    "centre_legal_mentions",
    "payment_instructions",
    "pdf",
    "pdf_sha256",
]


def issue_invoice(*, invoice: Invoice, issued_on: date | None = None) -> Invoice:
    """Issues a draft invoice: number, copied identities, stored PDF, e-mail to the family."""
    issued_on = issued_on or timezone.localdate()
    check_not_far_future(issued_on, field="issued_on")
    with pdfs_deleted_on_error(), transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("family", "season")
            .get(pk=invoice.pk)
        )
        issue_locked_invoice(invoice, issued_on=issued_on, centre=Centre.objects.current())
    return invoice


def issue_locked_invoice(invoice: Invoice, *, issued_on: date, centre: Centre) -> None:
    """`issue_invoice` of a draft the caller has locked (SELECT … FOR UPDATE, its family
    selected with it), inside the caller's transaction and `pdfs_deleted_on_error`."""
    check_issuable(invoice, issued_on=issued_on)
    _issue(invoice, issued_on=issued_on, centre=centre)
    send_invoice_email(invoice, centre=centre)


def check_issuable(invoice: Invoice, *, issued_on: date) -> None:
    """Refuses a draft that cannot be issued on `issued_on`; sets its due date if it has none."""
    if invoice.is_issued:
        raise ValidationError(
            _("La facture %(number)s est déjà émise.") % {"number": invoice.number}
        )
    if invoice.due_on and invoice.due_on < issued_on:
        raise ValidationError(_("L'échéance ne peut pas précéder la date d'émission."))
    invoice.due_on = invoice.due_on or issued_on + PAYMENT_TERM


def send_invoice_email(invoice: Invoice, *, centre: Centre) -> None:
    send_family_email(
        family=invoice.family,
        template="invoice_issued",
        context={
            "invoice": invoice,
            "centre": centre,
            "url": absolute_url(reverse("billing:invoice", args=[invoice.number])),
        },
    )


def remaining_to_credit(invoice: Invoice) -> Decimal:
    """What credit notes may still correct on an issued invoice: its total less the credit
    notes already issued for it."""
    credited = invoice.credit_notes.filter(number__isnull=False).aggregate(total=Sum("total"))
    return invoice.total - (credited["total"] or ZERO)


def issue_credit_note(
    *,
    invoice: Invoice,
    lines: list[LineData] | None = None,
    label: str = "",
    issued_on: date | None = None,
) -> Invoice:
    """A credit note correcting an issued invoice: all of it by default, or the given lines."""
    issued_on = issued_on or timezone.localdate()
    check_not_far_future(issued_on, field="issued_on")
    with pdfs_deleted_on_error(), transaction.atomic():
        # Locking the invoice serialises two credit notes for it, so both cannot over-credit.
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not invoice.is_issued or invoice.is_credit_note:
            raise ValidationError(_("Un avoir ne corrige qu'une facture émise."))
        if issued_on < invoice.issued_on:
            raise ValidationError(_("Un avoir ne peut pas précéder la facture qu'il corrige."))
        if lines is None:
            lines = [
                LineData(
                    label=line.label,
                    amount=line.amount,
                    student=line.student,
                    discipline=line.discipline,
                    is_reduction=line.is_reduction,
                )
                for line in invoice.lines.select_related("student", "discipline")
            ]
        amount = sum((line.amount for line in lines), ZERO)
        if any(line.amount < 0 and not line.is_reduction for line in lines) or amount <= 0:
            raise ValidationError(_("Le montant de l'avoir doit être positif."))
        if amount > remaining_to_credit(invoice):
            raise ValidationError(_("L'avoir dépasse ce qui reste de la facture."))
        credit_note = Invoice.objects.create(
            family_id=invoice.family_id,
            kind=Invoice.Kind.CREDIT_NOTE,
            credited_invoice=invoice,
            season_id=invoice.season_id,
            # Empty unless staff typed a reason: `Invoice.subject` then generates the label,
            # in the reader's language.
            label=label,
        )
        _create_lines(credit_note, lines)
        _issue(credit_note, issued_on=issued_on, centre=Centre.objects.current())
        send_family_email(
            family=credit_note.family,
            template="credit_note_issued",
            context={
                "invoice": credit_note,
                "url": absolute_url(reverse("billing:invoice", args=[credit_note.number])),
            },
        )
    return credit_note


def season_of(day: date) -> Season | None:
    return (
        Season.objects.filter(starts_on__lte=day, ends_on__gte=day).first()
        or Season.objects.current()
    )


def record_payment(
    *,
    family: Family,
    received_on: date,
    mode: PaymentMode,
    amount: Decimal,
    reference: str = "",
    season: Season | None = None,
    invoices: list[Invoice] | None = None,
) -> Payment:
    """Records a payment, allocates it to `invoices` (oldest first, up to what each still
    owes) and issues its numbered receipt."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Le montant d'un règlement doit être positif.")})
    try:
        not_after_today(received_on)
    except ValidationError as error:
        raise ValidationError({"received_on": error.messages}) from error
    with pdfs_deleted_on_error(), transaction.atomic():
        centre = Centre.objects.current()
        payment = Payment(
            family=family,
            season=season or season_of(received_on),
            received_on=received_on,
            mode=mode,
            mode_name=mode.name,
            amount=amount,
            reference=reference,
        )
        copy_identities(payment, family=family, centre=centre)
        payment.number = allocate_number(kind=DocumentCounter.Kind.RECEIPT, year=received_on.year)
        payment.save()
        remaining = amount
        targets = (
            Invoice.objects.select_for_update()
            .filter(
                family=family,
                kind=Invoice.Kind.INVOICE,
                number__isnull=False,
                pk__in=[invoice.pk for invoice in invoices or []],
            )
            .order_by("issued_on", "number")
        )
        for invoice in targets:
            due = invoice_balance(invoice)
            share = min(due, remaining)
            if share > 0:
                PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=share)
                remaining -= share
        store_pdf(payment, pdf.render_receipt(payment, centre=centre))
        payment.save(update_fields=["pdf", "pdf_sha256"])
        send_family_email(
            family=family,
            template="receipt_issued",
            context={
                "payment": payment,
                "url": absolute_url(reverse("billing:pdf", args=[payment.number])),
            },
        )
    return payment


def invoice_balance(invoice: Invoice) -> Decimal:
    """What is still owed on one issued invoice: what remains after its credit notes, less the
    payments allocated to it that were not cancelled. (A family's balance, over all its
    operations, is `FamilyAccount.objects.with_totals`.)"""
    paid = (
        invoice.allocations.filter(payment__cancellation__isnull=True).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    return remaining_to_credit(invoice) - paid


def _check_correction(*, reason: str, on: date) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif.")})
    try:
        not_after_today(on)
    except ValidationError as error:
        raise ValidationError(
            {"on": _("Cette date ne peut pas être après aujourd'hui.")}
        ) from error
    return reason


def cancel_payment(
    *, payment: Payment, reason: str, cancelled_on: date | None = None, recorded_by=None
) -> Payment:
    """Cancels a receipt (a cheque returned unpaid, a payment recorded twice…): the receipt and
    its PDF stay as they are; a counter-entry of the same amount, with its own number (ANN), the
    reason and its PDF, is added on the family's debit side, and the family is e-mailed. The
    invoices the receipt settled are owed again."""
    cancelled_on = cancelled_on or timezone.localdate()
    reason = _check_correction(reason=reason, on=cancelled_on)
    with pdfs_deleted_on_error(), transaction.atomic():
        # Locking the receipt serialises two cancellations of it.
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.is_receipt:
            raise ValidationError(_("Seul un reçu de règlement peut être annulé."))
        existing = Payment.objects.filter(cancelled_payment=payment).first()
        if existing is not None:
            raise ValidationError(
                _("Le reçu %(number)s est déjà annulé (%(cancellation)s).")
                % {"number": payment.number, "cancellation": existing.number}
            )
        if cancelled_on < payment.received_on:
            raise ValidationError(
                {"on": _("Une annulation ne peut pas précéder le règlement qu'elle annule.")}
            )
        centre = Centre.objects.current()
        cancellation = Payment(
            kind=Payment.Kind.CANCELLATION,
            cancelled_payment=payment,
            family_id=payment.family_id,
            season_id=payment.season_id,
            received_on=cancelled_on,
            mode_id=payment.mode_id,
            mode_name=payment.mode_name,
            amount=payment.amount,
            reason=reason,
            recorded_by=recorded_by,
        )
        copy_identities(cancellation, family=payment.family, centre=centre)
        # Addressed as the receipt it cancels was, even if the family moved.
        cancellation.family_name = payment.family_name
        cancellation.family_address = payment.family_address
        cancellation.number = allocate_number(
            kind=DocumentCounter.Kind.CANCELLATION, year=cancelled_on.year
        )
        store_pdf(cancellation, pdf.render_cancellation(cancellation, centre=centre))
        cancellation.save()
        send_family_email(
            family=payment.family,
            template="payment_cancelled",
            context={
                "cancellation": cancellation,
                "payment": payment,
                "url": absolute_url(reverse("billing:pdf", args=[cancellation.number])),
            },
        )
    return cancellation


def refundable(family: Family) -> Decimal:
    """The family's credit (what it paid beyond what it owes), 0 when it has none."""
    return max(-account_totals(family)["balance"], ZERO)


def refund_overpayment(
    *,
    family: Family,
    amount: Decimal,
    mode: PaymentMode,
    reason: str,
    refunded_on: date | None = None,
    reference: str = "",
    recorded_by=None,
) -> Payment:
    """Refunds (part of) a family's credit: a numbered refund (RMB) with its reason and PDF,
    on the family's debit side; the family is e-mailed. Never more than the credit."""
    refunded_on = refunded_on or timezone.localdate()
    reason = _check_correction(reason=reason, on=refunded_on)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Le montant d'un remboursement doit être positif.")})
    with pdfs_deleted_on_error(), transaction.atomic():
        # Locking the family serialises two refunds of one credit.
        family = Family.objects.select_for_update().get(pk=family.pk)
        credit = refundable(family)
        if credit <= 0:
            raise ValidationError(
                _("Cette famille n'a pas de crédit : il n'y a rien à rembourser.")
            )
        if amount > credit:
            raise ValidationError(
                {
                    "amount": _(
                        "Le remboursement (%(amount)s) dépasse le crédit de la famille "
                        "(%(credit)s)."
                    )
                    % {"amount": format_euros(amount), "credit": format_euros(credit)}
                }
            )
        centre = Centre.objects.current()
        refund = Payment(
            kind=Payment.Kind.REFUND,
            family=family,
            season=season_of(refunded_on),
            received_on=refunded_on,
            mode=mode,
            mode_name=mode.name,
            amount=amount,
            reference=reference,
            reason=reason,
            recorded_by=recorded_by,
        )
        copy_identities(refund, family=family, centre=centre)
        refund.number = allocate_number(kind=DocumentCounter.Kind.REFUND, year=refunded_on.year)
        store_pdf(refund, pdf.render_refund(refund, centre=centre))
        refund.save()
        send_family_email(
            family=family,
            template="refund_issued",
            context={
                "refund": refund,
                "url": absolute_url(reverse("billing:pdf", args=[refund.number])),
            },
        )
    return refund
