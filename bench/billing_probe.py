"""In-process parts of the billing-run benchmark (`bench/billing_run.py`), run through
`manage.py shell` with the bench settings: one invoice's render time, starting the run, and
checking what it issued."""

import json
import statistics
import time

from django.db import transaction
from django.utils import timezone

from billing import pdf, runs, services
from billing.models import Invoice, IssueRun, IssueRunItem
from portal.models import Centre


class _RolledBack(Exception):
    pass


def drafts():
    return Invoice.objects.filter(
        number__isnull=True,
        kind=Invoice.Kind.INVOICE,
        family__accounts__username__startswith="bench",
    ).order_by("pk")


def render_ms(runs_count: int = 20) -> dict:
    """Median render of a representative draft's PDF, once issued (number, copied identities):
    the draft is issued in a transaction rolled back afterwards (its stored PDF deleted), so
    the run still finds every draft and the counter is untouched."""
    draft = drafts().first()
    centre = Centre.objects.current()
    timings = []
    try:
        with services.pdfs_deleted_on_error(), transaction.atomic():
            invoice = services.issue_invoice(invoice=draft)
            pdf.render_invoice(invoice, centre=centre)  # warm-up (fonts, templates)
            for _ in range(runs_count):
                started = time.perf_counter()
                pdf.render_invoice(invoice, centre=centre)
                timings.append((time.perf_counter() - started) * 1000)
            lines = invoice.lines.count()
            raise _RolledBack
    except _RolledBack:
        pass
    return {"render_ms": statistics.median(timings), "renders": runs_count, "lines": lines}


def start_run() -> dict:
    ids = list(drafts().values_list("pk", flat=True))
    run = runs.start_issue_run(invoice_ids=ids)
    return {"run": run.pk, "drafts": len(ids)}


def check_run(run_id: int) -> dict:
    """What the run did, and whether the numbers it gave are gapless and in order."""
    run = IssueRun.objects.get(pk=run_id)
    progress = runs.progress(run)
    year = timezone.localdate().year
    numbers = sorted(
        int(number[len(f"{year}FAC") :])
        for number in Invoice.objects.filter(
            run_items__run=run, number__startswith=f"{year}FAC"
        ).values_list("number", flat=True)
    )
    gapless = bool(numbers) and numbers[-1] - numbers[0] + 1 == len(numbers) == len(set(numbers))
    from django_tasks_db.models import DBTaskResult

    durations = sorted(
        (task.finished_at - task.started_at).total_seconds() * 1000
        for task in DBTaskResult.objects.filter(
            task_path__endswith="issue_run_item", finished_at__isnull=False
        ).only("started_at", "finished_at")
    )
    return {
        "task_median_ms": statistics.median(durations) if durations else None,
        "issued": progress.issued,
        "failed": progress.failed,
        "skipped": progress.skipped,
        "pending": progress.pending,
        "gapless": gapless,
        "wall_seconds": (run.finished_at - run.created_at).total_seconds()
        if run.finished_at
        else None,
        "stored_pdfs": Invoice.objects.filter(run_items__run=run, number__isnull=False)
        .exclude(pdf="")
        .count(),
        "items": IssueRunItem.objects.filter(run=run).count(),
    }


def emit(data: dict) -> None:
    print("BENCH-JSON " + json.dumps(data))
