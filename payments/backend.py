"""The payment service, through eopayment: its backend and options come from settings.

`PAYMENT_BACKEND` names an eopayment backend; `PAYMENT_OPTIONS` (JSON) are its options (for
PayFiP: `numcli`, `saisie`). The portal sets the return and notification URLs itself. What the
portal needs from each backend beyond eopayment's common API (where the notified amount and our
reference are in the service's data) is in SUPPORTED; other backends are refused at start-up
rather than trusted without checking the amount.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from urllib.parse import parse_qs, urlencode, urlsplit

import eopayment
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


@dataclass(frozen=True)
class Spec:
    """Where a backend's verified response carries the amount (in cents or in euros) and the
    order reference the portal sent."""

    amount_field: str
    reference_field: str
    cents: bool
    # PayFiP takes one reference (REFDET) per payment: one invoice per payment.
    one_invoice: bool = False


SUPPORTED = {
    "dummy": Spec(amount_field="amount", reference_field="orderid", cents=False),
    "payfip_ws": Spec(
        amount_field="montant", reference_field="refdet", cents=True, one_invoice=True
    ),
    "systempayv2": Spec(amount_field="vads_amount", reference_field="vads_order_id", cents=True),
    "payzen": Spec(amount_field="vads_amount", reference_field="vads_order_id", cents=True),
}


def name() -> str:
    return settings.PAYMENT_BACKEND


def is_enabled() -> bool:
    return bool(settings.PAYMENT_BACKEND)


def spec() -> Spec:
    try:
        return SUPPORTED[name()]
    except KeyError:
        raise ImproperlyConfigured(
            f"PAYMENT_BACKEND={name()!r} is not supported; use one of {', '.join(SUPPORTED)}."
        ) from None


def one_invoice_per_payment() -> bool:
    return spec().one_invoice


def options() -> dict:
    try:
        value = json.loads(settings.PAYMENT_OPTIONS or "{}")
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"PAYMENT_OPTIONS is not valid JSON: {error}") from error
    if not isinstance(value, dict):
        raise ImproperlyConfigured("PAYMENT_OPTIONS must be a JSON object.")
    return value


def notification_url() -> str:
    return settings.SITE_URL + reverse("payments:notify")


def client(*, return_url: str = "") -> eopayment.Payment:
    """The eopayment client of the configured backend, with the portal's URLs."""
    spec()
    payment = eopayment.Payment(
        name(),
        {
            **options(),
            "normal_return_url": return_url or settings.SITE_URL + reverse("billing:ledger"),
            "automatic_return_url": notification_url(),
        },
    )
    if name() == "payfip_ws":
        payment.backend.payfip = _payfip_service(settings.PAYMENT_PAYFIP_SOAP_URL)
    return payment


@cache
def _payfip_service(address: str):
    """PayFiP's SOAP client, built once per process (reading the WSDL costs), sent to `address`
    when set (a test double) instead of the WSDL's."""
    from eopayment.payfip_ws import PayFiP

    service = PayFiP()
    if address:
        service.client.service._binding_options["address"] = address
    return service


def service_url(url: str) -> str:
    """The address the family is sent to: the service's, or PAYMENT_SERVICE_URL's (the dummy's
    simulated service, a test double) with the service's parameters."""
    override = settings.PAYMENT_SERVICE_URL
    if not override and name() == "dummy":
        # Relative: the simulated service is the portal itself, on whatever host serves it.
        override = reverse("payments:simulator")
    if not override:
        return url
    return f"{override}?{urlsplit(url).query}"


@dataclass
class Notice:
    """A verified answer of the service about one payment."""

    result: int
    transaction_id: str
    signed: bool
    amount: Decimal | None
    reference: str
    bank_status: str
    bank_data: dict = field(default_factory=dict)
    return_content: str | None = None


def _first(value):
    if isinstance(value, list | tuple):
        return value[0] if value else ""
    return value


def to_notice(response) -> Notice:
    """eopayment's PaymentResponse as the portal reads it (amount, reference, result)."""
    current = spec()
    data = {str(key): _first(value) for key, value in (response.bank_data or {}).items()}
    data = {key: "" if value is None else str(value) for key, value in data.items()}
    result = response.result
    if name() == "dummy" and "cancelled" in data:
        # The simulated service's "Abandonner": eopayment's dummy only knows paid and error.
        result = eopayment.CANCELLED
    amount = None
    raw_amount = data.get(current.amount_field, "")
    try:
        amount = Decimal(raw_amount)
        if current.cents:
            amount = amount / 100
        amount = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        amount = None
    return Notice(
        result=result,
        transaction_id=str(response.order_id or ""),
        signed=bool(response.signed),
        amount=amount,
        reference=data.get(current.reference_field, ""),
        bank_status=str(_first(response.bank_status) or "")[:200],
        bank_data=data,
        return_content=response.return_content,
    )


def normalise_notification(query: str) -> str:
    """PayFiP notifies with `idOp=…`; eopayment's payfip_ws reads `idop`."""
    if name() != "payfip_ws":
        return query
    fields = parse_qs(query)
    idop = _first(fields.get("idop") or fields.get("idOp") or [""])
    return urlencode({"idop": idop}) if idop else query


def has_status_lookup() -> bool:
    """Whether the service answers a verified status request (PayFiP's
    recupererDetailPaiementSecurise), which the return page may then trigger."""
    return name() == "payfip_ws"
