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

    objects = IssuedQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture ou avoir")
        verbose_name_plural = _("factures et avoirs")
        ordering = ["-issued_on", "-number", "-pk"]
        indexes = [models.Index(fields=["family", "issued_on"])]
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


# The season's tariffs live in their own module; imported here so Django registers them.
from billing.tariff_models import (  # noqa: E402, F401
    Commune,
    Fee,
    Formule,
    InstrumentRental,
    QFBracket,
    Residency,
    TariffGrid,
)
