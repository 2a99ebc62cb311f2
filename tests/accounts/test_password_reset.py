from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse

from tests.accounts.helpers import link_in

NEW_PASSWORD = "Une-Nouvelle-Phrase-2026"


def ask(client, login, **extra):
    return client.post(reverse("accounts:password_reset"), {"login": login}, **extra)


def open_link(client, path):
    """Follows the e-mailed link; Django swaps the token for a session marker first."""
    response = client.get(path, follow=True)
    return response, response.redirect_chain[-1][0] if response.redirect_chain else path


def test_it_resets_the_password_from_the_emailed_link(client, family_user, outbox):
    response = ask(client, "dupont.marie")
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = outbox()
    assert message.to == [family_user.email]
    assert message.subject == "Choisir votre mot de passe du portail des familles"
    assert "dupont.marie" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"

    response, form_url = open_link(client, link_in(message, "/mot-de-passe-perdu/"))
    assert "Choisir un mot de passe" in response.content.decode()
    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Votre mot de passe est enregistré" in response.content.decode()
    assert int(client.session["_auth_user_id"]) == family_user.pk
    family_user.refresh_from_db()
    assert family_user.check_password(NEW_PASSWORD)
    # The family is told its password changed.
    assert outbox()[-1].subject == "Votre mot de passe du portail des familles a été modifié"


def test_it_accepts_the_reference_email(client, family_user, outbox):
    ask(client, family_user.family.reference_email.upper())
    assert len(outbox()) == 1


def test_it_refuses_a_link_used_once_already(client, family_user, outbox):
    ask(client, "dupont.marie")
    path = link_in(outbox()[0], "/mot-de-passe-perdu/")
    _, form_url = open_link(client, path)
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()

    response, _ = open_link(client, path)
    html = response.content.decode()
    assert "Lien expiré ou déjà utilisé" in html
    assert 'href="/mot-de-passe-perdu/"' in html


def test_it_refuses_a_link_older_than_an_hour(client, family_user, outbox, monkeypatch):
    ask(client, "dupont.marie")
    path = link_in(outbox()[0], "/mot-de-passe-perdu/")
    real_now = PasswordResetTokenGenerator._now
    monkeypatch.setattr(
        PasswordResetTokenGenerator,
        "_now",
        lambda self: real_now(self) + timedelta(hours=1, minutes=1),
    )
    response, _ = open_link(client, path)
    assert "Lien expiré ou déjà utilisé" in response.content.decode()


def test_it_accepts_a_link_within_the_hour(client, family_user, outbox, monkeypatch):
    ask(client, "dupont.marie")
    path = link_in(outbox()[0], "/mot-de-passe-perdu/")
    real_now = PasswordResetTokenGenerator._now
    monkeypatch.setattr(
        PasswordResetTokenGenerator, "_now", lambda self: real_now(self) + timedelta(minutes=59)
    )
    response, _ = open_link(client, path)
    assert "Choisir un mot de passe" in response.content.decode()


def test_it_answers_the_same_for_an_unknown_account_and_sends_nothing(client, family_user, outbox):
    known = ask(client, "dupont.marie")
    unknown = ask(client, "personne.inconnue")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(outbox()) == 1
    done = client.get(known["Location"]).content.decode()
    assert "Si un compte correspond" in done


def test_it_builds_the_link_from_the_site_url_not_the_host_header(
    client, family_user, outbox, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    ask(client, "dupont.marie", HTTP_HOST="evil.example")
    message = outbox()[0]
    assert "evil.example" not in message.body
    assert "evil.example" not in message.alternatives[0][0]
    link_in(message, "/mot-de-passe-perdu/")


def test_it_refuses_a_short_password_in_french(client, family_user, outbox):
    ask(client, "dupont.marie")
    _, form_url = open_link(client, link_in(outbox()[0], "/mot-de-passe-perdu/"))
    response = client.post(form_url, {"new_password1": "court-2026", "new_password2": "court-2026"})
    assert "Ce mot de passe est trop court" in response.content.decode()
    family_user.refresh_from_db()
    assert not family_user.check_password("court-2026")


def test_a_password_like_the_identifiant_is_explained_under_the_new_password(
    client, family_user, outbox
):
    from tests.accounts.test_password_change import error_field

    ask(client, "dupont.marie")
    _, form_url = open_link(client, link_in(outbox()[0], "/mot-de-passe-perdu/"))

    html = client.post(
        form_url, {"new_password1": "dupont.marie-2026", "new_password2": "dupont.marie-2026"}
    ).content.decode()
    html = html.replace("\xa0", " ")  # Django's French puts no-break spaces inside « »

    message = "Le mot de passe est trop semblable au champ « identifiant »."
    assert message in html
    assert "utilisateur" not in html
    assert error_field(html, message) == "new_password1"
    short = "Ce mot de passe est trop court"
    html = client.post(
        form_url, {"new_password1": "court-2026", "new_password2": "court-2026"}
    ).content.decode()
    assert error_field(html, short) == "new_password1"
