"""Login, login failure and logout in the security log (portal.security_log.log_event).

Never a password or a token: only the normalised login that was typed.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import throttling
from accounts.backends import normalise_login
from portal.client_ip import client_ip_or_none
from portal.security_log import log_event


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    log_event("login_failed", request, login=normalise_login(credentials.get("username")))


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    # A login forgets its account's throttling failures from this address.
    if request is not None:
        throttling.reset_account(user, client_ip_or_none(request))
    log_event("login", request, user=user.pk)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    log_event("logout", request, user=getattr(user, "pk", None))
