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
    timings, cpu = [], []
    try:
        with services.pdfs_deleted_on_error(), transaction.atomic():
            invoice = services.issue_invoice(invoice=draft)
            pdf.render_invoice(invoice, centre=centre)  # warm-up (fonts, templates)
            for _ in range(runs_count):
                started, started_cpu = time.perf_counter(), time.process_time()
                pdf.render_invoice(invoice, centre=centre)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            lines = invoice.lines.count()
            raise _RolledBack
    except _RolledBack:
        pass
    return {
        "render_ms": statistics.median(timings),
        "render_cpu_ms": statistics.median(cpu),
        "renders": runs_count,
        "lines": lines,
    }


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

    # Per draft: each issuing task's time over the drafts it was given.
    durations = sorted(
        (task.finished_at - task.started_at).total_seconds()
        * 1000
        / len(task.args_kwargs["args"][0])
        for task in DBTaskResult.objects.filter(
            task_path__endswith="issue_run_items", finished_at__isnull=False
        ).only("started_at", "finished_at", "args_kwargs")
    )
    tasks = len(durations)
    return {
        "task_median_ms": statistics.median(durations) if durations else None,
        "tasks": tasks,
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


# The family pages loaded while the run works, and idle (bench/billing_run.py).
FAMILY_PAGES = [("Accueil", "/accueil/"), ("Facturation", "/facturation/")]


def pages(sessions: int = 40) -> dict:
    """The family pages' query counts and sizes (for their reference pages), and the families
    whose sessions load them (spread over the generated range)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.seed import BENCH_PASSWORD

    users = list(User.objects.filter(username__startswith="bench").order_by("username"))
    chosen = users[:: max(len(users) // sessions, 1)][:sessions]
    client = Client()
    client.force_login(chosen[0])

    def measure(path):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return len(queries), len(response.content)

    base_queries, _size = measure("/_bench/reference/?queries=0&bytes=1000")
    found = []
    for name, path in FAMILY_PAGES:
        queries, size = measure(path)
        found.append({"name": name, "path": path, "queries": queries, "bytes": size})
    return {
        "usernames": [user.username for user in chosen],
        "password": BENCH_PASSWORD,
        "reference_base_queries": base_queries,
        "pages": found,
    }


def emit(data: dict) -> None:
    print("BENCH-JSON " + json.dumps(data))
