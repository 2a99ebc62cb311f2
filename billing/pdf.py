"""PDF rendering with WeasyPrint: HTML templates in, (filename, mimetype, bytes) out.

Invoices, credit notes, receipts, receipts' cancellations and refunds are rendered once, when
issued, and their bytes stored; only the payment certificate (attestation), which the family
generates on demand, is rendered per request.
"""

import hashlib
from pathlib import Path

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import Centre

PDF_MIMETYPE = "application/pdf"
DEFAULT_LOGO = Path(settings.BASE_DIR) / "static" / "img" / "logo.svg"


def logo_url(centre: Centre) -> str:
    """A file:// URL WeasyPrint reads the logo from (the centre's own, else the portal's)."""
    if centre.logo:
        try:
            return Path(centre.logo.path).as_uri()
        except (NotImplementedError, ValueError):  # remote storage: fall back to the default
            pass
    return DEFAULT_LOGO.as_uri()


def html_to_pdf(template: str, context: dict) -> bytes:
    with translation.override("fr"):
        html = render_to_string(template, context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_invoice(invoice, *, centre: Centre, lines=None) -> tuple[str, str, bytes]:
    """An issued invoice or credit note, from its own copied data (never live family data);
    `lines`: its lines when the caller has them already."""
    context = {
        "invoice": invoice,
        "lines": list(invoice.lines.all()) if lines is None else lines,
        "logo_url": logo_url(centre),
    }
    data = html_to_pdf("billing/pdf/invoice.html", context)
    return f"{invoice.number}.pdf", PDF_MIMETYPE, data


def render_receipt(payment, *, centre: Centre) -> tuple[str, str, bytes]:
    context = {
        "payment": payment,
        "allocations": list(payment.allocations.select_related("invoice")),
        "logo_url": logo_url(centre),
    }
    data = html_to_pdf("billing/pdf/receipt.html", context)
    return f"{payment.number}.pdf", PDF_MIMETYPE, data


def render_cancellation(cancellation, *, centre: Centre) -> tuple[str, str, bytes]:
    """The cancellation of a receipt (its counter-entry); the receipt's own PDF stays as is."""
    context = {
        "cancellation": cancellation,
        "payment": cancellation.cancelled_payment,
        "logo_url": logo_url(centre),
    }
    data = html_to_pdf("billing/pdf/cancellation.html", context)
    return f"{cancellation.number}.pdf", PDF_MIMETYPE, data


def render_refund(refund, *, centre: Centre) -> tuple[str, str, bytes]:
    context = {"refund": refund, "logo_url": logo_url(centre)}
    data = html_to_pdf("billing/pdf/refund.html", context)
    return f"{refund.number}.pdf", PDF_MIMETYPE, data


def render_attestation(attestation, *, centre: Centre) -> tuple[str, str, bytes]:
    context = {"attestation": attestation, "centre": centre, "logo_url": logo_url(centre)}
    data = html_to_pdf("billing/pdf/attestation.html", context)
    return f"attestation-paiement-{attestation.slug}.pdf", PDF_MIMETYPE, data


def render_mandate(mandate, *, centre: Centre) -> bytes:
    """The signed SEPA mandate's copy (its IBAN masked, as everywhere the family reads it)."""
    context = {"mandate": mandate, "centre": centre, "logo_url": logo_url(centre)}
    return html_to_pdf("billing/pdf/mandate.html", context)
