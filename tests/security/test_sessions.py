from django.conf import settings
from django.test import Client
from django.urls import reverse

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
