"""Django's password checks, worded as the portal speaks to families."""

from django.contrib.auth import password_validation
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Refuses a password too close to the account's identifiant, names or e-mail, naming the
    attribute as families know it: the username is their "identifiant" (Django would say "nom
    d'utilisateur", the field's verbose name)."""

    LABELS = {"username": _("identifiant"), "email": _("adresse e-mail")}

    def validate(self, password, user=None):
        for attribute in self.user_attributes:
            check = password_validation.UserAttributeSimilarityValidator(
                user_attributes=[attribute], max_similarity=self.max_similarity
            )
            try:
                check.validate(password, user)
            except ValidationError:
                raise ValidationError(
                    self.get_error_message(),
                    code="password_too_similar",
                    params={"verbose_name": self.label(user, attribute)},
                ) from None

    def label(self, user, attribute: str) -> str:
        if attribute in self.LABELS:
            return str(self.LABELS[attribute])
        try:
            return str(user._meta.get_field(attribute).verbose_name)
        except FieldDoesNotExist:
            return attribute
