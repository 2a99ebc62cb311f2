"""Issuing runs: staff pick drafts, a run issues them in the background, by tasks of a few
drafts each (`chunks`: fewer tasks to queue, claim and record than one per draft).

Each draft is issued by `issue_item` in one transaction with its item's new state: the number,
the stored PDF, the queued e-mail and the run's progress commit together or not at all. A task
run twice (a resume after a worker was killed, two workers given the same task) finds the item
done and does nothing: no invoice is numbered or e-mailed twice.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import services
from billing.models import Invoice, InvoiceLine, IssueRun, IssueRunItem
from portal.models import Centre

State = IssueRunItem.State


def busy_invoice_ids(invoice_ids) -> set[int]:
    """The drafts among `invoice_ids` that a run is issuing now (edits are refused)."""
    return set(
        IssueRunItem.objects.filter(invoice_id__in=invoice_ids, state=State.PENDING).values_list(
            "invoice_id", flat=True
        )
    )


def check_not_being_issued(invoice: Invoice) -> None:
    if busy_invoice_ids([invoice.pk]):
        raise ValidationError(
            _(
                "Ce brouillon est en cours d'émission : il ne peut plus être modifié. "
                "Attendez la fin de l'émission."
            )
        )


def start_issue_run(*, invoice_ids, user=None) -> IssueRun:
    """A run over the drafts among `invoice_ids`; its tasks are enqueued once it commits.

    Refused, with nothing started, when none is a draft or when some are already being issued
    by another run."""
    with transaction.atomic():
        drafts = list(
            Invoice.objects.select_for_update()
            .filter(pk__in=list(invoice_ids), number__isnull=True, kind=Invoice.Kind.INVOICE)
            .order_by("pk")
        )
        if not drafts:
            raise ValidationError(_("Aucun brouillon de facture dans la sélection."))
        busy = busy_invoice_ids([draft.pk for draft in drafts])
        if busy:
            raise ValidationError(
                _(
                    "%(count)d des brouillons choisis sont déjà en cours d'émission : "
                    "aucune émission n'a été lancée."
                )
                % {"count": len(busy)}
            )
        run = IssueRun.objects.create(created_by=user)
        try:
            with transaction.atomic():
                IssueRunItem.objects.bulk_create(
                    IssueRunItem(run=run, invoice=draft) for draft in drafts
                )
        except IntegrityError as error:
            # Another run took some of the drafts between our check and our insert.
            raise ValidationError(
                _("Ces brouillons sont déjà en cours d'émission : aucune émission n'a été lancée.")
            ) from error
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def enqueue_run(run_id: int) -> None:
    """Gives the run's remaining drafts to the workers (through one dispatching task)."""
    from billing.tasks import dispatch_issue_run

    dispatch_issue_run.enqueue(run_id)


def pending_item_ids(run_id: int) -> list[int]:
    return list(
        IssueRunItem.objects.filter(run_id=run_id, state=State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# The most drafts one task issues; `chunks` gives each task 1/CHUNK_SHARE of what remains, up
# to CHUNK_MAX, so that the last tasks are small and the workers finish together.
CHUNK_MAX = 25
CHUNK_SHARE = 16


def chunks(item_ids: list[int]) -> list[list[int]]:
    """`item_ids` cut into the tasks' shares: CHUNK_MAX while many remain, then smaller and
    smaller (down to one draft per task), so that no worker is left alone with a long task."""
    result = []
    start = 0
    while start < len(item_ids):
        size = min(CHUNK_MAX, max(1, -(-(len(item_ids) - start) // CHUNK_SHARE)))
        result.append(item_ids[start : start + size])
        start += size
    return result


def resume_run(run: IssueRun) -> int:
    """Enqueues again what the run has not done (after a worker was stopped or killed).
    Harmless if the tasks are still queued: an item done is skipped. Returns how many."""
    pending = len(pending_item_ids(run.pk))
    if pending:
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return pending


def issue_items(item_ids: list[int]) -> None:
    """Issues the drafts of a run's items. On PostgreSQL, by blocks (`_issue_block`): the
    drafts of a block are numbered, stored, e-mailed and recorded in one transaction. Draft
    by draft otherwise, or when a block fails unexpectedly: each in its own transaction, so
    that an item done stays done if a later one fails or the worker is killed, and an
    unexpected error on one item leaves only that one pending (for a resume), the others
    issued, then the error is raised."""
    run_ids = set()
    errors = []
    # Read once per task: the centre's details a few seconds old at most.
    centre = Centre.objects.current()
    remaining = list(item_ids)
    while connection.vendor == "postgresql" and len(remaining) > 1:
        try:
            done_run_ids, remaining = _issue_block(remaining, centre=centre)
        except Exception:  # nothing of the block was kept: its drafts one by one below
            break
        run_ids |= done_run_ids
    for item_id in remaining:
        try:
            run_id = _issue_item(item_id, centre=centre)
        except Exception as error:  # raised below, once the others are issued
            errors.append(error)
        else:
            if run_id is not None:
                run_ids.add(run_id)
    for run_id in run_ids:
        finish_if_done(run_id)
    if errors:
        raise errors[0]


def _issue_block(item_ids: list[int], *, centre: Centre) -> tuple[set[int], list[int]]:
    """Issues the drafts of the pending items among `item_ids` in one transaction, numbered
    consecutively: as many as `services.claim_numbers` could claim in a row (all of them,
    unless another issuer's claim comes first). A draft that cannot be issued is recorded as
    failed with its reason. Returns the runs of the items done and the items left (pending).

    Rows are read for the whole block at once (the items and drafts locked together, then the
    lines and the responsables), and each draft costs the queries of its own writes only."""
    issued_on = timezone.localdate()
    with services.pdfs_deleted_on_error(), transaction.atomic():
        items = list(
            IssueRunItem.objects.select_for_update(of=("self", "invoice"))
            .select_related("invoice__family", "invoice__season")
            .filter(pk__in=item_ids, state=State.PENDING)
            .order_by("pk")
        )
        lines = {}
        for line in InvoiceLine.objects.filter(
            invoice__in=[item.invoice_id for item in items]
        ).select_related("student"):
            lines.setdefault(line.invoice_id, []).append(line)
        prefetch_related_objects([item.invoice.family for item in items], "responsables")
        ready = []  # (item, its lines, its lines to rename)
        for item in items:
            invoice = item.invoice
            if invoice.is_issued:
                _record(item, State.SKIPPED, _already_issued(invoice))
                continue
            try:
                services.check_issuable(invoice, issued_on=issued_on)
                draft_lines = lines.get(invoice.pk, [])
                renamed = services.prepare_issue(
                    invoice, issued_on=issued_on, centre=centre, lines=draft_lines
                )
            except ValidationError as error:
                _record(item, State.FAILED, " ".join(error.messages))
            else:
                ready.append((item, draft_lines, renamed))
        if ready:
            claim = services.claim_numbers(
                kind=Invoice.Kind.INVOICE, year=issued_on.year, count=len(ready)
            )
            if claim is not None:
                ready = ready[: claim[1]]  # the others: a later block
            try:
                # A savepoint: a refused block leaves nothing (no number, no stored PDF).
                with services.pdfs_deleted_on_error(), transaction.atomic():
                    services.rename_students([line for *_r, renamed in ready for line in renamed])
                    services.number_and_store(
                        [(item.invoice, draft_lines) for item, draft_lines, _renamed in ready],
                        claim=claim,
                        issued_on=issued_on,
                        centre=centre,
                    )
                    for item, *_rest in ready:
                        services.send_invoice_email(item.invoice, centre=centre)
            except ValidationError as error:
                for item, *_rest in ready:
                    _record(item, State.FAILED, " ".join(error.messages))
            else:
                for item, *_rest in ready:
                    item.state = State.ISSUED
        done = [item for item in items if item.state != State.PENDING]
        finished_at = timezone.now()
        for item in done:
            item.finished_at = finished_at
        IssueRunItem.objects.bulk_update(done, ["state", "reason", "finished_at"])
    left = [item.pk for item in items if item.state == State.PENDING]
    return {item.run_id for item in done}, left


def _already_issued(invoice: Invoice) -> str:
    return _("Déjà émise (%(number)s) : ignorée.") % {"number": invoice.number}


def _record(item: IssueRunItem, state: str, reason: str) -> None:
    item.state, item.reason = state, reason


def issue_item(item_id: int) -> None:
    """Issues one draft of a run, unless its item is already done."""
    issue_items([item_id])


def _issue_item(item_id: int, *, centre: Centre) -> int | None:
    """The item's run, or None if the item was already done. The item and its draft are
    locked together, in one query."""
    with services.pdfs_deleted_on_error(), transaction.atomic():
        item = (
            IssueRunItem.objects.select_for_update(of=("self", "invoice"))
            .select_related("invoice__family", "invoice__season")
            .filter(pk=item_id, state=State.PENDING)
            .first()
        )
        if item is None:
            return None
        invoice = item.invoice
        if invoice.is_issued:
            _record(item, State.SKIPPED, _already_issued(invoice))
        else:
            try:
                # A savepoint: a refused draft leaves nothing (no number, no stored PDF).
                with services.pdfs_deleted_on_error(), transaction.atomic():
                    services.issue_locked_invoice(
                        invoice, issued_on=timezone.localdate(), centre=centre
                    )
            except ValidationError as error:
                _record(item, State.FAILED, " ".join(error.messages))
            else:
                item.state = State.ISSUED
        item.finished_at = timezone.now()
        item.save(update_fields=["state", "reason", "finished_at"])
    return item.run_id


def finish_if_done(run_id: int) -> None:
    # After the item's commit: the last one to finish sees every other item done.
    if not IssueRunItem.objects.filter(run_id=run_id, state=State.PENDING).exists():
        IssueRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


@dataclass(frozen=True)
class Progress:
    total: int
    issued: int
    skipped: int
    failed: int
    pending: int

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(run: IssueRun) -> Progress:
    counts = IssueRunItem.objects.filter(run=run).aggregate(
        total=Count("pk"), **{state: Count("pk", filter=Q(state=state)) for state in State.values}
    )
    return Progress(
        total=counts["total"],
        issued=counts[State.ISSUED],
        skipped=counts[State.SKIPPED],
        failed=counts[State.FAILED],
        pending=counts[State.PENDING],
    )


def with_counts(queryset):
    """Runs with their items counted: `item_count`, `pending_count`, `failed_count`."""
    return queryset.annotate(
        item_count=Count("items"),
        pending_count=Count("items", filter=Q(items__state=State.PENDING)),
        failed_count=Count("items", filter=Q(items__state=State.FAILED)),
    )


def failures(run: IssueRun) -> list[IssueRunItem]:
    return list(
        run.items.filter(state=State.FAILED)
        .select_related("invoice__family", "invoice__season")
        .prefetch_related("invoice__family__responsables")
    )
