"""Portal accounts. A family may have several accounts (one per responsable); an account
belongs to at most one family. Staff accounts have no family."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identifiants import normalise_login, validate_identifiant


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Identifiants are case-insensitive.
        return self.get(username__iexact=username)


class User(AbstractUser):
    # Lower-case ASCII only (accounts.identifiants): a login is compared in one normal form
    # at creation, lookup and throttling.
    username = models.CharField(
        _("identifiant"),
        max_length=150,
        unique=True,
        validators=[validate_identifiant],
        help_text=_(
            "Lettres sans accent, chiffres et « . », « - » ou « _ » ; les majuscules sont "
            "enregistrées en minuscules."
        ),
        error_messages={"unique": _("Cet identifiant est déjà utilisé.")},
    )
    family = models.ForeignKey(
        "families.Family",
        verbose_name=_("famille"),
        related_name="accounts",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    responsable = models.OneToOneField(
        "families.Responsable",
        verbose_name=_("responsable"),
        related_name="account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    large_text = models.BooleanField(_("texte agrandi"), default=False)
    high_contrast = models.BooleanField(_("contraste renforcé"), default=False)
    # The account's e-mails are written in it (portal.emails); set on the Accessibilité page,
    # or by switching the portal's language while logged in.
    language = models.CharField(
        _("langue"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Langue des e-mails du portail."),
    )
    # When the portal-access e-mail last went out: sending it again is throttled
    # (accounts.services.grant_portal_access).
    access_sent_at = models.DateTimeField(
        _("accès envoyés le"), null=True, blank=True, editable=False
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message=_(
                    "Cet identifiant est déjà utilisé (majuscules et minuscules ne comptent pas)."
                ),
            ),
        ]

    @classmethod
    def normalize_username(cls, username):
        # Called by clean() (admin forms) and by the manager's create_user().
        return normalise_login(username) if isinstance(username, str) else username

    @property
    def is_family(self) -> bool:
        return self.family_id is not None


class PasswordResetRequest(models.Model):
    """One "mot de passe perdu" request, recorded as typed. The page only records it (the same
    work whether or not an account exists, so its timing tells nothing); looking the account
    up and sending the e-mail is deferred to `manage.py send_password_resets`
    (accounts.services.process_password_resets). The rows are also the throttling state."""

    login = models.CharField(_("identifiant ou e-mail saisi"), max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    sent_to = models.ManyToManyField(
        User, verbose_name=_("envoyé à"), blank=True, related_name="password_reset_requests"
    )

    class Meta:
        verbose_name = _("demande de nouveau mot de passe")
        verbose_name_plural = _("demandes de nouveau mot de passe")
        indexes = [models.Index(fields=["ip_address", "requested_at"])]

    def __str__(self):
        return self.login
