"""Issuing runs: the action "Émettre" starts a run whose tasks issue the drafts in the
background; its page shows the progress; a run cut short resumes without issuing twice."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from billing import pdf, runs
from billing.models import DocumentCounter, Invoice, IssueRun, IssueRunItem
from tests.billing.factories import draft_invoice

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tasks are queued and nothing runs them: a worker that is down, or killed.
NO_WORKER = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
CHANGELIST = "admin:billing_invoice_changelist"


def start(client, drafts, capture):
    with capture(execute=True):
        return client.post(
            reverse(CHANGELIST),
            {"action": "issue_selected", "_selected_action": [draft.pk for draft in drafts]},
        )


def started_run(client, family, outbox, capture, drafts=5):
    """A run over new drafts of `family`, started with no worker: (run, its item ids)."""
    for _ in range(drafts):
        draft_invoice(family)
    outbox.clear()
    start(client, list(Invoice.objects.filter(number=None)), capture)
    run = IssueRun.objects.get()
    return run, list(run.items.order_by("pk").values_list("pk", flat=True))


def invoice_emails(messages, number):
    return [message for message in messages if number in message.body]


def test_the_issue_action_starts_a_run_that_issues_every_draft(
    staff_client, family, outbox, django_capture_on_commit_callbacks
):
    drafts = [draft_invoice(family) for _ in range(3)]
    late = draft_invoice(family)
    Invoice.objects.filter(pk=late.pk).update(due_on=date(2020, 1, 1))
    outbox.clear()

    response = start(staff_client, [*drafts, late], django_capture_on_commit_callbacks)

    run = IssueRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:billing_issuerun_change", args=[run.pk])
    (message,) = get_messages(response.wsgi_request)
    assert (
        str(message) == f"Émission n° {run.pk} lancée : les brouillons sont émis en arrière-plan."
    )
    year = date.today().year
    numbers = sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [f"{year}FAC0001", f"{year}FAC0002", f"{year}FAC0003"]
    assert all(invoice.pdf for invoice in Invoice.objects.exclude(number=None))
    sent = outbox()
    for number in numbers:
        assert len(invoice_emails(sent, number)) == 1
    run.refresh_from_db()
    assert run.finished_at is not None

    page = staff_client.get(response["Location"]).content.decode()
    assert 'max="4" value="4"' in page
    assert "Émission terminée." in page
    assert "Brouillons non émis" in page
    assert "L&#x27;échéance ne peut pas précéder la date d&#x27;émission." in page
    assert "Reprendre" not in page
    assert staff_client.get(reverse("admin:billing_issuerun_progress", args=[run.pk])).json() == {
        "total": 4,
        "done": 4,
        "issued": 3,
        "skipped": 0,
        "failed": 1,
        "pending": 0,
        "percent": 100,
        "finished": True,
    }


def test_a_run_page_polls_its_progress_without_inline_script(
    staff_client, family, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    start(staff_client, [draft_invoice(family)], django_capture_on_commit_callbacks)
    run = IssueRun.objects.get()

    response = staff_client.get(reverse("admin:billing_issuerun_change", args=[run.pk]))
    page = response.content.decode()
    assert 'max="1" value="0"' in page
    assert "Émission en cours…" in page
    assert 'src="/static/js/issue-run.js"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "<script>" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    progress = staff_client.get(reverse("admin:billing_issuerun_progress", args=[run.pk]))
    assert progress.json()["pending"] == 1
    assert "no-store" in progress["Cache-Control"]


def test_a_run_cut_short_resumes_without_issuing_anything_twice(
    staff_client, family, settings, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    run, item_ids = started_run(staff_client, family, outbox, django_capture_on_commit_callbacks)
    items = list(IssueRunItem.objects.filter(pk__in=item_ids).order_by("pk"))

    # The worker issues two drafts, then dies in the middle of the third (after its number and
    # PDF, before its commit).
    runs.issue_item(items[0].pk)
    runs.issue_item(items[1].pk)
    real_render = pdf.render_invoice

    def killed(*args, **kwargs):
        real_render(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(pdf, "render_invoice", killed)
    with pytest.raises(KeyboardInterrupt):
        runs.issue_item(items[2].pk)
    monkeypatch.setattr(pdf, "render_invoice", real_render)
    page = staff_client.get(reverse("admin:billing_issuerun_change", args=[run.pk]))
    assert 'max="5" value="2"' in page.content.decode()
    assert "Reprendre" in page.content.decode()

    # A worker is back: "Reprendre" sends the rest, and an old task of a done draft runs again.
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:billing_issuerun_resume", args=[run.pk]), follow=True
        )
    assert "3 brouillons renvoyés aux tâches de fond." in response.content.decode()
    runs.issue_item(items[0].pk)

    year = date.today().year
    numbers = sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [f"{year}FAC{n:04d}" for n in range(1, 6)]
    assert DocumentCounter.objects.get(kind="FAC", year=year).last_number == 5
    stored = list((settings.MEDIA_ROOT / "billing").rglob("*.pdf"))
    assert len(stored) == 5
    sent = outbox()
    for number in numbers:
        assert len(invoice_emails(sent, number)) == 1
    assert set(run.items.values_list("state", flat=True)) == {IssueRunItem.State.ISSUED}


def test_the_resume_command_reenqueues_what_is_not_done(
    staff_client, family, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    drafts = [draft_invoice(family) for _ in range(2)]
    start(staff_client, drafts, django_capture_on_commit_callbacks)
    runs.issue_item(IssueRun.objects.get().items.first().pk)

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_issue_runs")

    assert Invoice.objects.filter(number__isnull=True).count() == 0
    assert IssueRun.objects.get().finished_at is not None


def test_a_draft_being_issued_cannot_be_edited_nor_deleted(
    staff_client, family, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    draft = draft_invoice(family, label="Cotisations")
    start(staff_client, [draft], django_capture_on_commit_callbacks)
    url = reverse("admin:billing_invoice_change", args=[draft.pk])
    warning = "Ce brouillon est en cours d&#x27;émission : il ne peut plus être modifié."
    assert warning in staff_client.get(url).content.decode()

    response = staff_client.post(
        url,
        {
            "family": family.pk,
            "season": draft.season_id,
            "label": "Changé pendant l'émission",
            "due_on": "",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert (
        "Ce brouillon est en cours d&#x27;émission : il ne peut plus être modifié."
        in response.content.decode()
    )
    response = staff_client.post(
        reverse("admin:billing_invoice_delete", args=[draft.pk]), {"post": "yes"}, follow=True
    )
    assert "il ne peut pas être supprimé" in response.content.decode()
    draft.refresh_from_db()
    assert draft.label == "Cotisations"

    runs.issue_item(IssueRun.objects.get().items.get().pk)
    draft.refresh_from_db()
    assert draft.number and draft.label == "Cotisations"
    assert draft.lines.count() == 2


def test_a_run_started_twice_for_the_same_drafts_is_refused(
    staff_client, family, settings, outbox, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    drafts = [draft_invoice(family) for _ in range(2)]
    outbox.clear()
    start(staff_client, drafts, django_capture_on_commit_callbacks)
    response = start(staff_client, drafts, django_capture_on_commit_callbacks)

    message = list(get_messages(response.wsgi_request))[-1]
    assert message.level_tag == "error"
    assert str(message) == (
        "2 des brouillons choisis sont déjà en cours d'émission : aucune émission n'a été lancée."
    )
    assert IssueRun.objects.count() == 1

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_issue_runs")
    numbers = list(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert len(numbers) == 2
    sent = outbox()
    for number in numbers:
        assert len(invoice_emails(sent, number)) == 1

    # Once issued, a new run over them has no draft to issue.
    response = start(staff_client, drafts, django_capture_on_commit_callbacks)
    message = list(get_messages(response.wsgi_request))[-1]
    assert str(message) == "Aucun brouillon de facture dans la sélection."


def test_only_staff_see_a_run(family_client, family, staff_user):
    run = IssueRun.objects.create(created_by=staff_user)
    response = family_client.get(reverse("admin:billing_issuerun_progress", args=[run.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_list_of_runs_counts_in_one_query_however_many_runs(
    staff_client, family, settings, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = NO_WORKER
    url = reverse("admin:billing_issuerun_changelist")
    counts = []
    for more in (2, 5):
        for _ in range(more):
            start(staff_client, [draft_invoice(family)], django_capture_on_commit_callbacks)
        with CaptureQueriesContext(connection) as queries:
            page = staff_client.get(url).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert page.count("0 / 1 (0 non émises)") == 7


def test_a_task_failing_after_the_issue_leaves_no_number_and_no_pdf(
    staff_client, family, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    draft = draft_invoice(family)
    start(staff_client, [draft], django_capture_on_commit_callbacks)
    item = IssueRun.objects.get().items.get()

    def crash(*args, **kwargs):
        raise ConnectionError("database gone")

    # The draft is issued (number, PDF stored), then recording the item's state fails: all of
    # it rolls back, the stored PDF included.
    monkeypatch.setattr(IssueRunItem, "save", crash)
    with pytest.raises(ConnectionError):
        runs.issue_item(item.pk)
    monkeypatch.undo()

    draft.refresh_from_db()
    assert draft.number is None
    assert not list((settings.MEDIA_ROOT / "billing").rglob("*.pdf"))
    runs.issue_item(item.pk)
    draft.refresh_from_db()
    assert draft.number == f"{date.today().year}FAC0001"
    assert len(list((settings.MEDIA_ROOT / "billing").rglob("*.pdf"))) == 1


def test_a_run_is_issued_by_tasks_of_a_few_drafts_each_down_to_one_at_the_end():
    chunks = runs.chunks(list(range(1, 1001)))
    assert [item for chunk in chunks for item in chunk] == list(range(1, 1001))
    assert len(chunks[0]) == runs.CHUNK_MAX
    assert [len(chunk) for chunk in chunks[-3:]] == [1, 1, 1]
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert len(chunks) < 100
    assert runs.chunks([7, 8]) == [[7], [8]]


def test_a_task_killed_in_the_middle_of_its_drafts_resumes_without_issuing_twice(
    staff_client, family, settings, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    from billing import tasks

    settings.TASKS = NO_WORKER
    run, item_ids = started_run(staff_client, family, outbox, django_capture_on_commit_callbacks)
    monkeypatch.setattr(runs, "CHUNK_MAX", 5)
    monkeypatch.setattr(runs, "CHUNK_SHARE", 1)
    backend = task_backends["default"]

    def dispatched():
        """The drafts of each issuing task the dispatching task queued."""
        tasks.dispatch_issue_run.call(run.pk)
        queued = [r.args[0] for r in backend.results if r.task.name == "issue_run_items"]
        backend.clear()
        return queued

    assert dispatched() == [item_ids]  # one task for the five drafts

    # Its worker is killed while rendering the third draft. Draft by draft (SQLite), the first
    # two are issued by then; on PostgreSQL the five are one block, one transaction: none is.
    done_before = 0 if connection.vendor == "postgresql" else 2
    real_render = pdf.render_invoice
    rendered = []

    def killed(*args, **kwargs):
        rendered.append(1)
        if len(rendered) == 3:
            raise KeyboardInterrupt
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_invoice", killed)
    with pytest.raises(KeyboardInterrupt):
        tasks.issue_run_items.call(item_ids)
    monkeypatch.setattr(pdf, "render_invoice", real_render)
    assert runs.progress(run).issued == done_before
    assert Invoice.objects.exclude(number=None).count() == done_before
    assert len(list((settings.MEDIA_ROOT / "billing").rglob("*.pdf"))) == done_before

    # Resumed: what is left is queued again, and the killed task, run again, skips what is done.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("admin:billing_issuerun_resume", args=[run.pk]))
    resumed = dispatched()
    assert resumed == [item_ids[done_before:]]
    tasks.issue_run_items.call(resumed[0])
    tasks.issue_run_items.call(item_ids)

    year = date.today().year
    numbers = sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [f"{year}FAC{n:04d}" for n in range(1, 6)]
    assert len(list((settings.MEDIA_ROOT / "billing").rglob("*.pdf"))) == 5
    sent = outbox()
    for number in numbers:
        assert len(invoice_emails(sent, number)) == 1
    run.refresh_from_db()
    assert run.finished_at is not None
    assert set(run.items.values_list("state", flat=True)) == {IssueRunItem.State.ISSUED}


def test_an_unexpected_error_on_one_draft_leaves_it_pending_and_the_others_issued(
    staff_client, family, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = NO_WORKER
    drafts = [draft_invoice(family) for _ in range(3)]
    start(staff_client, drafts, django_capture_on_commit_callbacks)
    run = IssueRun.objects.get()
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    real_render = pdf.render_invoice

    def storage_down(invoice, **kwargs):
        if invoice.pk == drafts[1].pk:
            raise OSError("storage unavailable")
        return real_render(invoice, **kwargs)

    monkeypatch.setattr(pdf, "render_invoice", storage_down)
    with pytest.raises(OSError, match="storage unavailable"):
        runs.issue_items(item_ids)

    states = dict(run.items.values_list("invoice_id", "state"))
    assert states == {
        drafts[0].pk: IssueRunItem.State.ISSUED,
        drafts[1].pk: IssueRunItem.State.PENDING,
        drafts[2].pk: IssueRunItem.State.ISSUED,
    }
    run.refresh_from_db()
    assert run.finished_at is None
    page = staff_client.get(reverse("admin:billing_issuerun_change", args=[run.pk]))
    assert "Reprendre" in page.content.decode()
