from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from accounts import two_factor

# What a staff session may open before its second factor: the second-factor pages themselves,
# logging out, the language switch and the health check.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:logout",
    "set_language",
    "portal:health",
}


class StaffSecondFactorMiddleware:
    """A staff account whose session has not passed the second factor is sent to it (or to
    enrolment when it has no device yet) from every page, the admin included. Family accounts
    are not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not two_factor.needs_second_factor(user) or two_factor.is_verified(request):
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if two_factor.confirmed_totp(user) is None:
            target = reverse("accounts:two_factor_setup")
        else:
            target = reverse("accounts:two_factor_verify")
        next_url = request.get_full_path() if request.method == "GET" else ""
        if next_url == resolve_url(settings.LOGIN_REDIRECT_URL):
            # The family home after /connexion/: staff go to the admin.
            next_url = ""
        if next_url:
            target = f"{target}?{urlencode({'next': next_url})}"
        return redirect(target)
