"""The normal form of a login and the characters of an identifiant (no model imports: the
User model uses them)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IDENTIFIANT_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,149}")


def normalise_login(value: str | None) -> str:
    """NFKC then casefold: the one normal form of identifiants and logins."""
    return unicodedata.normalize("NFKC", value or "").casefold().strip()


def is_identifiant(value: str) -> bool:
    """An identifiant as stored: lower-case ASCII letters, digits, ".", "-", "_"."""
    return IDENTIFIANT_PATTERN.fullmatch(value) is not None


def validate_identifiant(value: str) -> None:
    if not is_identifiant(normalise_login(value)):
        raise ValidationError(
            _(
                "Un identifiant ne contient que des lettres sans accent, des chiffres et les "
                "signes « . », « - » ou « _ », et commence par une lettre ou un chiffre."
            ),
            code="invalid_identifiant",
        )
