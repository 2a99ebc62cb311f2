"""The same issuing run on each real task backend, with its real worker: the database backend
(`db_worker`) and RQ on the machine's Redis (127.0.0.1:6379, a database of the tests' own)."""

import os
from datetime import date

import pytest
from django.core.management import call_command

from billing import runs
from billing.models import Invoice, IssueRun, IssueRunItem
from tests.billing.factories import draft_invoice
from tests.factories import FamilyFactory, ResponsableFactory

DRAFTS = 4


def billing_run():
    family = FamilyFactory()
    ResponsableFactory(family=family, email="parent@example.org")
    drafts = [draft_invoice(family, "10.00") for _ in range(DRAFTS)]
    return runs.start_issue_run(invoice_ids=[draft.pk for draft in drafts])


def assert_all_issued_once(run, outbox):
    year = date.today().year
    numbers = sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [f"{year}FAC{n:04d}" for n in range(1, DRAFTS + 1)]
    assert all(invoice.pdf for invoice in Invoice.objects.all())
    assert set(run.items.values_list("state", flat=True)) == {IssueRunItem.State.ISSUED}
    run.refresh_from_db()
    assert run.finished_at is not None
    sent = outbox()
    for number in numbers:
        assert len([message for message in sent if number in message.body]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_on_the_database_backend_is_issued_by_db_worker(settings, outbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    run = billing_run()
    assert DBTaskResult.objects.count() == 1  # the dispatching task, enqueued on commit
    assert Invoice.objects.filter(number__isnull=True).count() == DRAFTS

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    assert_all_issued_once(run, outbox)
    assert DBTaskResult.objects.count() == 1 + DRAFTS
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def redis_queue():
    """The tests' own RQ queue (RQ_QUEUES in portal/settings_test.py), emptied; in CI an
    unreachable Redis fails the test instead of skipping it."""
    import django_rq
    from django_tasks_rq import Job
    from redis.exceptions import ConnectionError as RedisConnectionError

    queue = django_rq.get_queue("default", job_class=Job)
    try:
        queue.connection.ping()
    except RedisConnectionError as error:
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"no Redis at 127.0.0.1:6379: {error}")
    queue.empty()
    return queue


@pytest.mark.django_db(transaction=True)
def test_a_run_on_the_rq_backend_is_issued_by_an_rq_worker(settings, outbox):
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = redis_queue()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}

    run = billing_run()
    assert queue.count == 1
    assert Invoice.objects.filter(number__isnull=True).count() == DRAFTS

    # A worker in burst mode: runs what is queued (the dispatch, then one task per draft), then
    # stops. SimpleWorker runs the jobs in this process, on the test database.
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True)

    assert_all_issued_once(run, outbox)
    assert queue.count == 0
    assert queue.failed_job_registry.count == 0
    assert IssueRun.objects.count() == 1
