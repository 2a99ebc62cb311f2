from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Identifiant ou e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "Identifiant ou mot de passe incorrect. À la première connexion, utilisez "
            "« Mot de passe perdu » pour choisir votre mot de passe."
        ),
        "inactive": _("Ce compte est désactivé."),
    }


class PasswordResetRequestForm(forms.Form):
    login = forms.CharField(
        label=_("Identifiant ou e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


NEW_PASSWORD_FIELD, CONFIRMATION_FIELD = "new_password1", "new_password2"


class NewPasswordErrorsMixin:
    """The checks of the new password (too short, too common, too close to the identifiant)
    are shown under the new password, where it is typed, not under its confirmation (Django's
    place for them); the confirmation keeps its own error: the two do not match."""

    def validate_password_for_user(self, user, password_field_name=CONFIRMATION_FIELD):
        # Once the two match (a mismatch is the confirmation's error and is shown alone).
        if password_field_name == CONFIRMATION_FIELD and CONFIRMATION_FIELD in self.cleaned_data:
            password_field_name = NEW_PASSWORD_FIELD
        super().validate_password_for_user(user, password_field_name)


class SetPasswordForm(NewPasswordErrorsMixin, auth_forms.SetPasswordForm):
    """The "choisir un mot de passe" form of the e-mailed link."""


class PasswordChangeForm(NewPasswordErrorsMixin, auth_forms.PasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and not self.errors and self.user.check_password(new):
            self.add_error(
                "new_password1",
                forms.ValidationError(
                    _("Le nouveau mot de passe doit être différent de l’actuel."),
                    code="unchanged",
                ),
            )
        return cleaned


class SecondFactorForm(forms.Form):
    """The code of the authentication application (or, at login, a backup code)."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


class EnrolmentCodeForm(SecondFactorForm):
    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
