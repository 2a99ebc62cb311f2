"""Billing runs (`billing.billing_runs`): staff bill a season's period in one run that builds a
draft per family, previewed before an issuing run (`billing.runs`) issues them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    YEAR = "year", _("année entière")
    TERM_1 = "1", _("trimestre 1")
    TERM_2 = "2", _("trimestre 2")
    TERM_3 = "3", _("trimestre 3")


class BillingRun(models.Model):
    class Status(models.TextChoices):
        BUILDING = "building", _("brouillons en préparation")
        READY = "ready", _("aperçu prêt")
        ISSUING = "issuing", _("émise")
        CANCELLED = "cancelled", _("annulée")

    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison"),
        related_name="billing_runs",
        on_delete=models.PROTECT,
    )
    period = models.CharField(_("période"), max_length=4, choices=Period.choices)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.BUILDING
    )
    issue_run = models.OneToOneField(
        "billing.IssueRun",
        verbose_name=_("émission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="billing_run",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lancée par"),
    )
    created_at = models.DateTimeField(_("lancée le"), default=timezone.now)
    built_at = models.DateTimeField(_("brouillons prêts le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("facturation d'une saison")
        verbose_name_plural = _("facturations des saisons")
        constraints = [
            # One run per season and period, unless cancelled.
            models.UniqueConstraint(
                fields=["season", "period"],
                condition=~Q(status="cancelled"),
                name="billing_billingrun_one_per_period",
                violation_error_message=_(
                    "Cette saison est déjà facturée pour cette période (une facturation non "
                    "annulée existe)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Facturation %(season)s, %(period)s") % {
            "season": self.season,
            "period": self.get_period_display(),
        }


class BillingRunFamily(models.Model):
    """A family of a run: its draft, or why it has none."""

    class State(models.TextChoices):
        DRAFTED = "drafted", _("brouillon")
        EXCLUDED = "excluded", _("exclue")
        ALREADY_INVOICED = "invoiced", _("déjà facturée pour cette période")
        EMPTY = "empty", _("rien à facturer")

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="families")
    family = models.ForeignKey(
        "families.Family", verbose_name=_("famille"), on_delete=models.CASCADE, related_name="+"
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        verbose_name=_("facture"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices)
    # The anomalies staff look at first (French messages, as computed when the run was built).
    anomalies = models.JSONField(_("anomalies"), default=list, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("famille d'une facturation")
        verbose_name_plural = _("familles d'une facturation")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "family"],
                name="billing_billingrunfamily_once_per_run",
                violation_error_message=_("Cette famille figure déjà dans cette facturation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} — {self.family}"
