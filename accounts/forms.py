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


class PasswordChangeForm(auth_forms.PasswordChangeForm):
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
