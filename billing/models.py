"""Invoices, credit notes, payments and the counters that number them.

An invoice (or credit note) is a draft until issued. Issuing copies into it everything that must
never change afterwards (the family's name and address, the centre's identity, the lines' labels),
gives it the next number of its year from a locked counter row and stores its PDF once, with its
SHA-256. An issued document is never modified or deleted: a mistake is corrected by a credit note
that references the invoice.
"""

import string
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from families.models import Family
from students.models import check_student_of_family

ZERO = Decimal("0.00")
# A date further ahead than this is a typing mistake (2062 for 2026), not a plan.
FAR_FUTURE = timedelta(days=366)


def not_far_future(value: date | None) -> None:
    if value is not None and value > timezone.localdate() + FAR_FUTURE:
        raise ValidationError(_("Cette date est trop loin dans le futur."))


def not_after_today(value: date | None) -> None:
    """A payment is recorded once received: it cannot be dated in the future."""
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("Un règlement ne peut pas être daté après aujourd'hui."))


class IssuedDocumentError(Exception):
    """An issued invoice, credit note or receipt cannot be changed or deleted."""


class DocumentCounter(models.Model):
    """One row per (kind, year): the last number given. Locked with SELECT … FOR UPDATE while a
    document is issued, in the same transaction, so that a rollback gives the number back and
    numbers never skip (a database sequence would skip on rollback)."""

    class Kind(models.TextChoices):
        INVOICE = "FAC", _("Facture")
        CREDIT_NOTE = "AV", _("Avoir")
        RECEIPT = "REG", _("Reçu de règlement")
        CANCELLATION = "ANN", _("Annulation de reçu")
        REFUND = "RMB", _("Remboursement")

    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("année"))
    last_number = models.PositiveIntegerField(_("dernier numéro attribué"), default=0)

    class Meta:
        verbose_name = _("compteur de numérotation")
        verbose_name_plural = _("compteurs de numérotation")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"],
                name="billing_one_counter_per_year",
                violation_error_message=_(
                    "Un compteur existe déjà pour ce type de pièce et cette année."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}{self.kind} : {self.last_number}"


class PaymentMode(models.Model):
    """Chèque, espèces, carte bancaire… Staff may add their own."""

    name = models.CharField(_("nom"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre d'affichage"), default=100)
    is_active = models.BooleanField(_("proposé"), default=True)

    class Meta:
        verbose_name = _("mode de règlement")
        verbose_name_plural = _("modes de règlement")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class IssuedQuerySet(models.QuerySet):
    def for_family(self, family):
        return self.filter(family=family)

    def delete(self):
        if self.filter(number__isnull=False).exists():
            raise IssuedDocumentError("Un document émis ne peut pas être supprimé.")
        return super().delete()


class SnapshotFields(models.Model):
    """What an issued document copies from the family and the centre, once and for all."""

    family_name = models.CharField(_("nom de la famille (copie)"), max_length=200, blank=True)
    family_address = models.TextField(_("adresse de la famille (copie)"), blank=True)
    centre_name = models.CharField(_("centre (copie)"), max_length=200, blank=True)
    centre_address = models.TextField(_("adresse du centre (copie)"), blank=True)
    centre_contact = models.TextField(_("contact du centre (copie)"), blank=True)
    centre_siret = models.CharField(_("SIRET (copie)"), max_length=20, blank=True)
    centre_legal_mentions = models.TextField(_("mentions légales (copie)"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="billing/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)

    class Meta:
        abstract = True

    @property
    def is_issued(self) -> bool:
        return bool(self.number)

    def delete(self, *args, **kwargs):
        if self.is_issued:
            raise IssuedDocumentError("Un document émis ne peut pas être supprimé.")
        return super().delete(*args, **kwargs)


# What `issue_credit_note` stored as a credit note's label before the portal generated it when
# shown (French whatever the reader's language): read as generated (`Invoice.typed_label`).
LEGACY_CREDIT_NOTE_LABEL = "Avoir sur la facture %s"


class InvoiceQuerySet(IssuedQuerySet):
    def with_owed(self):
        """Each invoice's `owed`: what is still owed on it, as `billing.services.invoice_balance`
        counts it (its total, less its issued credit notes, less the payments allocated to it
        whose receipt was not cancelled), in one query whatever the number of rows."""
        money = DecimalField(max_digits=12, decimal_places=2)
        credited = (
            Invoice.objects.filter(credited_invoice=OuterRef("pk"), number__isnull=False)
            .order_by()
            .values("credited_invoice")
            .annotate(sum=Sum("total"))
            .values("sum")
        )
        paid = (
            PaymentAllocation.objects.filter(
                invoice=OuterRef("pk"), payment__cancellation__isnull=True
            )
            .order_by()
            .values("invoice")
            .annotate(sum=Sum("amount"))
            .values("sum")
        )
        return self.annotate(
            owed=F("total")
            - Coalesce(Subquery(credited), Value(ZERO), output_field=money)
            - Coalesce(Subquery(paid), Value(ZERO), output_field=money)
        )

    def overdue(self, on: date):
        """Issued invoices (not credit notes) past their due date on `on` and still owed."""
        return (
            self.filter(kind=Invoice.Kind.INVOICE, number__isnull=False, due_on__lt=on)
            .with_owed()
            .filter(owed__gt=0)
        )


class Invoice(SnapshotFields):
    """An invoice, or a credit note (kind AV) that references the invoice it corrects."""

    class Kind(models.TextChoices):
        INVOICE = "FAC", _("Facture")
        CREDIT_NOTE = "AV", _("Avoir")

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="invoices",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices, default=Kind.INVOICE)
    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison"),
        related_name="invoices",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("facture corrigée"),
        related_name="credit_notes",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    # As staff typed it. Empty: the portal generates one when shown, in the reader's language
    # (`typed_label`, `subject`, `ledger_label`).
    label = models.CharField(
        _("libellé"), max_length=200, blank=True, help_text=_("Ex. Cotisations 2026-2027")
    )
    # NULL while a draft: several drafts coexist, and UNIQUE ignores NULLs (an empty string would
    # collide).
    number = models.CharField(  # noqa: DJ001
        _("numéro"), max_length=20, unique=True, null=True, editable=False
    )
    issued_on = models.DateField(_("date d'émission"), null=True, blank=True, editable=False)
    due_on = models.DateField(
        _("date d'échéance"), null=True, blank=True, validators=[not_far_future]
    )
    payment_instructions = models.TextField(_("modalités de paiement (copie)"), blank=True)
    total = models.DecimalField(
        _("total"), max_digits=10, decimal_places=2, default=ZERO, editable=False
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    # The period a billing run made it for ("year", "1", "2", "3"; `Period`); empty otherwise.
    billing_period = models.CharField(
        _("période facturée"), max_length=4, blank=True, default="", editable=False
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture ou avoir")
        verbose_name_plural = _("factures et avoirs")
        ordering = ["-issued_on", "-number", "-pk"]
        indexes = [
            models.Index(fields=["family", "issued_on"]),
            # Issuing checks that no invoice of its kind is dated later (numbers follow dates).
            models.Index(fields=["kind", "issued_on"], name="billing_invoice_kind_issued"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0),
                name="billing_invoice_total_not_negative",
                violation_error_message=_(
                    "Le total d'une facture ou d'un avoir ne peut pas être négatif."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(issued_on__isnull=False),
                name="billing_issued_invoice_has_date",
                violation_error_message=_("Une pièce numérotée doit avoir une date d'émission."),
            ),
            models.CheckConstraint(
                condition=Q(kind="FAC", credited_invoice__isnull=True)
                | Q(kind="AV", credited_invoice__isnull=False),
                name="billing_credit_note_references_invoice",
                violation_error_message=_(
                    "Un avoir doit indiquer la facture qu'il corrige ; "
                    "une facture n'en indique aucune."
                ),
            ),
            # A family is billed once per season and period by the billing runs.
            models.UniqueConstraint(
                fields=["family", "season", "billing_period"],
                condition=Q(kind="FAC") & ~Q(billing_period=""),
                name="billing_invoice_once_per_family_period",
                violation_error_message=_(
                    "Cette famille a déjà une facture pour cette saison et cette période."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number or gettext("%(kind)s (brouillon n° %(pk)s)") % {
            "kind": self.get_kind_display(),
            "pk": self.pk,
        }

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def typed_label(self) -> str:
        """The label staff typed, as typed; "" when the portal generates it. Credit notes issued
        before labels were generated when shown keep their stored French one (issued rows never
        change): it is recognised here as generated."""
        if (
            self.is_credit_note
            and self.credited_invoice_id
            and self.label == LEGACY_CREDIT_NOTE_LABEL % self.credited_invoice.number
        ):
            return ""
        return self.label

    @property
    def subject(self) -> str:
        """The "Objet": what staff typed, as typed; else, for a credit note, a label the portal
        generates in the reader's language (an empty stored label means "generated")."""
        if self.typed_label:
            return self.typed_label
        if self.is_credit_note and self.credited_invoice_id:
            return gettext("Avoir sur la facture %(number)s") % {
                "number": self.credited_invoice.number
            }
        return ""

    @property
    def ledger_label(self) -> str:
        credited = self.credited_invoice.number if self.credited_invoice else None
        return self.ledger_label_for(self.kind, self.label, credited)

    @classmethod
    def ledger_label_for(cls, kind: str, label: str, credited_number: str | None) -> str:
        """The ledger's "Libellé", from the values the ledger reads (no instance needed): the
        portal's own labels in the reader's language, the label staff typed as typed."""
        if kind == cls.Kind.CREDIT_NOTE:
            if credited_number:
                return gettext("AVOIR sur %(number)s") % {"number": credited_number}
            return gettext("AVOIR")
        return label or gettext("FACTURE")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("facture"), related_name="lines", on_delete=models.CASCADE
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("élève"),
        related_name="invoice_lines",
        on_delete=models.PROTECT,  # a student leaves (archived): the line keeps its student
        null=True,
        blank=True,
    )
    discipline = models.ForeignKey(
        "students.Discipline",
        verbose_name=_("discipline"),
        related_name="invoice_lines",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Copied at issue time (and kept even if the student or discipline is renamed or deleted).
    student_name = models.CharField(_("élève (copie)"), max_length=200, blank=True)
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    # A reduction (sibling, several disciplines) is a line of its own, negative or zero, so the
    # family reads how its amount was made; every other line is positive or zero.
    is_reduction = models.BooleanField(
        _("réduction"),
        default=False,
        db_default=False,
        help_text=_("Montant négatif : réduction fratrie, plusieurs disciplines…"),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["invoice", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0, is_reduction=False)
                | Q(amount__lte=0, is_reduction=True),
                name="billing_line_amount_sign",
                violation_error_message=_(
                    "Le montant d'une ligne ne peut pas être négatif, sauf pour une réduction "
                    "(toujours négative ou nulle)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        # The invoice may be unsaved (a new draft in admin): the inline form sets it.
        invoice = Invoice.lines.field.get_cached_value(self, None) or (
            Invoice.objects.only("family").filter(pk=self.invoice_id).first()
        )
        if invoice is not None:
            check_student_of_family(self.student, invoice.family_id)


class Payment(SnapshotFields):
    """A payment received from a family; recorded and numbered at once, with its receipt.

    A receipt is never changed or deleted. Its counter-entries are rows of this table too, each
    with its own number and PDF, amounts positive and counted against the family:
    the cancellation of a receipt (kind ANN, `cancelled_payment`, a reason), and the refund of an
    overpayment (kind RMB, a reason). Like invoices and credit notes, one table keeps the ledger
    and the balance to one query each.
    """

    class Kind(models.TextChoices):
        RECEIPT = "REG", _("Règlement")
        CANCELLATION = "ANN", _("Annulation de reçu")
        REFUND = "RMB", _("Remboursement")

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="payments",
        on_delete=models.PROTECT,
    )
    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison"),
        related_name="payments",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    kind = models.CharField(
        _("type"), max_length=3, choices=Kind.choices, default=Kind.RECEIPT, editable=False
    )
    cancelled_payment = models.OneToOneField(
        "self",
        verbose_name=_("reçu annulé"),
        related_name="cancellation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    # Numbered when recorded (a payment has no draft state).
    number = models.CharField(_("numéro de reçu"), max_length=20, unique=True, editable=False)
    received_on = models.DateField(_("date du règlement"), validators=[not_after_today])
    mode = models.ForeignKey(
        PaymentMode, verbose_name=_("mode de règlement"), on_delete=models.PROTECT
    )
    mode_name = models.CharField(_("mode de règlement (copie)"), max_length=80, blank=True)
    amount = models.DecimalField(
        _("montant"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reference = models.CharField(
        _("référence"), max_length=100, blank=True, help_text=_("N° de chèque, de transaction…")
    )
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    objects = IssuedQuerySet.as_manager()

    class Meta:
        verbose_name = _("règlement")
        verbose_name_plural = _("règlements")
        ordering = ["-received_on", "-number", "-pk"]
        indexes = [models.Index(fields=["family", "received_on"])]
        permissions = [
            ("cancel_payment", _("Peut annuler un reçu de règlement")),
            ("refund_payment", _("Peut rembourser un trop-perçu")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="billing_payment_positive",
                violation_error_message=_("Le montant d'un règlement doit être supérieur à zéro."),
            ),
            models.CheckConstraint(
                condition=Q(kind="REG", cancelled_payment__isnull=True)
                | Q(kind="ANN", cancelled_payment__isnull=False)
                | Q(kind="RMB", cancelled_payment__isnull=True),
                name="billing_cancellation_references_receipt",
                violation_error_message=_(
                    "Une annulation porte sur un reçu ; un reçu ou un remboursement n'en annule "
                    "aucun."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="REG") | ~Q(reason=""),
                name="billing_correction_has_reason",
                violation_error_message=_("Indiquez le motif de l'annulation ou du remboursement."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or gettext("Règlement %(pk)s") % {"pk": self.pk}

    @property
    def is_receipt(self) -> bool:
        return self.kind == self.Kind.RECEIPT

    def cancellation_or_none(self) -> "Payment | None":
        """This receipt's cancellation, if it was cancelled."""
        try:
            return self.cancellation
        except Payment.DoesNotExist:
            return None

    @property
    def ledger_label(self) -> str:
        cancelled = self.cancelled_payment.number if self.cancelled_payment_id else None
        return self.ledger_label_for(self.kind, self.reference, cancelled)

    @classmethod
    def ledger_label_for(cls, kind: str, reference: str, cancelled_number: str | None) -> str:
        """The ledger's "Libellé", in the reader's language (never stored)."""
        if kind == cls.Kind.CANCELLATION:
            return gettext("ANNULATION du reçu %(number)s") % {"number": cancelled_number}
        label = gettext("REMBOURSEMENT") if kind == cls.Kind.REFUND else gettext("RÈGLEMENT")
        return label + (f" ({reference})" if reference else "")


class PaymentAllocation(models.Model):
    """The part of a payment that settles a given invoice."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("règlement"), related_name="allocations", on_delete=models.CASCADE
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("facture"), related_name="allocations", on_delete=models.PROTECT
    )
    amount = models.DecimalField(_("montant affecté"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("affectation de règlement")
        verbose_name_plural = _("affectations de règlement")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="billing_allocation_positive",
                violation_error_message=_("Le montant affecté doit être supérieur à zéro."),
            ),
            models.UniqueConstraint(
                fields=["payment", "invoice"],
                name="billing_one_allocation_per_invoice",
                violation_error_message=_("Ce règlement est déjà affecté à cette facture."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment} → {self.invoice}"


class PaymentReminder(models.Model):
    """A reminder e-mail sent to a family about its overdue invoices (`billing.reminders`):
    what it listed (`items`, one per invoice), at which level, when and for how much."""

    class Level(models.IntegerChoices):
        FIRST = 1, _("Première relance")
        SECOND = 2, _("Deuxième relance")

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="payment_reminders",
        on_delete=models.PROTECT,
    )
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now, db_index=True)
    amount_due = models.DecimalField(_("montant dû"), max_digits=10, decimal_places=2)
    invoices = models.ManyToManyField(
        Invoice,
        verbose_name=_("factures"),
        through="PaymentReminderItem",
        related_name="payment_reminders",
    )

    class Meta:
        verbose_name = _("relance de paiement")
        verbose_name_plural = _("relances de paiement")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[1, 2]),
                name="billing_reminder_level_known",
                violation_error_message=_("Le niveau d'une relance est 1 ou 2."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(level)s du %(date)s") % {
            "level": self.get_level_display(),
            "date": timezone.localtime(self.sent_at).date().strftime("%d/%m/%Y"),
        }


class PaymentReminderItem(models.Model):
    """One overdue invoice listed in a reminder, with what it still owed then. Its level is the
    reminder's, copied so that the database refuses a second reminder of one level for one
    invoice."""

    reminder = models.ForeignKey(
        PaymentReminder,
        verbose_name=_("relance"),
        related_name="items",
        on_delete=models.CASCADE,
    )
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("facture"),
        related_name="reminder_items",
        on_delete=models.PROTECT,
    )
    level = models.PositiveSmallIntegerField(_("niveau"), choices=PaymentReminder.Level.choices)
    amount_due = models.DecimalField(_("reste dû"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("facture relancée")
        verbose_name_plural = _("factures relancées")
        ordering = ["reminder", "invoice__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "level"],
                name="billing_one_reminder_per_level",
                violation_error_message=_(
                    "Cette facture a déjà fait l'objet d'une relance de ce niveau."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reminder} : {self.invoice}"


# Kinds of Payment rows that count against the family: a receipt's cancellation, a refund.
REVERSAL_KINDS = (Payment.Kind.CANCELLATION, Payment.Kind.REFUND)


def accounted(*, invoices: Q | None = None, payments: Q | None = None):
    """What a family's balance counts: issued invoices and credit notes (never drafts) and
    payments with their cancellations and refunds; `invoices` and `payments` narrow them (a
    ledger's filters)."""
    issued = Invoice.objects.filter(number__isnull=False).filter(invoices or Q())
    return issued, Payment.objects.filter(payments or Q())


def balance_of(billed, credited, paid, reversals):
    """A family's balance from its sums (numbers or query expressions): positive, the family
    owes it; negative, the family has a credit. `paid` counts the receipts (cancelled ones too),
    `reversals` their cancellations and the refunds."""
    return billed - credited - paid + reversals


def _family_sum(queryset, field: str):
    """The sum of `field` over the family's rows of `queryset` (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.filter(family=OuterRef("pk"))
            .order_by()
            .values("family")
            .annotate(total=Sum(field))
            .values("total")
        ),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


class FamilyAccountQuerySet(models.QuerySet):
    def with_totals(self):
        """Each family's account (the staff's list of accounts, sortable by balance): `billed`
        (issued invoices), `credited` (issued credit notes), `paid` (receipts), `reversals`
        (cancellations and refunds) and `balance` (`balance_of`), over what `accounted` counts."""
        issued, paid = accounted()
        return self.annotate(
            billed=_family_sum(issued.filter(kind=Invoice.Kind.INVOICE), "total"),
            credited=_family_sum(issued.filter(kind=Invoice.Kind.CREDIT_NOTE), "total"),
            paid=_family_sum(paid.filter(kind=Payment.Kind.RECEIPT), "amount"),
            reversals=_family_sum(paid.filter(kind__in=REVERSAL_KINDS), "amount"),
        ).annotate(balance=balance_of(F("billed"), F("credited"), F("paid"), F("reversals")))


def account_totals(family, *, invoices: Q | None = None, payments: Q | None = None) -> dict:
    """`with_totals` of one family (the Facturation tab, the Accueil card), as two aggregates:
    building `with_totals`'s subqueries costs more than 10 % of the Accueil page."""
    issued, paid = accounted(invoices=invoices, payments=payments)
    sums = issued.filter(family=family).aggregate(
        billed=Sum("total", filter=Q(kind=Invoice.Kind.INVOICE), default=ZERO),
        credited=Sum("total", filter=Q(kind=Invoice.Kind.CREDIT_NOTE), default=ZERO),
    )
    sums |= paid.filter(family=family).aggregate(
        paid=Sum("amount", filter=Q(kind=Payment.Kind.RECEIPT), default=ZERO),
        reversals=Sum("amount", filter=Q(kind__in=REVERSAL_KINDS), default=ZERO),
    )
    return {**sums, "balance": balance_of(**sums)}


class FamilyAccount(Family):
    """A family seen from the accounts department: its ledger and balance (admin only)."""

    objects = FamilyAccountQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("compte famille")
        verbose_name_plural = _("comptes familles")


MODEL_FOR_KIND = {
    DocumentCounter.Kind.INVOICE: Invoice,
    DocumentCounter.Kind.CREDIT_NOTE: Invoice,
    DocumentCounter.Kind.RECEIPT: Payment,
    DocumentCounter.Kind.CANCELLATION: Payment,
    DocumentCounter.Kind.REFUND: Payment,
}


def model_for_number(number: str) -> type[Invoice] | type[Payment] | None:
    """The model a document number belongs to, from its kind: `2026AV0003` is a credit note,
    an Invoice row; `2026REG0012` a Payment's receipt, `2026ANN0001` (a receipt's cancellation) and
    `2026RMB0001` (a refund) Payment rows too (numbers: year, kind, sequence)."""
    return MODEL_FOR_KIND.get(number[4:].rstrip(string.digits))


def staff_may_open_pdf(user, model: type[Invoice] | type[Payment]) -> bool:
    """Staff open an invoice's or credit note's PDF with the invoices' view permission, a
    receipt's, cancellation's or refund's with the payments' (as the admin: change implies
    view)."""
    opts = model._meta
    return (
        user.is_active
        and user.is_staff
        and (
            user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )
    )


class IssueRun(models.Model):
    """A set of drafts issued in the background (`billing.runs`): one item per draft, each
    issued by its own task; the run's progress is read from its items."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lancée par"),
    )
    created_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("émission de factures")
        verbose_name_plural = _("émissions de factures")

    def __str__(self) -> str:
        return gettext("Émission n° %(number)s") % {"number": self.pk}


class IssueRunItem(models.Model):
    """One draft of a run, and what became of it."""

    class State(models.TextChoices):
        PENDING = "pending", _("à émettre")
        ISSUED = "issued", _("émise")
        SKIPPED = "skipped", _("déjà émise, ignorée")
        FAILED = "failed", _("non émise")

    run = models.ForeignKey(IssueRun, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="run_items", verbose_name=_("facture")
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("motif"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("facture d'une émission")
        verbose_name_plural = _("factures d'une émission")
        indexes = [
            # A run's progress, and whether it is done, after each task: counted by state.
            models.Index(fields=["run", "state"], name="billing_issuerunitem_run_state"),
        ]
        constraints = [
            # A draft is issued by one run at a time: a second run over it is refused.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(state="pending"),
                name="billing_issuerunitem_one_pending_per_invoice",
                violation_error_message=_("Ce brouillon est déjà en cours d'émission."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} — {self.invoice}"


def mask_iban(iban: str) -> str:
    """An IBAN as shown everywhere but to permitted staff: its country and check digits, then
    its last 4 characters (FR76 •••• •••• 1234)."""
    compact = (iban or "").replace(" ", "").upper()
    if len(compact) < 8:
        return "••••"
    return f"{compact[:4]} •••• •••• {compact[-4:]}"


class SepaMandateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class SepaMandate(models.Model):
    """A SEPA Direct Debit (CORE) mandate signed online by a responsable. Never deleted: a
    revoked mandate stays, with its revocation date, and a new one (new RUM) replaces it."""

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="sepa_mandates",
        on_delete=models.PROTECT,
    )
    # Référence Unique de Mandat: PF-<family>-<sequence of the family's mandates>.
    rum = models.CharField(_("RUM"), max_length=35, unique=True, editable=False)
    account_holder = models.CharField(_("titulaire du compte"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    creditor_name = models.CharField(_("créancier (copie)"), max_length=200)
    creditor_id = models.CharField(_("ICS du créancier (copie)"), max_length=35)
    mandate_text = models.TextField(_("texte du mandat signé"))
    signed_at = models.DateTimeField(_("signé le"))
    signed_ip = models.CharField(_("adresse IP de signature"), max_length=45)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signé par (compte)"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    signer_name = models.CharField(_("signataire"), max_length=200)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("révoqué par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    pdf = models.FileField(_("PDF"), upload_to="billing/mandats/", blank=True, editable=False)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)

    objects = SepaMandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandat de prélèvement SEPA")
        verbose_name_plural = _("mandats de prélèvement SEPA")
        ordering = ["-signed_at", "-pk"]
        permissions = [("view_full_iban", _("Peut voir l'IBAN complet des mandats"))]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(revoked_at__isnull=True),
                name="billing_one_active_mandate_per_family",
                violation_error_message=_("Cette famille a déjà un mandat de prélèvement actif."),
            ),
        ]

    def __str__(self) -> str:
        return self.rum

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def masked_iban(self) -> str:
        return mask_iban(self.iban)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError("Un mandat signé ne peut pas être supprimé.")


class SepaExport(models.Model):
    """One pain.008.001.02 file staff exported for a due date, kept as produced."""

    due_on = models.DateField(_("échéance"))
    collection_on = models.DateField(_("date de prélèvement demandée"))
    message_id = models.CharField(_("identifiant du message"), max_length=35, unique=True)
    xml = models.FileField(_("fichier pain.008"), upload_to="billing/sepa/", editable=False)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    count = models.PositiveIntegerField(_("nombre de prélèvements"))
    created_at = models.DateTimeField(_("exporté le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exporté par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("export de prélèvements SEPA")
        verbose_name_plural = _("exports de prélèvements SEPA")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message_id


class SepaDebit(models.Model):
    """One family's debit in an export: recorded at once as a payment (mode "Prélèvement")
    allocated to the invoices it settles; a rejection by the bank cancels that receipt."""

    class Sequence(models.TextChoices):
        FIRST = "FRST", _("Premier prélèvement (FRST)")
        RECURRING = "RCUR", _("Prélèvement récurrent (RCUR)")

    class RejectCode(models.TextChoices):
        AC01 = "AC01", _("AC01 — IBAN incorrect")
        AC04 = "AC04", _("AC04 — compte clôturé")
        AC06 = "AC06", _("AC06 — compte bloqué")
        AG01 = "AG01", _("AG01 — prélèvement interdit sur ce compte")
        AM04 = "AM04", _("AM04 — provision insuffisante")
        MD01 = "MD01", _("MD01 — pas de mandat valide")
        MD06 = "MD06", _("MD06 — remboursement demandé par le débiteur")
        MD07 = "MD07", _("MD07 — débiteur décédé")
        MS02 = "MS02", _("MS02 — refusé par le débiteur")
        MS03 = "MS03", _("MS03 — raison non communiquée")
        SL01 = "SL01", _("SL01 — service spécifique de la banque du débiteur")

    export = models.ForeignKey(
        SepaExport, verbose_name=_("export"), related_name="debits", on_delete=models.PROTECT
    )
    mandate = models.ForeignKey(
        SepaMandate, verbose_name=_("mandat"), related_name="debits", on_delete=models.PROTECT
    )
    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="sepa_debits",
        on_delete=models.PROTECT,
    )
    payment = models.OneToOneField(
        Payment, verbose_name=_("règlement"), related_name="sepa_debit", on_delete=models.PROTECT
    )
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)
    sequence_type = models.CharField(_("séquence"), max_length=4, choices=Sequence.choices)
    rejected_on = models.DateField(_("rejeté le"), null=True, blank=True)
    reject_code = models.CharField(
        _("motif du rejet"), max_length=4, choices=RejectCode.choices, blank=True
    )

    class Meta:
        verbose_name = _("prélèvement SEPA")
        verbose_name_plural = _("prélèvements SEPA")
        ordering = ["-export__created_at", "family__name", "pk"]

    def __str__(self) -> str:
        return f"{self.payment.number} ({self.mandate.rum})"

    @property
    def is_rejected(self) -> bool:
        return self.rejected_on is not None


class PaymentSchedule(models.Model):
    """How a family pays an issued invoice (its échéancier): at once, by term or by monthly
    direct debit; its instalments total the invoice to the cent. Not part of the issued
    document: the family may change it until something was paid on the invoice."""

    class Plan(models.TextChoices):
        ONCE = "once", _("En une fois, à l'échéance de la facture")
        TERMS = "terms", _("Par trimestre (3 échéances)")
        MONTHLY = "monthly", _("Prélèvement mensuel (jusqu'à 10 échéances)")

    invoice = models.OneToOneField(
        Invoice, verbose_name=_("facture"), related_name="schedule", on_delete=models.PROTECT
    )
    plan = models.CharField(_("modalité de paiement"), max_length=10, choices=Plan.choices)
    chosen_at = models.DateTimeField(_("choisi le"), auto_now=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("choisi par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("échéancier")
        verbose_name_plural = _("échéanciers")

    def __str__(self) -> str:
        return f"{self.invoice} — {self.get_plan_display()}"


class Instalment(models.Model):
    schedule = models.ForeignKey(
        PaymentSchedule,
        verbose_name=_("échéancier"),
        related_name="instalments",
        on_delete=models.CASCADE,
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    due_on = models.DateField(_("échéance"))
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["schedule", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "position"],
                name="billing_one_instalment_per_position",
                violation_error_message=_("Cette échéance existe déjà."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="billing_instalment_not_negative",
                violation_error_message=_("Le montant d'une échéance ne peut pas être négatif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} : {self.amount}"


# The season's tariffs live in their own module; imported here so Django registers them.
from billing.billing_run_models import BillingRun, BillingRunFamily, Period  # noqa: E402, F401
from billing.tariff_models import (  # noqa: E402, F401
    Commune,
    Fee,
    Formule,
    InstrumentRental,
    QFBracket,
    Residency,
    TariffGrid,
)
