"""Numbers: YYYYFAC####, sequential per year, without gaps, even under concurrency."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from billing import services
from billing.models import DocumentCounter, Invoice
from tests.billing.factories import draft_invoice, issue_all_at_once, issued_invoice, payment
from tests.factories import FamilyFactory


def test_it_numbers_invoices_in_sequence_per_year(family):
    numbers = [issued_invoice(family, issued_on=date(2026, 9, day)).number for day in (1, 2, 3)]
    assert numbers == ["2026FAC0001", "2026FAC0002", "2026FAC0003"]


def test_it_restarts_at_one_each_year_and_keeps_kinds_apart(family):
    assert issued_invoice(family, issued_on=date(2025, 12, 31)).number == "2025FAC0001"
    invoice = issued_invoice(family, issued_on=date(2026, 1, 2))
    assert invoice.number == "2026FAC0001"
    note = services.issue_credit_note(invoice=invoice, issued_on=date(2026, 1, 3))
    assert note.number == "2026AV0001"
    assert payment(family, received_on=date(2026, 1, 4)).number == "2026REG0001"
    assert issued_invoice(family, issued_on=date(2026, 1, 5)).number == "2026FAC0002"


def test_a_rollback_gives_the_number_back(family):
    issued_invoice(family, issued_on=date(2026, 3, 1))
    draft = draft_invoice(family)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_invoice(invoice=draft, issued_on=date(2026, 3, 2))
        raise RuntimeError("the e-mail server exploded after the number was taken")
    draft.refresh_from_db()
    assert draft.number is None
    assert services.issue_invoice(invoice=draft, issued_on=date(2026, 3, 2)).number == (
        "2026FAC0002"
    )
    assert DocumentCounter.objects.get(kind="FAC", year=2026).last_number == 2


def test_a_failed_issue_leaves_no_gap(family, monkeypatch):
    draft = draft_invoice(family)

    def broken_renderer(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("billing.pdf.render_invoice", broken_renderer)
    with pytest.raises(OSError):
        services.issue_invoice(invoice=draft, issued_on=date(2026, 4, 1))
    monkeypatch.undo()
    assert not Invoice.objects.filter(number__isnull=False).exists()
    assert services.issue_invoice(invoice=draft, issued_on=date(2026, 4, 1)).number == (
        "2026FAC0001"
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE): concurrency is proven on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_unique_gapless_numbers():
    family = FamilyFactory()
    drafts = [draft_invoice(family) for _ in range(8)]
    assert issue_all_at_once(drafts, issued_on=date(2026, 5, 1)) == {}
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026FAC{n:04d}" for n in range(1, 9)]


def test_numbers_and_dates_run_in_the_same_order(family):
    issued_invoice(family, issued_on=date(2026, 6, 10))
    with pytest.raises(ValidationError, match="plus récente"):
        issued_invoice(family, issued_on=date(2026, 6, 9))
    assert issued_invoice(family, issued_on=date(2026, 6, 10)).number == "2026FAC0002"
