"""Background tasks of billing (Django's Tasks API, `django-tasks`): see `billing.runs`."""

from django_tasks import task

from billing import runs


@task()
def dispatch_issue_run(run_id: int) -> int:
    """One task per draft the run has not issued yet, so that every worker takes a share."""
    item_ids = runs.pending_item_ids(run_id)
    for item_id in item_ids:
        issue_run_item.enqueue(item_id)
    return len(item_ids)


@task()
def issue_run_item(item_id: int) -> None:
    runs.issue_item(item_id)


@task()
def build_billing_run(run_id: int) -> None:
    """Builds a billing run's drafts (`billing.billing_runs.build`)."""
    from billing import billing_runs

    billing_runs.build(run_id)
