"""Background tasks of billing (Django's Tasks API, `django-tasks`): see `billing.runs`."""

from django_tasks import task

from billing import runs


@task()
def dispatch_issue_run(run_id: int) -> int:
    """The drafts the run has not issued yet, in tasks of a few (`runs.chunks`), so that every
    worker takes a share."""
    item_ids = runs.pending_item_ids(run_id)
    for chunk in runs.chunks(item_ids):
        issue_run_items.enqueue(chunk)
    return len(item_ids)


@task()
def issue_run_items(item_ids: list[int]) -> None:
    runs.issue_items(item_ids)


@task()
def build_billing_run(run_id: int) -> None:
    """Builds a billing run's drafts (`billing.billing_runs.build`)."""
    from billing import billing_runs

    billing_runs.build(run_id)
