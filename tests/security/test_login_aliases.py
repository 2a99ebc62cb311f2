"""Login throttling counts the resolved account, whatever alias was typed (issue 13, item 3).

Before: the lock counted the typed string, so after 5 failures on "dupont.marie" its e-mail,
the family's reference e-mail or a Unicode variant each got 5 more tries.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.backends import normalise_login, users_for_login
from tests.factories import ResponsableFactory, UserFactory

IP = "203.0.113.7"
WRONG = "mauvais-mot-de-passe"


def attempt(client, username, password, ip=IP):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def second_account(family_user):
    """Responsable 2 of the same family, with an own address: the family's reference e-mail
    names both accounts."""
    responsable = ResponsableFactory(family=family_user.family, rank=2, email="paul@example.org")
    return UserFactory(
        username="dupont.paul",
        family=family_user.family,
        responsable=responsable,
        email=responsable.email,
    )


def aliases(user):
    return {
        "upper case": "DUPONT.MARIE",
        "full-width letters (NFKC)": "ｄｕｐｏｎｔ.ｍａｒｉｅ",
        "account e-mail": user.email.upper(),
        "family reference e-mail": user.family.reference_email,
    }


@pytest.mark.parametrize(
    "alias",
    ["upper case", "full-width letters (NFKC)", "account e-mail", "family reference e-mail"],
)
def test_after_five_failures_no_alias_gets_more_tries(
    client, family_user, second_account, password, alias
):
    family_user.email = "marie@example.org"  # its own address besides the reference one
    family_user.save()
    for _ in range(5):
        attempt(client, "dupont.marie", WRONG)
    response = attempt(client, aliases(family_user)[alias], password)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_through_different_aliases_add_up(client, family_user, password):
    for typed in ["dupont.marie", "Dupont.Marie", family_user.email, "ｄｕｐｏｎｔ.marie"]:
        assert attempt(client, typed, WRONG).status_code == 200
    assert attempt(client, family_user.family.reference_email.upper(), WRONG).status_code == 429
    assert attempt(client, "dupont.marie", password).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"dupont.marie"}


def test_the_lock_page_shows_what_was_typed_not_the_identifiant_behind_an_email(
    client, family_user
):
    for _ in range(5):
        attempt(client, family_user.email, WRONG)
    html = attempt(client, family_user.email, WRONG).content.decode()
    assert family_user.email in html
    assert "dupont.marie" not in html


@pytest.mark.parametrize("typed", ["dupont.marıe", "dupont.marie\u0307", "dupont marie"])
def test_a_login_outside_the_allowed_characters_names_no_account(
    client, family_user, password, typed
):
    # "ı" (dotless i) upper-cases to "I": PostgreSQL's UPPER() matched it with "dupont.marie".
    assert not users_for_login(typed).exists()
    response = attempt(client, typed, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_unknown_logins_are_throttled_too(client, db):
    for _ in range(5):
        attempt(client, "Personne.Inconnue", WRONG)
    assert attempt(client, "personne.inconnue", WRONG).status_code == 429


def test_the_reference_email_of_two_accounts_logs_in_the_main_one(
    client, family_user, second_account, password
):
    response = attempt(client, family_user.family.reference_email, password)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == family_user.pk


def test_normal_form_is_nfkc_then_casefold():
    assert normalise_login("  ＤＵＰＯＮＴ.Marie ") == "dupont.marie"
    assert normalise_login("STRAẞE") == "strasse"


ADD_USER = "/admin/accounts/user/add/"


def add_account(staff_client, username):
    return staff_client.post(
        ADD_USER,
        {
            "username": username,
            "usable_password": "true",
            "password1": "Un-Mot-De-Passe-Admin-2026",
            "password2": "Un-Mot-De-Passe-Admin-2026",
        },
    )


def test_the_admin_stores_an_identifiant_in_its_normal_form(staff_client):
    response = add_account(staff_client, "Durand.ＬＵＣ")
    assert response.status_code == 302, response.content.decode()[-3000:]
    from accounts.models import User

    assert User.objects.filter(username="durand.luc").exists()


@pytest.mark.parametrize("username", ["durand.lüc", "durand.lıc", "durand luc", "@durand"])
def test_the_admin_refuses_an_identifiant_outside_the_allowed_characters(staff_client, username):
    response = add_account(staff_client, username)
    assert response.status_code == 200
    assert "Un identifiant ne contient que des lettres sans accent" in response.content.decode()
