"""Messages to families: saved templates, and each sending (a message or a reminder of
missing documents) with one delivery per family, linked to the e-mails queued for it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from families.models import Family
from messaging.placeholders import placeholders_help_lazy, validate_placeholders


class MessageTemplate(models.Model):
    name = models.CharField(_("nom du modèle"), max_length=150, unique=True)
    subject = models.CharField(
        _("objet"),
        max_length=200,
        validators=[validate_placeholders],
        help_text=placeholders_help_lazy(),
    )
    body = models.TextField(
        _("texte"), validators=[validate_placeholders], help_text=placeholders_help_lazy()
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de message")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One sending, by a staff member, to a set of families."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message")
        DOCUMENTS_REMINDER = "documents", _("relance des documents manquants")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    template = models.ForeignKey(
        MessageTemplate,
        verbose_name=_("modèle"),
        related_name="messages",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # The season a reminder of missing documents is about.
    season = models.ForeignKey(
        "students.Season",
        verbose_name=_("saison"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    audience = models.CharField(_("destinataires choisis"), max_length=300)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    sent_at = models.DateTimeField(_("envoyé le"))
    # The form's one-time key: submitting the same form twice sends nothing more.
    token = models.UUIDField(_("clé d'envoi"), unique=True, editable=False)

    class Meta:
        verbose_name = _("message envoyé")
        verbose_name_plural = _("messages envoyés")
        ordering = ["-sent_at", "-pk"]
        permissions = [("send_message", _("Peut envoyer un message aux familles"))]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """What one family received from a message: shown in its history (family's admin page)."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), related_name="deliveries", on_delete=models.CASCADE
    )
    family = models.ForeignKey(
        Family, verbose_name=_("famille"), related_name="deliveries", on_delete=models.CASCADE
    )
    addresses = models.TextField(_("adresses"))
    subject = models.CharField(_("objet"), max_length=250)
    body = models.TextField(_("texte"))
    emails = models.ManyToManyField(
        "post_office.Email", verbose_name=_("e-mails"), related_name="+", blank=True
    )

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("messages et relances reçus")
        ordering = ["-message__sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "family"], name="messaging_one_delivery_per_family"
            )
        ]
        indexes = [models.Index(fields=["family", "message"])]

    def __str__(self) -> str:
        return self.subject


class FamilyMissingDocuments(Family):
    """The families with supporting documents missing for a season (admin list)."""

    class Meta:
        proxy = True
        verbose_name = _("famille à relancer")
        verbose_name_plural = _("documents manquants")
