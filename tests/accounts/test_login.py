import pytest
from django.urls import reverse

GENERIC_ERROR = "Identifiant ou mot de passe incorrect."


def login(client, username, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def test_it_shows_the_login_page_with_the_first_connection_hint(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Identifiant ou e-mail" in html
    assert 'href="/mot-de-passe-perdu/"' in html
    assert "Première connexion ?" in html


@pytest.mark.parametrize("typed", ["dupont.marie", "DUPONT.Marie", "  dupont.marie  "])
def test_it_logs_in_with_the_identifiant_in_any_case(client, family_user, password, typed):
    response = login(client, typed, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert int(client.session["_auth_user_id"]) == family_user.pk


def test_it_logs_in_with_the_reference_email(client, family_user, password):
    response = login(client, family_user.family.reference_email.upper(), password)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == family_user.pk


def test_it_gives_one_generic_message_for_a_wrong_password_or_unknown_identifiant(
    client, family_user, password
):
    wrong_password = login(client, "dupont.marie", "pas-le-bon-mot-de-passe")
    unknown = login(client, "personne.inconnue", password)
    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert GENERIC_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_account_with_the_same_message(client, family_user, password):
    family_user.is_active = False
    family_user.save()
    assert GENERIC_ERROR in login(client, "dupont.marie", password).content.decode()


def test_it_rotates_the_session_id_at_login(client, family_user, password):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    login(client, "dupont.marie", password)
    assert client.session.session_key != before


def test_it_follows_a_local_next(client, family_user, password):
    response = login(client, "dupont.marie", password, next="/facturation/")
    assert response["Location"] == "/facturation/"


def test_it_refuses_an_open_redirect(client, family_user, password):
    response = login(client, "dupont.marie", password, next="https://evil.example/")
    assert response["Location"] == reverse("portal:home")


def test_it_sends_a_logged_in_visitor_away_from_the_login_page(family_client):
    response = family_client.get(reverse("accounts:login"))
    assert response.status_code == 302
