"""The one-time links that let a user choose a password, each with its own lifetime.

- "Mot de passe perdu" (a user asked for it): valid `PASSWORD_RESET_TIMEOUT` (1 hour).
- The portal access e-mail (staff sent it, the family may read it days later): valid
  `ACCESS_LINK_TIMEOUT` (72 hours).

Both open the same page (`accounts:password_reset_confirm`), which accepts either
(`password_link_token_generator`). Each kind is signed with its own salt, so a reset link can
never be passed off as an access link to live longer. Like Django's, a token is single-use: it
signs the password hash and the last login, which the new password changes.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class TimedTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator with a lifetime of its own, read from the setting named
    `timeout_setting` (Django 5.2 reads `PASSWORD_RESET_TIMEOUT` for every generator)."""

    timeout_setting = "PASSWORD_RESET_TIMEOUT"

    @property
    def timeout(self) -> int:
        return getattr(settings, self.timeout_setting)

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= self.timeout


class PasswordResetLinkTokenGenerator(TimedTokenGenerator):
    """The "mot de passe perdu" link (Django's salt: links sent before the split stay valid)."""


class AccessLinkTokenGenerator(TimedTokenGenerator):
    """The link of the portal access e-mail."""

    key_salt = "accounts.tokens.AccessLinkTokenGenerator"
    timeout_setting = "ACCESS_LINK_TIMEOUT"


class PasswordLinkTokenGenerator:
    """What the page that sets the password checks: a token of either kind, each within its
    own lifetime. It makes none."""

    def __init__(self, *generators: TimedTokenGenerator):
        self.generators = generators

    def check_token(self, user, token) -> bool:
        return any(generator.check_token(user, token) for generator in self.generators)

    def make_token(self, user):
        raise NotImplementedError("Make a token with the generator of its kind.")


reset_token_generator = PasswordResetLinkTokenGenerator()
access_token_generator = AccessLinkTokenGenerator()
password_link_token_generator = PasswordLinkTokenGenerator(
    reset_token_generator, access_token_generator
)


def link_validity_hours(kind: str) -> int:
    """The lifetime of a link of this kind ("reset" or "access"), in hours, for the texts."""
    generator = access_token_generator if kind == "access" else reset_token_generator
    return generator.timeout // 3600
