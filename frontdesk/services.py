"""Unlocking accounts locked out by the login throttling (accounts.throttling)."""

from accounts import throttling
from frontdesk.models import locked_accounts
from portal.security_log import log_event


def unlock_accounts(accounts, request=None) -> list:
    """Lifts the login locks of `accounts` (their failures from every address are forgotten,
    through axes' reset) and logs `account_unlocked` for each one that was locked. Returns the
    accounts that were locked, in the given order."""
    accounts = list(accounts)
    locked = set(
        locked_accounts().filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True)
    )
    for account in accounts:
        forgotten = throttling.unlock_account(account)
        if account.pk in locked:
            log_event(
                "account_unlocked",
                request,
                account=account.pk,
                family=account.family_id,
                attempts=forgotten,
            )
    return [account for account in accounts if account.pk in locked]
