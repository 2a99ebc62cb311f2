import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from portal.sessions import ACTIVITY_KEY, LOGIN_TIME_KEY
from tests.conftest import log_in


def test_a_session_cookie_is_worthless_after_logout(client, family_user, password):
    log_in(client, "dupont.marie", password)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = attacker.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_session_cookies_are_http_only_and_same_site(client, family_user, password):
    log_in(client, "dupont.marie", password)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# Idle and absolute limits (issue 13 item 8).


def _age_session(client, *, idle=None, since_login=None):
    """Moves the session's clocks back, as if time had passed since the last request/login."""
    session = client.session
    if idle is not None:
        session[ACTIVITY_KEY] -= int(idle.total_seconds())
    if since_login is not None:
        session[LOGIN_TIME_KEY] -= int(since_login.total_seconds())
    session.save()


def test_the_default_limits_are_30_minutes_idle_and_8_hours():
    assert (
        timedelta(minutes=30),
        timedelta(hours=8),
    ) == (settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT)
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_a_session_idle_for_more_than_30_minutes_ends_with_a_message(
    client, family_user, password, caplog
):
    log_in(client, "dupont.marie", password)
    _age_session(client, idle=timedelta(minutes=32))
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.get(reverse("families:detail"), REMOTE_ADDR="203.0.113.20")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/famille/"
    page = client.get(response["Location"])
    assert (
        "Votre session a expiré après 30 minutes d&#x27;inactivité : reconnectez-vous."
        in page.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:home")).status_code == 302
    assert f"session_expired: user={family_user.pk} reason=idle ip=203.0.113.20" in caplog.messages


def test_a_session_active_within_30_minutes_goes_on(client, family_user, password):
    log_in(client, "dupont.marie", password)
    for _ in range(3):
        _age_session(client, idle=timedelta(minutes=29))
        assert client.get(reverse("families:detail")).status_code == 200
    # 87 minutes since the login, never 30 idle.
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_idle_timeout_is_a_setting(client, family_user, password, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=10)
    log_in(client, "dupont.marie", password)
    _age_session(client, idle=timedelta(minutes=12))
    response = client.get(reverse("portal:home"), follow=True)
    assert "après 10 minutes d&#x27;inactivité" in response.content.decode()


def test_an_active_session_still_ends_8_hours_after_the_login(client, family_user, password):
    log_in(client, "dupont.marie", password)
    _age_session(client, since_login=timedelta(hours=8, minutes=1))
    response = client.get(reverse("families:detail"), follow=True)
    assert response.redirect_chain[0] == ("/connexion/?next=/famille/", 302)
    assert (
        "Votre session a expiré 8 heures après la connexion : reconnectez-vous."
        in response.content.decode()
    )


def test_a_new_login_restarts_both_clocks(client, family_user, password):
    log_in(client, "dupont.marie", password)
    _age_session(client, idle=timedelta(minutes=40), since_login=timedelta(hours=9))
    client.get(reverse("portal:home"))
    log_in(client, "dupont.marie", password)
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_session_is_not_written_on_every_request(client, family_user, password):
    log_in(client, "dupont.marie", password)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def stored():
        return Session.objects.values_list("session_data", "expire_date").get(session_key=key)

    before = stored()
    for _ in range(3):
        assert client.get(reverse("portal:home")).status_code == 200
    assert stored() == before
    # A minute later, one request records the activity.
    _age_session(client, idle=timedelta(minutes=2))
    aged = stored()
    client.get(reverse("portal:home"))
    assert stored() != aged


def test_an_idle_staff_session_goes_to_the_admin_login(client, staff_user):
    client.force_login(staff_user)
    _age_session(client, idle=timedelta(minutes=45))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session


def test_an_idle_post_is_not_replayed_after_the_login(client, family_user, password):
    log_in(client, "dupont.marie", password)
    _age_session(client, idle=timedelta(minutes=45))
    response = client.post(reverse("accounts:password_change"), {})
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"


def test_both_limits_are_stated_on_the_accessibility_page(client, db):
    page = client.get(reverse("portal:accessibility")).content.decode()
    assert "30 minutes sans activité" in page
    assert "8 heures après la connexion" in page


def test_an_expired_session_on_the_login_page_just_shows_it(client, family_user, password):
    log_in(client, "dupont.marie", password)
    _age_session(client, idle=timedelta(minutes=45))
    response = client.get(reverse("accounts:login"))
    assert response["Location"] == "/connexion/"
    assert "inactivité" in client.get("/connexion/").content.decode()
