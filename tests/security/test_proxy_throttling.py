"""Behind the reverse proxy every request has the proxy's REMOTE_ADDR (issue 13, item 4).

Before: axes and the security log read REMOTE_ADDR, so five failures from anybody locked a
family out for everybody, and the logged IPs were all the proxy's.
"""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.accounts.helpers import link_in
from tests.factories import UserFactory

PROXY = "127.0.0.1"
ATTACKER, FAMILY = "203.0.113.66", "198.51.100.20"
WRONG = "mauvais-mot-de-passe"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, password, client_ip, username="dupont.marie", sent_header=None):
    """A login through nginx: it appends the address it saw to what the client sent."""
    forwarded = f"{sent_header}, {client_ip}" if sent_header else client_ip
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def shift_attempts(minutes):
    for row in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=row.pk).update(
            attempt_time=row.attempt_time - timedelta(minutes=minutes)
        )


def test_an_attacker_does_not_lock_the_family_out_from_its_own_address(
    client, family_user, password
):
    for _ in range(5):
        attempt(client, WRONG, ATTACKER)
    assert attempt(client, password, ATTACKER).status_code == 429
    assert attempt(client, password, FAMILY).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_forged_header_does_not_give_more_tries(client, family_user, password):
    for number in range(5):
        attempt(client, WRONG, ATTACKER, sent_header=f"192.0.2.{number}")
    assert attempt(client, password, ATTACKER, sent_header="192.0.2.99").status_code == 429


def test_the_security_log_has_the_client_address(client, family_user, password, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        attempt(client, WRONG, ATTACKER, sent_header="192.0.2.1")
        attempt(client, password, FAMILY)
    lines = [record.getMessage() for record in caplog.records]
    assert any("login_failed" in line and f"ip={ATTACKER}" in line for line in lines), lines
    assert any(line.startswith("login:") and f"ip={FAMILY}" in line for line in lines), lines
    assert not any(PROXY in line or "192.0.2.1" in line for line in lines), lines


def test_one_address_trying_many_accounts_is_locked_then_released(client, db, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    for number in range(6):
        attempt(client, WRONG, ATTACKER, username=f"dupont{number}")
    somebody = UserFactory(username="durand.luc")
    assert attempt(client, "Un-Mot-De-Passe-Solide-2026", ATTACKER, "durand.luc").status_code == 429
    assert attempt(client, "Un-Mot-De-Passe-Solide-2026", FAMILY, "durand.luc").status_code == 302
    client.logout()
    shift_attempts(16)
    response = attempt(client, "Un-Mot-De-Passe-Solide-2026", ATTACKER, somebody.username)
    assert response.status_code == 302


def test_an_account_guessed_from_many_addresses_is_locked_for_15_minutes_only(
    client, family_user, password, settings
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    for number in range(8):
        attempt(client, WRONG, f"203.0.113.{number + 1}")
    # Locked from every address, the family's too…
    assert attempt(client, password, FAMILY).status_code == 429
    # …and attempts during the lock do not extend it.
    shift_attempts(14)
    for number in range(8):
        assert attempt(client, WRONG, f"203.0.113.{number + 100}").status_code == 429
    shift_attempts(2)
    assert attempt(client, password, FAMILY).status_code == 302


def test_the_reset_link_works_during_an_account_lock_and_lifts_it(
    client, family_user, password, settings, outbox
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    settings.SITE_URL = "https://portail.example.org"
    for number in range(8):
        attempt(client, WRONG, f"203.0.113.{number + 1}")
    assert attempt(client, password, FAMILY).status_code == 429
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": FAMILY}
    client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"}, **meta)
    (message,) = outbox()
    response = client.get(link_in(message, "/mot-de-passe-perdu/"), follow=True, **meta)
    new = "Un-Tout-Nouveau-Mot-2026"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, **meta
    )
    assert response.status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username="dupont.marie").exists()
    assert attempt(client, new, ATTACKER).status_code == 302


def test_the_familys_login_does_not_give_the_attacker_fresh_tries(client, family_user, password):
    for _ in range(4):
        attempt(client, WRONG, ATTACKER)
    assert attempt(client, password, FAMILY).status_code == 302
    client.logout()
    attempt(client, WRONG, ATTACKER)
    assert attempt(client, password, ATTACKER).status_code == 429
