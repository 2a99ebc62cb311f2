"""Connexion, déconnexion, mot de passe perdu and the Mot de passe tab."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import services, throttling
from accounts.backends import normalise_login
from accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from accounts.tokens import password_link_token_generator
from portal.client_ip import client_ip_or_none
from portal.language import follow_account_language
from portal.security_log import log_event


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        follow_account_language(self.request, response, form.get_user())
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes: too many failures for this account (from this address) or this address.
    The form shows what was typed, never the identifiant an e-mail address resolved to."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    log_event("login_locked_out", request, login=normalise_login(typed))
    form = LoginForm(request, data=None, initial={"username": typed})
    context = {"form": form, "locked_out": True, "locked_until": lock_end(request, credentials)}
    return render(request, "accounts/login.html", context, status=429)


def lock_end(request, credentials=None):
    """The local time at which the lock ends, as "10 h 42"."""
    end = throttling.handler().lock_ends_at(request, credentials)
    if end is None:
        return ""
    end = timezone.localtime(end)
    return _("%(hour)d h %(minute)02d") % {"hour": end.hour, "minute": end.minute}


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("accounts:login")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Vous êtes déconnecté(e). À bientôt !"))
        return response


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Recorded only: the account is looked up and the e-mail sent later, so that this page
        # does the same work, and answers the same, whether or not an account exists.
        # The log names no account either: the lookup happens later (send_password_resets).
        log_event(
            "password_reset_requested", request, login=normalise_login(form.cleaned_data["login"])
        )
        with transaction.atomic():
            services.record_password_reset_request(
                login=form.cleaned_data["login"], ip_address=client_ip_or_none(request)
            )
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_request.html", {"form": form})


def password_reset_done(request):
    return render(request, "accounts/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    # A "mot de passe perdu" link or a portal access link, each within its own lifetime.
    token_generator = password_link_token_generator
    post_reset_login = True
    post_reset_login_backend = "accounts.backends.IdentifiantBackend"
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.send_password_changed(form.user)
        log_event("password_reset_done", self.request, user=form.user.pk)
        # A lock-out of the account never outlives a successful reset.
        throttling.reset_account(form.user)
        messages.success(self.request, _("Votre mot de passe est enregistré. Bienvenue !"))
        if form.user.family_id is None:
            return redirect("admin:index")
        return response


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            services.send_password_changed(user)
        log_event("password_changed", request, user=user.pk)
        # Keeps this session; every other session of the account ends with the old hash.
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe a été modifié."))
        return redirect("accounts:password_change")
    return render(request, "accounts/password_change.html", {"form": form})
