"""The security log (`portal.security`): one line per event, the same shape everywhere.

    2026-12-02T10:05:29+00:00 WARNING portal.security login_failed: login=dupont.marie ip=…

The time is UTC with its offset (UTCFormatter, set on every handler in settings.LOGGING), then
the event name, then `key=value` fields: the ones given, then `user` (the logged-in account, if
not given) and `ip` (the client's, through portal.client_ip). Values that are not a plain word
are quoted as JSON, so that nothing typed by a visitor (a login with a newline or " ip=…") can
forge a field or a line.

Never a password, a token, a reset link or a session key: the fields that could carry one are
refused outright (ValueError), and callers pass identifiers (account pk, normalised login).
The events are listed in docs/security.md ("Security log").
"""

import json
import logging
import re
from datetime import UTC, datetime

from portal.client_ip import client_ip

logger = logging.getLogger("portal.security")

# Field names that would carry a secret: a programming error, refused before anything is written.
FORBIDDEN_FIELDS = frozenset(
    {"password", "token", "uid", "uidb64", "link", "url", "reset_url", "session", "session_key"}
)
# The events of the portal and their level: the expected ones are INFO, failures and refusals
# WARNING (also the level of an event not listed here, e.g. one added by a new feature).
EVENTS = {
    "login": logging.INFO,
    "logout": logging.INFO,
    "login_failed": logging.WARNING,
    "login_locked_out": logging.WARNING,
    "2fa_failed": logging.WARNING,
    "2fa_verified": logging.INFO,
    "2fa_enrolled": logging.INFO,
    "2fa_reset": logging.WARNING,
    "session_expired": logging.INFO,
    "password_reset_requested": logging.INFO,
    "password_reset_sent": logging.INFO,
    "password_reset_done": logging.INFO,
    "password_changed": logging.INFO,
    "access_sent": logging.INFO,
    "access_revoked": logging.INFO,
    "account_unlocked": logging.INFO,
    "not_found": logging.WARNING,
    "preinscription_received": logging.INFO,
    "preinscription_decided": logging.INFO,
    "preinscription_throttled": logging.WARNING,
    "preinscription_honeypot": logging.WARNING,
    "payment_notification_rejected": logging.WARNING,
}
_PLAIN = re.compile(r"[\w.@:/+-]*", re.ASCII)


class UTCFormatter(logging.Formatter):
    """`%(asctime)s` in UTC, ISO 8601 with an explicit offset: 2026-12-02T10:05:29+00:00."""

    def formatTime(self, record, datefmt=None):
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        return moment.isoformat(timespec="seconds")


def _value(value) -> str:
    text = "" if value is None else str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def log_event(event: str, request=None, *, level: int | None = None, **fields) -> None:
    """Writes one security event, e.g. log_event("2fa_failed", request, user=user.pk).

    `level` defaults to the event's in EVENTS (WARNING for an event not listed)."""
    forbidden = FORBIDDEN_FIELDS & set(fields)
    if forbidden:
        raise ValueError(f"The security log never records {', '.join(sorted(forbidden))}.")
    if "user" not in fields and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["user"] = user.pk
    if "ip" not in fields:
        fields["ip"] = client_ip(request)
    text = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
    # The event goes through %s too: a stray "%" in a value is never a format directive.
    logger.log(level or EVENTS.get(event, logging.WARNING), "%s: %s", event, text)
