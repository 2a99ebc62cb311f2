"""The visitor's IP address, the same for login throttling (django-axes) and the security log.

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address. Each proxy appends the
address it received the request from to X-Forwarded-For (nginx:
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``), so with
TRUSTED_PROXY_COUNT = N the client is the N-th entry from the right. The entries to its left
were sent by the client itself and are never used: a forged header cannot choose the address.
TRUSTED_PROXY_COUNT = 0 (the default, no proxy) ignores the header and reads REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings

UNKNOWN = "unknown"


def _valid_ip(value: str | None) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _forwarded_ip(request, count: int) -> str | None:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if not entries:
        return None
    # Fewer entries than proxies: every entry was added by one of ours, the left-most is the
    # farthest one's view of the client.
    return _valid_ip(entries[-count] if len(entries) >= count else entries[0])


def client_ip_or_none(request) -> str | None:
    """The client's address, or None when the request carries none that can be read."""
    if request is None:
        return None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = _forwarded_ip(request, count)
        if forwarded is not None:
            return forwarded
    return _valid_ip(request.META.get("REMOTE_ADDR"))


def client_ip(request) -> str:
    """The client's address as text for logs ("unknown" when there is none)."""
    return client_ip_or_none(request) or UNKNOWN
