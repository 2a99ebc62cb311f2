"""Login throttling (django-axes, database handler), counted three ways at once:

- per account and client IP: AXES_FAILURE_LIMIT failures (5) lock that pair;
- per account, from any IP: LOGIN_ACCOUNT_FAILURE_LIMIT failures lock the account (a guess
  spread over many addresses);
- per client IP, over any accounts: LOGIN_IP_FAILURE_LIMIT failures lock the address (one
  password tried on many identifiants).

"Account" is the resolved account whatever alias was typed (accounts.backends.axes_username),
the IP the real client's (portal.client_ip). Every lock ends AXES_COOLOFF_TIME after the
failure that set it (attempts during a lock are not recorded), and a successful password reset
lifts the account's: nobody can keep a family locked out for good.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

# Aligned with AXES_LOCKOUT_PARAMETERS.
LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"], ["ip_address"]]


def limits() -> list[int]:
    return [
        settings.AXES_FAILURE_LIMIT,
        settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
        settings.LOGIN_IP_FAILURE_LIMIT,
    ]


class PortalAxesHandler(AxesDatabaseHandler):
    def locking_attempts(self, request, credentials=None) -> list:
        """The querysets of recent attempts of each lock that is reached."""
        return [
            attempts
            for attempts, limit in zip(
                self.get_user_attempts(request, credentials), limits(), strict=True
            )
            if (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0) >= limit
        ]

    def get_failures(self, request, credentials=None) -> int:
        """The failures of the account from this IP, or the limit when the account or the IP
        has reached its own (larger) limit: axes compares this number with AXES_FAILURE_LIMIT."""
        attempts = self.get_user_attempts(request, credentials)
        pair = attempts[0].aggregate(total=Sum("failures_since_start"))["total"] or 0
        if pair < settings.AXES_FAILURE_LIMIT and self.locking_attempts(request, credentials):
            return settings.AXES_FAILURE_LIMIT
        return pair

    def lock_ends_at(self, request, credentials=None):
        """When the current lock ends at the latest (None when there is none)."""
        last = None
        for attempts in self.locking_attempts(request, credentials):
            time = attempts.aggregate(last=Max("attempt_time"))["last"]
            if time is not None and (last is None or time > last):
                last = time
        return last + settings.AXES_COOLOFF_TIME if last is not None else None


def handler() -> PortalAxesHandler:
    return PortalAxesHandler()


EVERYWHERE = object()


def reset_account(user, ip_address=EVERYWHERE) -> None:
    """Forgets the account's failures: from one IP (a successful login from there: an attacker
    elsewhere gets no fresh tries), or from everywhere (a successful password reset lifts
    every lock of the account). Its IP's failures on other accounts stay."""
    attempts = AccessAttempt.objects.filter(
        username=get_client_username(None, {"username": user.get_username()})
    )
    if ip_address is not EVERYWHERE:
        attempts = attempts.filter(ip_address=ip_address)
    attempts.delete()


def locked_out_usernames(now=None):
    """The throttling keys (normalised identifiants) locked out now, by the per-pair or the
    per-account limit, as one subquery (`username__in=`): the sums PortalAxesHandler compares,
    over the attempts of the last AXES_COOLOFF_TIME. An IP's own lock locks an address, not an
    account: it is not counted here."""
    threshold = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=threshold).order_by()
    by_pair = (
        recent.values("username", "ip_address")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
    )
    by_account = (
        recent.values("username")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
        .values("username")
    )
    return by_pair.union(by_account)


def unlock_account(user) -> int:
    """Lifts every login lock of the account (its failures from any address, through axes'
    own reset); returns how many attempt records were forgotten."""
    return axes_reset(username=get_client_username(None, {"username": user.get_username()}))
