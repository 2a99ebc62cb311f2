"""Paying online: what a family may pay, starting a payment, and what the service tells us.

Only `handle_response` changes an attempt's state, from a verified answer of the service (its
server-to-server notification, or a status lookup the portal made itself): the family's return
to the portal proves nothing. A paid answer is checked against the attempt (amount, reference)
and recorded once, as a billing receipt (`billing.services.record_payment`: its REG number, PDF
and e-mail), in the same transaction as the attempt's new state.
"""

import logging
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import eopayment
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import ZERO, Invoice, PaymentMode, account_totals
from billing.services import pdfs_deleted_on_error, record_payment
from billing.templatetags.billing import format_euros
from payments import backend
from payments.models import PaymentAttempt, PaymentNotification
from portal.security_log import log_event

logger = logging.getLogger(__name__)

# The billing payment mode of online payments (created by a data migration).
ONLINE_MODE = "Paiement en ligne (carte bancaire)"

State = PaymentAttempt.State
Outcome = PaymentNotification.Outcome

# eopayment's result → the attempt's state (WAITING and the like leave it unchanged).
STATE_OF_RESULT = {
    eopayment.PAID: State.PAID,
    eopayment.ACCEPTED: State.PAID,
    eopayment.DENIED: State.REFUSED,
    eopayment.CANCELLED: State.ABANDONED,
    eopayment.EXPIRED: State.ABANDONED,
    eopayment.ERROR: State.ERROR,
}


def payable_invoices(family_id):
    """The family's issued invoices still owed, oldest first, each with its `owed`."""
    return (
        Invoice.objects.filter(family_id=family_id, kind=Invoice.Kind.INVOICE, number__isnull=False)
        .with_owed()
        .filter(owed__gt=0)
        .order_by("issued_on", "number")
    )


@dataclass(frozen=True)
class Basket:
    """What a family is about to pay: the invoices and the amount, computed by the server."""

    invoices: list
    amount: Decimal
    subject: str


def basket(family, numbers: list[str] | None) -> Basket:
    """The chosen invoices (all those owed when `numbers` is None) and what to pay for them:
    what they still owe, never more than the family's balance (a payment not allocated to an
    invoice already counts). An invoice number that is not the family's is refused (the view
    answers 404)."""
    invoices = list(payable_invoices(family.pk))
    if numbers is not None:
        wanted = set(numbers)
        invoices = [invoice for invoice in invoices if invoice.number in wanted]
        settled = wanted - {invoice.number for invoice in invoices}
        if settled:
            theirs = Invoice.objects.filter(
                family=family, kind=Invoice.Kind.INVOICE, number__in=settled
            )
            if theirs.count() != len(settled):
                raise Invoice.DoesNotExist
            raise ValidationError(
                _("Il ne reste rien à payer sur la facture %(numbers)s.")
                % {"numbers": ", ".join(sorted(settled))}
            )
    if backend.one_invoice_per_payment() and len(invoices) > 1:
        raise ValidationError(
            _("Le service de paiement de la régie règle une facture à la fois : choisissez-en une.")
        )
    owed = sum((invoice.owed for invoice in invoices), ZERO)
    amount = min(owed, account_totals(family)["balance"])
    if not invoices or amount <= 0:
        raise ValidationError(_("Il n'y a rien à payer."))
    minimal = getattr(eopayment.get_backend(backend.name()), "minimal_amount", None)
    if minimal is not None and amount < minimal:
        raise ValidationError(
            _(
                "Le service de paiement n'accepte pas un paiement de moins de %(minimal)s : "
                "réglez ce montant auprès du centre."
            )
            % {"minimal": format_euros(minimal)}
        )
    subject = _("Factures %(numbers)s") % {
        "numbers": ", ".join(invoice.number for invoice in invoices)
    }
    if len(invoices) == 1:
        subject = _("Facture %(number)s") % {"number": invoices[0].number}
    return Basket(invoices=invoices, amount=amount, subject=subject)


class ServiceUnavailable(Exception):
    """The payment service could not create the payment."""


def _new_reference() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "PL" + "".join(secrets.choice(alphabet) for _ in range(12))


def start_payment(*, family, user, numbers: list[str] | None) -> tuple[PaymentAttempt, str]:
    """Creates the attempt, asks the service for the payment, and gives the address the family
    is sent to. Raises ValidationError (nothing to pay), ServiceUnavailable (the service failed:
    the attempt is kept, in error)."""
    chosen = basket(family, numbers)
    current = backend.spec()
    reference = _new_reference()
    # PayFiP's REFDET is the invoice's number: the régie's accounts find the title it pays.
    order_id = chosen.invoices[0].number if current.one_invoice else reference
    attempt = PaymentAttempt.objects.create(
        family=family,
        reference=reference,
        order_id=order_id,
        backend=backend.name(),
        amount=chosen.amount,
        subject=chosen.subject[:200],
        created_by=user,
    )
    attempt.invoices.set(chosen.invoices)
    return_url = settings.SITE_URL + reverse("payments:return", args=[reference])
    email = next(iter(family.email_recipients()), "") or getattr(user, "email", "")
    kwargs = {"email": email, "orderid": order_id, "subject": chosen.subject}
    if backend.name() == "payfip_ws":
        kwargs["exer"] = order_id[:4]
    try:
        transaction_id, kind, data = backend.client(return_url=return_url).request(
            str(chosen.amount), **kwargs
        )
    except Exception as error:  # the service's own errors, network errors, bad options
        logger.exception("The payment service refused to create payment %s", reference)
        attempt.state = State.ERROR
        attempt.bank_status = str(error)[:200]
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["state", "bank_status", "finished_at"])
        raise ServiceUnavailable from error
    if kind != eopayment.URL:
        raise ServiceUnavailable(f"Unsupported answer kind {kind}")
    attempt.transaction_id = transaction_id
    attempt.save(update_fields=["transaction_id"])
    return attempt, backend.service_url(data)


def online_mode() -> PaymentMode:
    return PaymentMode.objects.get_or_create(name=ONLINE_MODE, defaults={"position": 35})[0]


def _reject(notice, *, attempt, source: str, raw: str, detail: str, request=None):
    log_event(
        "payment_notification_rejected",
        request,
        attempt=attempt.reference if attempt else "",
        transaction=notice.transaction_id[:100],
        detail=detail,
    )
    PaymentNotification.objects.create(
        attempt=attempt,
        source=source,
        raw=raw,
        bank_data=notice.bank_data,
        result=eopayment.STATUS_NAME.get(notice.result, str(notice.result)),
        outcome=Outcome.REJECTED,
        detail=detail,
    )
    return Outcome.REJECTED


def handle_response(response, *, source: str, raw: str = "", request=None) -> str:
    """Applies one verified answer of the service; returns the notification's outcome.

    Idempotent: a second "paid" for a paid attempt records nothing. A paid answer whose amount
    or reference differs from the attempt's, an unsigned one, or one about an unknown payment
    is refused (kept, logged for staff), and nothing is recorded."""
    notice = backend.to_notice(response)
    result_name = eopayment.STATUS_NAME.get(notice.result, str(notice.result))
    with pdfs_deleted_on_error(), transaction.atomic():
        attempt = (
            PaymentAttempt.objects.select_for_update()
            .select_related("family")
            .filter(transaction_id=notice.transaction_id, backend=backend.name())
            .first()
            if notice.transaction_id
            else None
        )
        if attempt is None:
            return _reject(
                notice, attempt=None, source=source, raw=raw, detail="unknown", request=request
            )
        if not notice.signed:
            return _reject(
                notice, attempt=attempt, source=source, raw=raw, detail="unsigned", request=request
            )
        state = STATE_OF_RESULT.get(notice.result)
        if attempt.state == State.PAID or state is None:
            outcome = Outcome.DUPLICATE if attempt.state == State.PAID else Outcome.PENDING
            PaymentNotification.objects.create(
                attempt=attempt,
                source=source,
                raw=raw,
                bank_data=notice.bank_data,
                result=result_name,
                outcome=outcome,
            )
            return outcome
        if state == State.PAID:
            if notice.amount != attempt.amount:
                return _reject(
                    notice,
                    attempt=attempt,
                    source=source,
                    raw=raw,
                    detail=f"amount {notice.amount} != {attempt.amount}",
                    request=request,
                )
            if notice.reference != attempt.order_id:
                return _reject(
                    notice,
                    attempt=attempt,
                    source=source,
                    raw=raw,
                    detail=f"reference {notice.reference} != {attempt.order_id}",
                    request=request,
                )
            attempt.payment = record_payment(
                family=attempt.family,
                received_on=timezone.localdate(),
                mode=online_mode(),
                amount=attempt.amount,
                # Stored as the receipt's reference: not translated.
                reference=f"Paiement en ligne {attempt.reference}",
                invoices=list(attempt.invoices.all()),
            )
            outcome = Outcome.RECORDED
        else:
            outcome = Outcome.STATE
        attempt.state = state
        attempt.bank_status = notice.bank_status
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["state", "bank_status", "finished_at", "payment"])
        PaymentNotification.objects.create(
            attempt=attempt,
            source=source,
            raw=raw,
            bank_data=notice.bank_data,
            result=result_name,
            outcome=outcome,
        )
    return outcome


def handle_notification(query: str, *, request=None):
    """The service's notification (its POST body or query string): verified by eopayment, then
    applied. Returns (outcome, the content the service expects back or None)."""
    query = backend.normalise_notification(query)
    try:
        response = backend.client().response(query)
    except eopayment.ResponseError as error:
        log_event("payment_notification_rejected", request, detail=str(error)[:200])
        PaymentNotification.objects.create(
            source="notification",
            raw=query[:10000],
            outcome=Outcome.REJECTED,
            detail=str(error)[:300],
        )
        return Outcome.REJECTED, None
    except eopayment.PaymentException as error:
        # Not verified (PayFiP did not answer the lookup): kept, and the service is told to try
        # again later (the view answers 503); `check_online_payments` asks again too.
        logger.warning("Payment notification not verified: %s", error)
        PaymentNotification.objects.create(
            source="notification",
            raw=query[:10000],
            outcome=Outcome.UNVERIFIED,
            detail=str(error)[:300],
        )
        return Outcome.UNVERIFIED, None
    outcome = handle_response(response, source="notification", raw=query[:10000], request=request)
    return outcome, response.return_content


def verify(attempt: PaymentAttempt) -> PaymentAttempt:
    """Asks the service, server to server, where an unfinished payment stands (PayFiP's
    recupererDetailPaiementSecurise), and applies the verified answer. Does nothing with a
    service that has no such lookup, or when the service does not answer."""
    if attempt.is_finished or not attempt.transaction_id or not backend.has_status_lookup():
        return attempt
    try:
        response = backend.client().payment_status(
            attempt.transaction_id, transaction_date=attempt.created_at
        )
    except Exception:  # the service is down: the page says "en attente"
        logger.warning("Status lookup failed for payment %s", attempt.reference, exc_info=True)
        return attempt
    handle_response(response, source="lookup")
    attempt.refresh_from_db()
    return attempt


# An unfinished payment is asked about (when the service answers lookups) after this…
LOOKUP_AFTER = timedelta(minutes=20)
# …and considered abandoned after this without any answer (PayFiP's idOp lives 15 minutes;
# eopayment reads PayFiP's "unknown yet" as expired after 2 hours).
ABANDONED_AFTER = timedelta(hours=2)


def pending_attempt(family_id) -> PaymentAttempt | None:
    """The family's latest payment still awaiting the service's word (sent to the service less
    than ABANDONED_AFTER ago): the payment page warns before a second payment."""
    return (
        PaymentAttempt.objects.for_family(family_id)
        .filter(
            state=State.CREATED,
            transaction_id__isnull=False,
            created_at__gte=timezone.now() - ABANDONED_AFTER,
        )
        .first()
    )


def check_unfinished(now=None) -> dict[str, int]:
    """Closes the payments a family left at the service (`manage.py check_online_payments`):
    asks the service where they stand when it can, and marks abandoned those still without
    an answer after ABANDONED_AFTER. A later "paid" from the service is still recorded."""
    now = now or timezone.now()
    unfinished = PaymentAttempt.objects.filter(state=State.CREATED)
    verified = 0
    for attempt in unfinished.filter(created_at__lt=now - LOOKUP_AFTER):
        if verify(attempt).is_finished:
            verified += 1
    abandoned = unfinished.filter(created_at__lt=now - ABANDONED_AFTER).update(
        state=State.ABANDONED, bank_status="sans réponse du service", finished_at=now
    )
    return {"verified": verified, "abandoned": abandoned}


def credit_left(attempt: PaymentAttempt) -> Decimal:
    """What a recorded online payment did not settle on its invoices (they were settled by other
    means meanwhile): a credit on the family's account."""
    if attempt.payment is None:
        return ZERO
    allocated = sum((a.amount for a in attempt.payment.allocations.all()), ZERO)
    return attempt.payment.amount - allocated
