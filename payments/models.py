"""Online payment attempts and the notifications the payment service sent about them.

An attempt is created when a family starts paying (the amount and the invoices are the server's),
and changes state only on a verified notification (or a verified status lookup), never because
the family's browser came back: the return URL proves nothing. Each notification is kept as
received, with what the portal made of it, for the régie's audit.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment


class PaymentAttemptQuerySet(models.QuerySet):
    def for_family(self, family_id):
        return self.filter(family_id=family_id)


class PaymentAttempt(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("en cours de paiement")
        PAID = "paid", _("payé")
        REFUSED = "refused", _("refusé")
        ABANDONED = "abandoned", _("abandonné")
        ERROR = "error", _("en erreur")

    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="payment_attempts",
        on_delete=models.PROTECT,
    )
    invoices = models.ManyToManyField(
        Invoice, verbose_name=_("factures"), related_name="payment_attempts"
    )
    # Ours, given to the service (PayFiP's REFDET: the invoice's number); unique per attempt.
    reference = models.CharField(_("référence"), max_length=30, unique=True, editable=False)
    # What the service gets as the order's reference: PayFiP's REFDET (the invoice's number, so
    # that the régie finds the title paid), else our reference.
    order_id = models.CharField(_("référence transmise"), max_length=30, editable=False)
    backend = models.CharField(_("service de paiement"), max_length=30, editable=False)
    # The service's (PayFiP's idOp, the dummy's transaction_id), known once the payment is created.
    transaction_id = models.CharField(  # noqa: DJ001
        _("identifiant du service"), max_length=100, unique=True, null=True, editable=False
    )
    amount = models.DecimalField(_("montant"), max_digits=10, decimal_places=2, editable=False)
    subject = models.CharField(_("objet"), max_length=200, editable=False)
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.CREATED, editable=False
    )
    payment = models.OneToOneField(
        Payment,
        verbose_name=_("règlement"),
        related_name="online_attempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
    )
    bank_status = models.CharField(_("statut du service"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lancé par"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True, editable=False)

    objects = PaymentAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("paiement en ligne")
        verbose_name_plural = _("paiements en ligne")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payments_attempt_amount_positive",
                violation_error_message=_("Le montant d'un paiement doit être positif."),
            ),
            models.CheckConstraint(
                condition=Q(state="paid", payment__isnull=False)
                | (~Q(state="paid") & Q(payment__isnull=True)),
                name="payments_paid_attempt_has_payment",
                violation_error_message=_("Un paiement payé a un règlement, et lui seul en a un."),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_finished(self) -> bool:
        return self.state != self.State.CREATED


class PaymentNotification(models.Model):
    """One message from the payment service (server-to-server notification, or the answer to a
    status lookup), kept as received, with what the portal did with it."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("règlement enregistré")
        DUPLICATE = "duplicate", _("déjà traitée (doublon)")
        STATE = "state", _("état mis à jour")
        PENDING = "pending", _("paiement encore en cours")
        REJECTED = "rejected", _("refusée (non conforme)")
        UNVERIFIED = "unverified", _("non vérifiée (service injoignable)")

    attempt = models.ForeignKey(
        PaymentAttempt,
        verbose_name=_("paiement"),
        related_name="notifications",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    source = models.CharField(_("origine"), max_length=20)  # "notification" or "lookup"
    raw = models.TextField(_("message reçu"), blank=True)
    bank_data = models.JSONField(_("données du service"), default=dict, blank=True)
    result = models.CharField(_("résultat du service"), max_length=20, blank=True)
    outcome = models.CharField(_("traitement"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("détail"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("reçue le"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification du service de paiement")
        verbose_name_plural = _("notifications du service de paiement")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.received_at:%d/%m/%Y %H:%M})"
