"""50 invoices issued at once, one of them rolled back after taking its number: the numbers
given are unique and contiguous, and the failed issue consumed no number and left no PDF."""

from datetime import date

import pytest
from django.db import connection

from billing import services
from billing.models import DocumentCounter, Invoice
from tests.billing.factories import draft_invoice, issue_all_at_once
from tests.factories import FamilyFactory

ISSUERS = 50


class ForcedRollback(Exception):
    pass


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (BEGIN IMMEDIATE) and has no row locks: 50 parallel "
    "issuers are proven on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_issues_with_one_rollback_give_contiguous_numbers(settings, monkeypatch):
    family = FamilyFactory()
    drafts = [draft_invoice(family, "10.00") for _ in range(ISSUERS)]
    doomed = drafts[ISSUERS // 2]
    numbers_seen = {}
    real_send = services.send_family_email

    def send_or_fail(*, context, **kwargs):
        invoice = context["invoice"]
        # Past this point the invoice holds its number and its stored PDF.
        numbers_seen[invoice.pk] = invoice.number
        if invoice.pk == doomed.pk:
            raise ForcedRollback(invoice.number)
        return real_send(context=context, **kwargs)

    monkeypatch.setattr(services, "send_family_email", send_or_fail)
    errors = issue_all_at_once(drafts, issued_on=date(2026, 11, 2))

    # Only the forced rollback failed, after it had been given a number.
    assert list(errors) == [doomed.pk]
    assert isinstance(errors[doomed.pk], ForcedRollback)
    assert numbers_seen[doomed.pk] is not None

    issued = list(Invoice.objects.filter(number__isnull=False).values_list("number", flat=True))
    assert len(issued) == len(set(issued)) == ISSUERS - 1
    assert sorted(issued) == [f"2026FAC{n:04d}" for n in range(1, ISSUERS)]
    assert DocumentCounter.objects.get(kind="FAC", year=2026).last_number == ISSUERS - 1
    doomed.refresh_from_db()
    assert doomed.number is None and not doomed.pdf and doomed.pdf_sha256 == ""

    # One stored PDF per issued invoice, none for the rolled-back one.
    stored = sorted(path for path in (settings.MEDIA_ROOT / "billing").rglob("*.pdf"))
    expected = sorted(
        settings.MEDIA_ROOT / name
        for name in Invoice.objects.filter(number__isnull=False).values_list("pdf", flat=True)
    )
    assert stored == expected

    # The number the failed issue held is the next one given.
    monkeypatch.undo()
    assert services.issue_invoice(invoice=doomed, issued_on=date(2026, 11, 2)).number == (
        f"2026FAC{ISSUERS:04d}"
    )


def test_a_failed_issue_leaves_no_pdf_behind(family, settings, monkeypatch):
    draft = draft_invoice(family)

    def queue_full(**kwargs):
        raise ForcedRollback("the e-mail queue is full")

    # The e-mail is queued after the PDF is stored, in the same transaction.
    monkeypatch.setattr(services, "send_family_email", queue_full)
    with pytest.raises(ForcedRollback):
        services.issue_invoice(invoice=draft, issued_on=date(2026, 11, 2))
    draft.refresh_from_db()
    assert draft.number is None
    assert list(settings.MEDIA_ROOT.rglob("*.pdf")) == []
