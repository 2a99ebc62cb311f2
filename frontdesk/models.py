from django.utils.translation import gettext_lazy as _

from accounts import throttling
from accounts.models import User


class LockedAccount(User):
    """The admin's "comptes bloqués": accounts whose login is locked out by the throttling
    (accounts.throttling) right now. Nothing is stored: the list is read from axes' attempts."""

    class Meta:
        proxy = True
        verbose_name = _("compte bloqué")
        verbose_name_plural = _("comptes bloqués")
        default_permissions = ("view",)
        permissions = [
            ("unlock_account", _("Peut débloquer la connexion d'un compte")),
        ]


def locked_accounts(now=None):
    """The accounts locked out now (by the per-pair or per-account limit), one query."""
    return LockedAccount.objects.filter(username__in=throttling.locked_out_usernames(now))
