"""Issue 13, item 9: the "mot de passe perdu" link lives 1 hour, the portal access link (sent
by staff, maybe read days later) 72 hours; each e-mail and page says so. Before: both lived 72
hours (one generator, `PASSWORD_RESET_TIMEOUT`)."""

from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse

from accounts.services import grant_portal_access
from tests.accounts.helpers import link_in
from tests.factories import FamilyFactory, ResponsableFactory

EXPIRED = "Lien expiré ou déjà utilisé"
FORM = "Choisir un mot de passe"
PASSWORD = "Une-Nouvelle-Phrase-2026"


@pytest.fixture
def move_clock(monkeypatch):
    """Moves the tokens' clock forward by `delta` from now."""
    real_now = PasswordResetTokenGenerator._now

    def move(delta: timedelta) -> None:
        monkeypatch.setattr(
            PasswordResetTokenGenerator, "_now", lambda self: real_now(self) + delta
        )

    return move


def reset_link(client, outbox) -> tuple[str, object]:
    client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"})
    [message] = outbox()
    return link_in(message, "/mot-de-passe-perdu/"), message


def access_link(outbox) -> tuple[str, object]:
    family = FamilyFactory(name="Lefèvre", reference_email="famille.lefevre@example.org")
    ResponsableFactory(family=family, last_name="Lefèvre", first_name="Hélène")
    grant_portal_access(family=family)
    message = outbox()[-1]
    return link_in(message, "/mot-de-passe-perdu/"), message


def opened(client, path) -> str:
    return client.get(path, follow=True).content.decode()


def test_the_reset_link_is_refused_after_one_hour(client, family_user, outbox, move_clock):
    path, _ = reset_link(client, outbox)
    move_clock(timedelta(minutes=59))
    assert FORM in opened(client, path)
    client.cookies.clear()  # a new visit: the link itself is checked again, not the session
    move_clock(timedelta(hours=1, minutes=1))
    assert EXPIRED in opened(client, path)


def test_the_reset_link_opened_in_time_is_refused_when_the_hour_is_over(
    client, family_user, outbox, move_clock
):
    """The link opened at 59 minutes and the form sent at 1 h 01: refused, nothing changes."""
    path, _ = reset_link(client, outbox)
    move_clock(timedelta(minutes=59))
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    move_clock(timedelta(hours=1, minutes=1))
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert EXPIRED in response.content.decode()
    family_user.refresh_from_db()
    assert not family_user.check_password(PASSWORD)


def test_the_access_link_lives_72_hours(client, outbox, move_clock):
    path, _ = access_link(outbox)
    move_clock(timedelta(hours=71))
    response = client.get(path, follow=True)
    assert FORM in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    client.cookies.clear()
    move_clock(timedelta(hours=73))
    assert EXPIRED in opened(client, path)

    # Within its time, it sets the password (and then it is used up).
    client.cookies.clear()
    move_clock(timedelta(hours=71))
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
    )
    assert "Votre mot de passe est enregistré" in response.content.decode()
    client.logout()
    assert EXPIRED in opened(client, path)


def test_a_reset_token_is_no_access_token(client, family_user, outbox, move_clock):
    """The reset link cannot be made to last 72 hours: the kinds are signed apart."""
    from accounts.tokens import access_token_generator, reset_token_generator

    token = reset_token_generator.make_token(family_user)
    assert reset_token_generator.check_token(family_user, token)
    assert not access_token_generator.check_token(family_user, token)
    assert not reset_token_generator.check_token(
        family_user, access_token_generator.make_token(family_user)
    )


def test_the_emails_and_pages_state_each_links_lifetime(client, family_user, outbox):
    _, message = reset_link(client, outbox)
    for body in (message.body, unescape(message.alternatives[0][0])):
        assert "valable 1 heure, utilisable une seule fois" in body
        assert "72 heures" not in body
    page = client.get(reverse("accounts:password_reset")).content.decode()
    assert "valable 1 heure et utilisable une seule fois" in unescape(page)
    done = client.get(reverse("accounts:password_reset_done")).content.decode()
    assert "Le lien est valable 1 heure." in unescape(done)

    _, message = access_link(outbox)
    for body in (message.body, unescape(message.alternatives[0][0])):
        assert "valable 72 heures, utilisable une seule fois" in body
