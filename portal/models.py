"""The centre's own identity, shown in the layout and copied into invoices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CentreManager(models.Manager):
    def current(self) -> "Centre":
        """The one centre this portal serves; created with defaults on first use."""
        centre = self.order_by("pk").first()
        if centre is None:
            centre = self.create()
        return centre


class Centre(models.Model):
    name = models.CharField(_("nom"), max_length=200, default="Centre culturel")
    short_name = models.CharField(
        _("nom court"),
        max_length=80,
        default="Conservatoire",
        help_text=_("Affiché dans l'en-tête."),
    )
    address = models.TextField(_("adresse"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    accessibility_contact = models.EmailField(
        _("contact accessibilité"),
        blank=True,
        help_text=_("Adresse à laquelle signaler une difficulté d'accès au portail."),
    )
    logo = models.ImageField(_("logo"), upload_to="centre/", blank=True)
    siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    legal_mentions = models.TextField(
        _("mentions légales des factures"),
        blank=True,
        help_text=_("Statut, TVA non applicable (art. 261 du CGI), pénalités de retard…"),
    )
    payment_instructions = models.TextField(_("modalités de paiement"), blank=True)

    objects = CentreManager()

    class Meta:
        verbose_name = _("centre")
        verbose_name_plural = _("centre")

    def __str__(self) -> str:
        return self.name

    @property
    def contact_email(self) -> str:
        return self.accessibility_contact or self.email
