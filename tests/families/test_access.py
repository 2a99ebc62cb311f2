"""A login for each responsable: the main contact sends access to the second responsable."""

import html

from django.test import Client

from accounts.models import User
from tests.accounts.helpers import link_in
from tests.conftest import log_in
from tests.factories import UserFactory
from tests.families.factories import second_responsable

SEND = "/famille/acces/envoyer/"
REVOKE = "/famille/acces/retirer/"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_anonymous_visitors_are_sent_to_the_login(client):
    for url in (SEND, REVOKE):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")


def test_without_a_second_responsable_it_is_a_404(family_client):
    assert family_client.post(SEND).status_code == 404
    assert family_client.post(REVOKE).status_code == 404


def test_another_family_cannot_reach_this_familys_second_responsable(other_client, family, outbox):
    second_responsable(family, email="claire@example.org")
    assert other_client.post(SEND).status_code == 404
    assert not User.objects.filter(responsable__family=family, responsable__rank=2).exists()
    assert outbox() == []


def test_the_second_responsable_gets_an_own_login_and_sees_the_same_family(
    family_client, family, outbox, client
):
    claire = second_responsable(family, last_name="Dupont", first_name="Claire", email="c@ex.org")
    page = page_text(family_client.get("/famille/"))
    assert "Envoyer ses accès au portail" in page

    response = family_client.post(SEND, follow=True)
    assert "Les accès au portail ont été envoyés à DUPONT Claire (c@ex.org)." in page_text(response)
    account = User.objects.get(responsable=claire)
    assert (account.username, account.family_id, account.email) == (
        "dupont.claire",
        family.pk,
        "c@ex.org",
    )
    (message,) = outbox()
    assert message.to == ["c@ex.org"]
    assert "dupont.claire" in message.body
    assert "dupont.claire" in page_text(family_client.get("/famille/"))

    # Claire chooses her password from the link, then logs in with her own identifiant.
    family_client.logout()
    response = client.get(link_in(message, "/mot-de-passe-perdu/"), follow=True)
    password = "Le-Mot-De-Passe-De-Claire-2026"
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    client.logout()
    log_in(client, "dupont.claire", password)
    page = page_text(client.get("/famille/"))
    assert 'value="Claire"' in page
    assert 'value="Marie"' in page  # the same family record
    # Only the main contact manages access.
    assert "Envoyer ses accès au portail" not in page
    assert client.post(SEND).status_code == 403


def test_removing_the_access_ends_the_sessions(family_client, family, outbox):
    client = Client()  # Claire's browser (family_client is Marie's)
    claire = second_responsable(family, first_name="Claire", last_name="Martin", email="c@ex.org")
    claire_user = UserFactory(username="claire", family=family, responsable=claire)
    log_in(client, "claire", "Un-Mot-De-Passe-Solide-2026")
    assert client.get("/famille/").status_code == 200

    response = family_client.post(REVOKE, follow=True)
    assert "L'accès au portail de MARTIN Claire est retiré." in page_text(response)
    claire_user.refresh_from_db()
    assert not claire_user.is_active
    assert not claire_user.has_usable_password()
    # Her open session has ended, and she can no longer log in.
    response = client.get("/famille/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    response = client.post(
        "/connexion/", {"username": "claire", "password": "Un-Mot-De-Passe-Solide-2026"}
    )
    assert response.status_code == 200

    # Sending the access again reactivates the account (she chooses a new password).
    family_client.post(SEND)
    claire_user.refresh_from_db()
    assert claire_user.is_active
    assert "claire" in outbox()[-1].body


def test_without_an_email_nothing_is_sent(family_client, family, outbox):
    second_responsable(family, email="")
    response = family_client.post(SEND, follow=True)
    assert "Indiquez d'abord l'e-mail du responsable 2" in page_text(response)
    assert outbox() == []


def test_sending_the_access_twice_sends_one_e_mail(family_client, family, outbox):
    second_responsable(family, last_name="Dupont", first_name="Claire", email="c@ex.org")
    family_client.post(SEND)

    response = family_client.post(SEND, follow=True)

    page = page_text(response)
    assert "Les accès de DUPONT Claire ont déjà été envoyés le " in page
    assert "Un nouvel envoi sera possible à partir du " in page
    assert len(outbox()) == 1
