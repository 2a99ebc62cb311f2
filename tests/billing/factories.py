"""Billing test data, built through the real services (numbers, copies and PDFs included)."""

from datetime import date
from decimal import Decimal

from billing import services
from billing.models import PaymentMode
from tests.factories import DisciplineFactory, SeasonFactory, StudentFactory


def payment_mode(name: str = "Chèque") -> PaymentMode:
    # Created by a data migration, but a transactional test flushes the tables.
    return PaymentMode.objects.get_or_create(name=name)[0]


def draft_invoice(family, *amounts: str, season=None, student=None, label="Cotisations"):
    amounts = amounts or ("120.00", "66.00")
    student = student or StudentFactory(family=family, first_name="Léa")
    return services.create_draft_invoice(
        family=family,
        season=season or SeasonFactory(),
        label=label,
        lines=[
            services.LineData(
                label=f"Cotisation n° {position}",
                amount=Decimal(amount),
                student=student,
                discipline=DisciplineFactory(),
            )
            for position, amount in enumerate(amounts, start=1)
        ],
    )


def issued_invoice(family, *amounts: str, issued_on: date | None = None, **kwargs):
    return services.issue_invoice(
        invoice=draft_invoice(family, *amounts, **kwargs), issued_on=issued_on
    )


def payment(family, amount: str = "50.00", *, received_on=None, invoices=None, mode="Chèque", **kw):
    return services.record_payment(
        family=family,
        received_on=received_on or date.today(),
        mode=payment_mode(mode),
        amount=Decimal(amount),
        invoices=invoices,
        **kw,
    )


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return plain(text)


def plain(text: str) -> str:
    """No-break spaces (as in `186,00 €`) read as plain spaces in assertions."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def visible_text(html: str) -> str:
    """A page's text as a reader sees it: no tags, entities decoded, spaces collapsed."""
    import re
    from html import unescape

    return " ".join(plain(unescape(re.sub(r"<[^>]+>", " ", html))).split())


def issue_all_at_once(drafts, *, issued_on: date) -> dict:
    """Issues the drafts from one thread each, released together; returns {draft pk: error}
    for the issues that failed."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(drafts))
    errors = {}

    def issue(draft):
        try:
            barrier.wait()
            services.issue_invoice(invoice=draft, issued_on=issued_on)
        except Exception as error:  # returned to the test
            errors[draft.pk] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=[draft]) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an issuer is still waiting"
    return errors
