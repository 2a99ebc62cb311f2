"""Sends the unfinished issuing runs' remaining drafts to the task workers again (after a
worker was stopped or killed), and the billing runs still building their drafts. Harmless when
nothing is stuck: a draft done, or a family already drafted, is skipped."""

from django.core.management.base import BaseCommand
from django.db import transaction

from billing import billing_runs, runs
from billing.models import BillingRun, IssueRun


class Command(BaseCommand):
    help = "Re-enqueues the drafts that unfinished issuing runs have not issued yet."

    def handle(self, *args, **options):
        total = 0
        for run in IssueRun.objects.filter(finished_at__isnull=True).order_by("pk"):
            with transaction.atomic():
                count = runs.resume_run(run)
            if count:
                self.stdout.write(f"{run}: {count}")
            total += count
        self.stdout.write(f"{total} draft(s) enqueued again.")
        for billing_run in BillingRun.objects.filter(status=BillingRun.Status.BUILDING):
            with transaction.atomic():
                billing_runs.resume_build(billing_run)
            self.stdout.write(f"{billing_run}: build enqueued again.")
