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


class HolderRolledBack(Exception):
    pass


def issue_in_thread(draft):
    """Issues `draft` (dated 2026-05-01) as a thread of its own does: its own connection, closed
    after. A holder made to fail (HolderRolledBack) is expected."""
    from django.db import connections

    try:
        services.issue_invoice(invoice=draft, issued_on=date(2026, 5, 1))
    except HolderRolledBack:
        pass
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE): concurrency is proven on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("holder_commits", [True, False], ids=["holder-commits", "holder-fails"])
def test_an_issuer_waiting_for_the_counter_renders_meanwhile_and_prints_the_number_given(
    holder_commits, monkeypatch
):
    """Two workers of an issuing run: while one holds the counter (its number taken, its PDF
    being stored), the other renders its PDF with the next number instead of waiting idle. If
    the holder fails, the waiter gets the holder's number back and prints that one."""
    import threading
    import time

    from django.core.files.storage import default_storage

    from billing import pdf
    from tests.billing.factories import pdf_text

    family = FamilyFactory()
    first, second = draft_invoice(family), draft_invoice(family)
    DocumentCounter.objects.create(kind="FAC", year=2026)  # as after the year's first invoice
    holding, release = threading.Event(), threading.Event()
    printed = []  # the number on each render of the second invoice
    real_render, real_send = pdf.render_invoice, services.send_family_email

    def render(invoice, **kwargs):
        if invoice.pk == second.pk:
            printed.append(invoice.number)
        return real_render(invoice, **kwargs)

    def send(*, context, **kwargs):
        if context["invoice"].pk == first.pk:
            holding.set()
            release.wait(30)
            if not holder_commits:
                raise HolderRolledBack
        return real_send(context=context, **kwargs)

    monkeypatch.setattr(pdf, "render_invoice", render)
    monkeypatch.setattr(services, "send_family_email", send)

    holder = threading.Thread(target=issue_in_thread, args=[first])
    holder.start()
    assert holding.wait(30)
    waiter = threading.Thread(target=issue_in_thread, args=[second])
    waiter.start()
    deadline = time.monotonic() + 30
    while not printed and time.monotonic() < deadline:
        time.sleep(0.05)
    # Rendered while the holder still has the counter locked.
    assert printed == ["2026FAC0002"]
    release.set()
    holder.join(60)
    waiter.join(60)
    assert not holder.is_alive() and not waiter.is_alive()

    second.refresh_from_db()
    expected = "2026FAC0002" if holder_commits else "2026FAC0001"
    assert second.number == expected
    # Rendered once when the guess held, again under the lock when it did not.
    assert printed == ["2026FAC0002"] if holder_commits else ["2026FAC0002", "2026FAC0001"]
    with default_storage.open(second.pdf.name) as handle:
        text = pdf_text(handle.read())
    assert expected in text
    assert DocumentCounter.objects.get(kind="FAC", year=2026).last_number == (
        2 if holder_commits else 1
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE): concurrency is proven on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_an_issuer_starting_while_another_renders_claims_the_next_number(monkeypatch):
    """Three issues of an issuing run's two workers: A holds the counter (number 1, its e-mail
    being queued); B, started meanwhile, renders with number 2; A commits and its worker starts
    C while B is still rendering. C must not take number 2 from B (both would render again):
    it renders with 3 at the same time as B, and waits for B. Each PDF is rendered once."""
    import threading
    import time

    from django.core.files.storage import default_storage

    from billing import pdf
    from tests.billing.factories import pdf_text

    family = FamilyFactory()
    a, b, c = draft_invoice(family), draft_invoice(family), draft_invoice(family)
    DocumentCounter.objects.create(kind="FAC", year=2026)
    a_holding, a_release = threading.Event(), threading.Event()
    b_rendering, b_release = threading.Event(), threading.Event()
    printed = {b.pk: [], c.pk: []}  # the number on each render of B and C
    real_render, real_send = pdf.render_invoice, services.send_family_email

    def render(invoice, **kwargs):
        if invoice.pk in printed:
            printed[invoice.pk].append(invoice.number)
        if invoice.pk == b.pk and len(printed[b.pk]) == 1:
            b_rendering.set()
            b_release.wait(30)
        return real_render(invoice, **kwargs)

    def send(*, context, **kwargs):
        if context["invoice"].pk == a.pk:
            a_holding.set()
            a_release.wait(30)
        return real_send(context=context, **kwargs)

    monkeypatch.setattr(pdf, "render_invoice", render)
    monkeypatch.setattr(services, "send_family_email", send)

    def wait_until(condition):
        deadline = time.monotonic() + 30
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert condition()

    threads = {d.pk: threading.Thread(target=issue_in_thread, args=[d]) for d in (a, b, c)}
    threads[a.pk].start()
    assert a_holding.wait(30)
    threads[b.pk].start()
    assert b_rendering.wait(30)
    a_release.set()
    threads[a.pk].join(60)
    wait_until(lambda: DocumentCounter.objects.get(kind="FAC", year=2026).last_number == 1)
    threads[c.pk].start()  # the counter is free: only B's claim tells C that 2 is taken
    wait_until(lambda: printed[c.pk])
    b_release.set()
    for thread in threads.values():
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads.values())

    assert printed == {b.pk: ["2026FAC0002"], c.pk: ["2026FAC0003"]}
    for draft, number in ((a, "2026FAC0001"), (b, "2026FAC0002"), (c, "2026FAC0003")):
        draft.refresh_from_db()
        assert draft.number == number
        with default_storage.open(draft.pdf.name) as handle:
            assert number in pdf_text(handle.read())
