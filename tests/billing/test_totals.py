"""Totals are computed by the database and always equal the sum of the rows shown."""

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.ledger import Period, build_ledger
from billing.templatetags.billing import format_euros
from tests.billing.factories import issued_invoice, payment
from tests.factories import SeasonFactory


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1186"), "1\u00a0186,00\u00a0€"),
        (Decimal("186.5"), "186,50\u00a0€"),
        (Decimal("-13.2"), "-13,20\u00a0€"),
        (Decimal("1234567.891"), "1\u00a0234\u00a0567,89\u00a0€"),
        (None, "0,00\u00a0€"),
    ],
)
def test_it_formats_euros_the_french_way(value, shown):
    assert format_euros(value) == shown


def test_the_totals_equal_the_sum_of_the_rows_whatever_the_filter(family):
    previous = SeasonFactory(
        name="2025-2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30), is_current=False
    )
    current = SeasonFactory()
    old = issued_invoice(family, "300.10", "20.00", season=previous, issued_on=date(2025, 10, 1))
    services.issue_credit_note(
        invoice=old,
        lines=[services.LineData(label="Geste", amount=Decimal("20.05"))],
        issued_on=date(2025, 10, 2),
    )
    payment(family, "150.33", received_on=date(2025, 12, 1), season=previous)
    issued_invoice(family, "186.00", season=current, issued_on=date(2026, 10, 5))
    payment(family, "0.01", received_on=date(2026, 10, 6), season=current)
    filters = [
        {},
        {"period": Period(season=previous)},
        {"period": Period(year=2026)},
        {"kind": "AV"},
        {"kind": "REG", "period": Period(year=2025)},
        {"text": "2025"},
    ]
    for kwargs in filters:
        ledger = build_ledger(family, **kwargs)
        debit = sum((row.debit or 0 for row in ledger.rows), Decimal(0))
        credit = sum((row.credit or 0 for row in ledger.rows), Decimal(0))
        assert ledger.totals.billed == debit, kwargs
        assert ledger.totals.settled == credit, kwargs
        assert ledger.totals.balance == debit - credit, kwargs
    everything = build_ledger(family).totals
    assert everything.balance == Decimal("320.10") - Decimal("20.05") - Decimal("150.33") + Decimal(
        "186.00"
    ) - Decimal("0.01")
