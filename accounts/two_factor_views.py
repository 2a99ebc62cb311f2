"""The staff second factor: enrolment (QR code, first code, backup codes) and the login step."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import two_factor
from accounts.forms import EnrolmentCodeForm, SecondFactorForm

BACKUP_CODES_SESSION_KEY = "two_factor_backup_codes"
NEXT_SESSION_KEY = "two_factor_next"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _staff_only(request):
    if not two_factor.needs_second_factor(request.user):
        raise PermissionDenied


def _throttled_error(outcome) -> str:
    return ngettext(
        "Trop de codes erronés : attendez %(seconds)d seconde avant de réessayer.",
        "Trop de codes erronés : attendez %(seconds)d secondes avant de réessayer.",
        outcome.wait_seconds,
    ) % {"seconds": outcome.wait_seconds}


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request):
    """The login's second step, once per session."""
    _staff_only(request)
    next_url = _next_url(request)
    if two_factor.is_verified(request):
        return redirect(next_url)
    if two_factor.confirmed_totp(request.user) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = two_factor.check_code(request, request.user, form.cleaned_data["code"])
        if outcome.device is not None:
            if isinstance(outcome.device, StaticDevice):
                left = two_factor.remaining_backup_codes(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "Code de secours accepté. Il vous en reste %(count)d : retrouvez votre "
                        "application d'authentification ou demandez à un administrateur de "
                        "réinitialiser votre double authentification.",
                        "Code de secours accepté. Il vous en reste %(count)d : retrouvez votre "
                        "application d'authentification ou demandez à un administrateur de "
                        "réinitialiser votre double authentification.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        if outcome.throttled:
            form.add_error("code", _throttled_error(outcome))
        else:
            form.add_error(
                "code",
                _(
                    "Code incorrect. Saisissez le code à 6 chiffres affiché maintenant par "
                    "votre application, ou un de vos codes de secours."
                ),
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrolment: scan the QR code (or type the secret), confirm with a first code, then read
    the backup codes once."""
    _staff_only(request)
    next_url = _next_url(request)
    if two_factor.confirmed_totp(request.user) is not None:
        # Enrolled already: a new device only after a reset by an administrator.
        return redirect(
            next_url
            if two_factor.is_verified(request)
            else _with_next("accounts:two_factor_verify", next_url)
        )
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = two_factor.confirm_enrolment(
            request, request.user, form.cleaned_data["code"]
        )
        if outcome.device is not None:
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            request.session[NEXT_SESSION_KEY] = next_url
            return redirect("accounts:two_factor_backup_codes")
        if outcome.throttled:
            form.add_error("code", _throttled_error(outcome))
        else:
            form.add_error(
                "code",
                _(
                    "Code incorrect. Vérifiez que l'heure de votre téléphone est juste et "
                    "saisissez le code à 6 chiffres affiché maintenant."
                ),
            )
    device = two_factor.pending_totp(request.user)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": two_factor.qr_svg(device, _("QR code à scanner avec l'application")),
        "secret": two_factor.secret_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "account": request.user.get_username(),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
def backup_codes(request):
    """The backup codes, shown once right after enrolment."""
    _staff_only(request)
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    next_url = request.session.pop(NEXT_SESSION_KEY, None) or reverse("admin:index")
    if not codes:
        return redirect(next_url)
    return render(
        request, "accounts/two_factor_backup_codes.html", {"codes": codes, "next": next_url}
    )
