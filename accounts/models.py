"""Portal accounts. A family may have several accounts (one per responsable); an account
belongs to at most one family. Staff accounts have no family."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
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
