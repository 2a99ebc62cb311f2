"""Issuing runs on PostgreSQL: a task issues its drafts by blocks, each block in one transaction
(numbered together, its PDFs rendered before the counter is locked), and two workers' blocks
interleave without gaps, double numbers or double e-mails."""

import threading
from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction

from billing import pdf, runs, services
from billing.models import DocumentCounter, Invoice, IssueRun, IssueRunItem
from tests.billing.factories import draft_invoice, pdf_text
from tests.factories import FamilyFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="blocks need PostgreSQL's advisory locks (SQLite issues draft by draft)",
    ),
    pytest.mark.django_db(transaction=True),
]


# Tasks are queued and nothing runs them: the tests call the workers' function themselves.
NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def no_worker(settings):
    settings.TASKS = NO_WORKER


def run_items(count: int) -> list[int]:
    family = FamilyFactory()
    drafts = [draft_invoice(family) for _ in range(count)]
    run = runs.start_issue_run(invoice_ids=[draft.pk for draft in drafts])
    return list(run.items.order_by("pk").values_list("pk", flat=True))


def recorded_renders(monkeypatch) -> list[tuple[int, str]]:
    """(draft, number printed) of every render from now on."""
    renders = []
    real_render = pdf.render_invoice

    def render(invoice, **kwargs):
        renders.append((invoice.pk, invoice.number))
        return real_render(invoice, **kwargs)

    monkeypatch.setattr(pdf, "render_invoice", render)
    return renders


def assert_issued_once_each(numbers_expected: int, outbox) -> None:
    year = date.today().year
    invoices = list(Invoice.objects.exclude(number=None).order_by("number"))
    assert [invoice.number for invoice in invoices] == [
        f"{year}FAC{n:04d}" for n in range(1, numbers_expected + 1)
    ]
    assert DocumentCounter.objects.get(kind="FAC", year=year).last_number == numbers_expected
    for invoice in invoices:
        with default_storage.open(invoice.pdf.name) as handle:
            assert f"FACTURE N° {invoice.number}" in pdf_text(handle.read())
    sent = outbox()
    for invoice in invoices:
        assert len([m for m in sent if invoice.number in m.body]) == 1
    assert set(IssueRunItem.objects.values_list("state", flat=True)) == {IssueRunItem.State.ISSUED}
    assert IssueRun.objects.get().finished_at is not None


def test_a_task_numbers_its_drafts_together_each_pdf_rendered_once(monkeypatch, outbox):
    item_ids = run_items(5)
    outbox.clear()
    allocations = []
    real_allocate = services.allocate_numbers

    def allocate(**kwargs):
        allocations.append(kwargs["count"])
        return real_allocate(**kwargs)

    monkeypatch.setattr(services, "allocate_numbers", allocate)
    renders = recorded_renders(monkeypatch)
    runs.issue_items(item_ids)
    assert allocations == [5]  # one block: the counter locked once
    assert len(renders) == 5  # the numbers claimed were the numbers given
    assert_issued_once_each(5, outbox)


def test_two_workers_issuing_blocks_at_once_give_gapless_numbers(monkeypatch, outbox):
    item_ids = run_items(12)
    outbox.clear()
    renders = recorded_renders(monkeypatch)
    barrier = threading.Barrier(2)
    errors = []

    def worker(chunk):
        try:
            barrier.wait()
            runs.issue_items(chunk)
        except Exception as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=[chunk]) for chunk in (item_ids[:6], item_ids[6:])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert_issued_once_each(12, outbox)
    # Each draft rendered once, or again only if its claimed number was not the one given.
    assert len({pk for pk, _number in renders}) == 12


def test_a_block_cut_short_by_another_issuers_claim_issues_the_rest_after_it(monkeypatch, outbox):
    """Another issuer holds number 3 (rendering, then failing): the task issues 1 and 2 in a
    block, then the three others in a second block that waits for number 3, gets it back and
    prints the numbers given."""
    item_ids = run_items(5)
    outbox.clear()
    year = date.today().year
    DocumentCounter.objects.create(kind="FAC", year=year)
    holding, release = threading.Event(), threading.Event()

    def other_issuer():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                key = services._claim_key(kind="FAC", year=year, number=3)
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_issuer)
    other.start()
    assert holding.wait(30)
    renders = recorded_renders(monkeypatch)
    real_wait = services.wait_for_predecessor

    def wait(**kwargs):
        if kwargs["number"] == 4:
            release.set()  # the other issuer gives number 3 up while this one waits for it
        return real_wait(**kwargs)

    monkeypatch.setattr(services, "wait_for_predecessor", wait)
    runs.issue_items(item_ids)
    other.join(30)
    assert_issued_once_each(5, outbox)
    printed = [number for _pk, number in renders]
    n = [f"{year}FAC{k:04d}" for k in range(1, 7)]
    # Block 1: 1 and 2; block 2 claimed 4, 5, 6, was given 3, 4, 5 and printed them again.
    assert printed == [n[0], n[1], n[3], n[4], n[5], n[2], n[3], n[4]]
