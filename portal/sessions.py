"""Session limits: an idle timeout and an absolute one, both kept in the session store.

A session ends SESSION_IDLE_TIMEOUT after the last request of its person, and in any case
SESSION_ABSOLUTE_TIMEOUT after the login (Django's SESSION_COOKIE_AGE alone slides on every
save of the session). Both times live in the session itself (never in process memory), so
every worker sees the same state. The last-activity time is written at most once every
ACTIVITY_PRECISION, not on every request: a session is then never ended before its idle
timeout, and at most ACTIVITY_PRECISION after it.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import ngettext

from portal.security_log import log_event

LOGIN_TIME_KEY = "_portal_login_time"
ACTIVITY_KEY = "_portal_last_activity"
ACTIVITY_PRECISION = timedelta(minutes=1)


def idle_minutes() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)


def absolute_hours() -> int:
    return int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)


def idle_message() -> str:
    minutes = idle_minutes()
    return ngettext(
        "Votre session a expiré après %(minutes)d minute d'inactivité : reconnectez-vous.",
        "Votre session a expiré après %(minutes)d minutes d'inactivité : reconnectez-vous.",
        minutes,
    ) % {"minutes": minutes}


def absolute_message() -> str:
    hours = absolute_hours()
    return ngettext(
        "Votre session a expiré %(hours)d heure après la connexion : reconnectez-vous.",
        "Votre session a expiré %(hours)d heures après la connexion : reconnectez-vous.",
        hours,
    ) % {"hours": hours}


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[LOGIN_TIME_KEY] = now
        session[ACTIVITY_KEY] = now


class SessionLimitsMiddleware:
    """Ends a logged-in session that was idle too long or began too long ago, then sends its
    person to the login page with a message saying why. After AuthenticationMiddleware and
    MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request.session)
            if expired:
                return self._end(request, expired)
        return self.get_response(request)

    def _expired(self, session) -> str:
        now = int(time.time())
        login_time = session.get(LOGIN_TIME_KEY)
        last_activity = session.get(ACTIVITY_KEY)
        if login_time is None or last_activity is None:
            # A session opened before these limits existed: they start now.
            session[LOGIN_TIME_KEY] = login_time or now
            session[ACTIVITY_KEY] = now
            return ""
        if now - login_time > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return "absolute"
        idle = now - last_activity
        if idle > (settings.SESSION_IDLE_TIMEOUT + ACTIVITY_PRECISION).total_seconds():
            return "idle"
        if idle >= ACTIVITY_PRECISION.total_seconds():
            # The only write this middleware makes: once a minute of activity at most.
            session[ACTIVITY_KEY] = now
        return ""

    def _end(self, request, reason: str):
        user = request.user
        log_event("session_expired", request, user=user.pk, reason=reason)
        logout(request)
        messages.warning(request, idle_message() if reason == "idle" else absolute_message())
        admin_index = reverse("admin:index")
        login_url = reverse("admin:login") if request.path.startswith(admin_index) else None
        target = resolve_url(login_url or settings.LOGIN_URL)
        if request.method != "GET" or request.path == target:
            return redirect(target)
        return redirect_to_login(request.get_full_path(), login_url)
