"""Security events in the `portal.security` log: time (by the formatter), account and IP.

Never a password or a token: only the normalised login that was typed.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import throttling
from accounts.backends import normalise_login
from portal.client_ip import client_ip, client_ip_or_none

log = logging.getLogger("portal.security")


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    log.warning(
        "login failed: login=%s ip=%s",
        normalise_login(credentials.get("username")),
        client_ip(request),
    )


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    # A login forgets its account's throttling failures from this address.
    if request is not None:
        throttling.reset_account(user, client_ip_or_none(request))
    log.info("login: user=%s ip=%s", user.pk, client_ip(request))


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    log.info("logout: user=%s ip=%s", getattr(user, "pk", None), client_ip(request))
