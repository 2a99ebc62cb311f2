"""Billing a season's period in one run (docs/billing.md, "La facturation d'une saison").

`start_billing_run` checks the season's grid and refuses a second run for the same season and
period; a background task (`billing.tasks.build_billing_run`) then builds one draft per family
with enrolments that season from `billing.tariffs.compute_family_lines`, one family per
transaction (a task run again after a worker was killed carries on where it stopped). Staff
preview the run (families, total, anomalies), correct or exclude drafts, then issue them with
an issuing run (`billing.runs.start_issue_run`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import runs, services
from billing.billing_run_models import BillingRun, BillingRunFamily, Period
from billing.models import Invoice
from billing.tariffs import YEAR, grid_for
from billing.templatetags.billing import format_euros
from families.models import Family

State = BillingRunFamily.State
# Term shares differ by a few cents (the remainder goes on term 3): not an anomaly.
TERM_TOLERANCE = Decimal("0.02")


def tariff_period(period: str):
    """The period as `compute_family_lines` takes it: "year" or the term as an int."""
    return YEAR if period == Period.YEAR else int(period)


def start_billing_run(*, season, period: str, user=None) -> BillingRun:
    """A run for `season` and `period`; its drafts are built in the background once it
    commits. Refused (ValidationError in French, nothing created) when the season's grid is
    missing or incomplete, or a run not cancelled exists for that season and period."""
    if period not in Period.values:
        raise ValidationError(_("Période inconnue : choisissez l'année ou le trimestre 1, 2 ou 3."))
    grid_for(season)
    with transaction.atomic():
        if (
            BillingRun.objects.filter(season=season, period=period)
            .exclude(status=BillingRun.Status.CANCELLED)
            .exists()
        ):
            raise ValidationError(already_running_message(season, period))
        try:
            with transaction.atomic():
                run = BillingRun.objects.create(season=season, period=period, created_by=user)
        except IntegrityError as error:  # another request started the same run meanwhile
            raise ValidationError(already_running_message(season, period)) from error
        transaction.on_commit(lambda: enqueue_build(run.pk))
    return run


def already_running_message(season, period) -> str:
    return _(
        "La saison %(season)s est déjà facturée pour la période « %(period)s » : annulez "
        "d'abord cette facturation pour en lancer une autre."
    ) % {"season": season, "period": Period(period).label}


def enqueue_build(run_id: int) -> None:
    from billing.tasks import build_billing_run

    build_billing_run.enqueue(run_id)


def resume_build(run: BillingRun) -> bool:
    """Enqueues the build again for a run still building (a worker stopped or killed): the
    families already done are skipped. Returns whether it was."""
    if run.status != BillingRun.Status.BUILDING:
        return False
    transaction.on_commit(lambda: enqueue_build(run.pk))
    return True


def families_to_bill(season):
    """Families with a student enrolled in `season` (and not gone)."""
    return (
        Family.objects.filter(
            students__enrolments__course__season=season, students__left_on__isnull=True
        )
        .distinct()
        .order_by("pk")
    )


def build(run_id: int) -> None:
    """Builds the run's drafts: one transaction per family, families already done skipped."""
    run = BillingRun.objects.select_related("season").get(pk=run_id)
    if run.status != BillingRun.Status.BUILDING:
        return
    grid = grid_for(run.season)
    period = tariff_period(run.period)
    done = set(run.families.values_list("family_id", flat=True))
    for family in list(families_to_bill(run.season).exclude(pk__in=done)):
        build_family(run, family, grid, period)
    BillingRun.objects.filter(pk=run.pk, status=BillingRun.Status.BUILDING).update(
        status=BillingRun.Status.READY, built_at=timezone.now()
    )


def build_family(run: BillingRun, family, grid, period) -> None:
    from billing.tariffs import compute_family_lines

    with transaction.atomic():
        if BillingRun.objects.select_for_update().get(pk=run.pk).status != run.status:
            return  # cancelled meanwhile
        existing = Invoice.objects.filter(
            family=family, season=run.season, billing_period=run.period, kind=Invoice.Kind.INVOICE
        ).first()
        if existing is not None:
            BillingRunFamily.objects.create(
                run=run,
                family=family,
                invoice=None,
                state=State.ALREADY_INVOICED,
                anomalies=[
                    _("Déjà facturée pour cette période : %(invoice)s.") % {"invoice": existing}
                ],
            )
            return
        bill = compute_family_lines(family, run.season, period, grid=grid)
        anomalies = [anomaly.message for anomaly in bill.anomalies]
        if not bill.lines:
            BillingRunFamily.objects.create(
                run=run, family=family, state=State.EMPTY, anomalies=anomalies
            )
            return
        previous = previous_term_amount(family, run)
        current = sum((line.amount for line in bill.lines if line.student is not None), Decimal(0))
        if previous is not None and abs(previous - current) > TERM_TOLERANCE:
            anomalies.append(
                _(
                    "Montant différent du trimestre précédent : %(current)s (hors adhésion) "
                    "contre %(previous)s."
                )
                % {"current": format_euros(current), "previous": format_euros(previous)}
            )
        invoice = services.create_draft_invoice(
            family=family,
            lines=bill.lines,
            season=run.season,
            label=_("%(season)s — %(period)s")
            % {"season": run.season.name, "period": Period(run.period).label},
        )
        invoice.billing_period = run.period
        invoice.save(update_fields=["billing_period"])
        BillingRunFamily.objects.create(
            run=run, family=family, invoice=invoice, state=State.DRAFTED, anomalies=anomalies
        )


def previous_term_amount(family, run: BillingRun) -> Decimal | None:
    """The family's invoice for the previous term of the season, its lines with a student
    (the adhésion set aside): None for the year, term 1, or without such an invoice."""
    if run.period in (Period.YEAR, Period.TERM_1):
        return None
    invoice = (
        Invoice.objects.filter(
            family=family,
            season=run.season,
            billing_period=str(int(run.period) - 1),
            kind=Invoice.Kind.INVOICE,
        )
        .annotate(amount=Sum("lines__amount", filter=Q(lines__student__isnull=False)))
        .first()
    )
    if invoice is None:
        return None
    return invoice.amount or Decimal("0.00")


@dataclass(frozen=True)
class Preview:
    families: list  # BillingRunFamily with `draft_total`
    drafted: int
    total: Decimal
    with_anomalies: list
    excluded: list
    already_invoiced: list
    empty: list


def preview(run: BillingRun) -> Preview:
    """What staff check before issuing: the drafts' live totals (after corrections)."""
    rows = list(
        run.families.select_related("family", "invoice")
        .prefetch_related("family__responsables")
        .annotate(draft_total=Sum("invoice__lines__amount"))
    )
    drafted = [row for row in rows if row.state == State.DRAFTED]
    return Preview(
        families=drafted,
        drafted=len(drafted),
        total=sum((row.draft_total or Decimal(0) for row in drafted), Decimal("0.00")),
        with_anomalies=[row for row in drafted if row.anomalies],
        excluded=[row for row in rows if row.state == State.EXCLUDED],
        already_invoiced=[row for row in rows if row.state == State.ALREADY_INVOICED],
        empty=[row for row in rows if row.state == State.EMPTY],
    )


def exclude_family(run: BillingRun, row_id: int) -> BillingRunFamily:
    """Leaves a family out of the run: its draft is deleted, the family listed as excluded."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status != BillingRun.Status.READY:
            raise ValidationError(
                _("Seule une facturation prête et pas encore émise permet d'exclure une famille.")
            )
        row = run.families.select_for_update().get(pk=row_id)
        if row.state != State.DRAFTED:
            raise ValidationError(_("Cette famille n'a pas de brouillon dans cette facturation."))
        if row.invoice_id is not None:
            invoice = Invoice.objects.get(pk=row.invoice_id)
            if invoice.is_issued:
                raise ValidationError(_("Ce brouillon est déjà émis : il ne peut plus être exclu."))
            runs.check_not_being_issued(invoice)
            row.invoice = None
            row.state = State.EXCLUDED
            row.save(update_fields=["invoice", "state"])
            invoice.delete()
        else:
            row.state = State.EXCLUDED
            row.save(update_fields=["state"])
    return row


def issue(run: BillingRun, user=None):
    """Starts the issuing run over the run's drafts (`billing.runs.start_issue_run`)."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status != BillingRun.Status.READY:
            raise ValidationError(
                _(
                    "Cette facturation ne peut pas être émise : ses brouillons ne sont pas "
                    "prêts, ou elle est déjà émise ou annulée."
                )
            )
        invoice_ids = list(
            run.families.filter(state=State.DRAFTED, invoice__isnull=False).values_list(
                "invoice_id", flat=True
            )
        )
        issue_run = runs.start_issue_run(invoice_ids=invoice_ids, user=user)
        run.issue_run = issue_run
        run.status = BillingRun.Status.ISSUING
        run.save(update_fields=["issue_run", "status"])
    return issue_run


def cancel(run: BillingRun) -> int:
    """Cancels a run not issued: its drafts are deleted (a new run may then bill the period).
    Returns how many drafts were deleted."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (BillingRun.Status.BUILDING, BillingRun.Status.READY):
            raise ValidationError(
                _("Une facturation émise ou déjà annulée ne peut pas être annulée.")
            )
        invoice_ids = list(
            run.families.filter(invoice__isnull=False).values_list("invoice_id", flat=True)
        )
        drafts = Invoice.objects.filter(pk__in=invoice_ids, number__isnull=True)
        if runs.busy_invoice_ids(drafts.values_list("pk", flat=True)):
            raise ValidationError(
                _("Des brouillons de cette facturation sont en cours d'émission.")
            )
        count = drafts.count()
        drafts.delete()
        run.status = BillingRun.Status.CANCELLED
        run.save(update_fields=["status"])
    return count
