from django.test import Client
from django.urls import reverse

from tests.conftest import log_in

NEW_PASSWORD = "Une-Autre-Phrase-Solide-2026"


def change(client, old, new1, new2=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
        follow=True,
    )


def test_it_changes_the_password_and_tells_the_family(client, family_user, password, outbox):
    log_in(client, "dupont.marie", password)
    outbox.clear()
    response = change(client, password, NEW_PASSWORD)
    assert "Votre mot de passe a été modifié." in response.content.decode()
    family_user.refresh_from_db()
    assert family_user.check_password(NEW_PASSWORD)
    (message,) = outbox()
    assert message.to == [family_user.email]
    assert "Si ce n'est pas vous" in message.body
    assert "https://portail.example.org/mot-de-passe-perdu/" in message.body
    # This session goes on.
    assert client.get(reverse("portal:home")).status_code == 200


def test_it_ends_the_other_sessions(client, family_user, password):
    other_device = Client()
    log_in(other_device, "dupont.marie", password)
    assert other_device.get(reverse("portal:home")).status_code == 200
    log_in(client, "dupont.marie", password)
    change(client, password, NEW_PASSWORD)
    response = other_device.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_it_refuses_a_wrong_current_password(client, family_user, password, outbox):
    log_in(client, "dupont.marie", password)
    outbox.clear()
    response = change(client, "pas-le-bon", NEW_PASSWORD)
    assert "Votre ancien mot de passe est incorrect" in response.content.decode()
    family_user.refresh_from_db()
    assert family_user.check_password(password)
    assert outbox() == []


def test_it_refuses_mismatched_or_weak_passwords(client, family_user, password):
    log_in(client, "dupont.marie", password)
    html = change(client, password, NEW_PASSWORD, NEW_PASSWORD + "x").content.decode()
    assert "Les deux mots de passe ne correspondent pas" in html
    html = change(client, password, "123456789012").content.decode()
    assert "entièrement numérique" in html
    family_user.refresh_from_db()
    assert family_user.check_password(password)


def test_it_refuses_a_new_password_equal_to_the_current_one(client, family_user, password, outbox):
    log_in(client, "dupont.marie", password)
    outbox.clear()
    response = change(client, password, password)
    assert "Le nouveau mot de passe doit être différent de l’actuel." in response.content.decode()
    assert "Votre mot de passe a été modifié." not in response.content.decode()
    assert outbox() == []


def error_field(html: str, message: str) -> str:
    """Which field an error is shown under: the last password input before it (the error
    summary at the top of the form repeats the message first)."""
    at = html.rindex(message)
    before = html[:at]
    return max(("new_password1", "new_password2"), key=lambda name: before.rfind(f'name="{name}"'))


def test_a_password_like_the_identifiant_is_explained_under_the_new_password(
    client, family_user, password
):
    log_in(client, "dupont.marie", password)

    html = change(client, password, "Dupont.Marie-1").content.decode().replace("\xa0", " ")

    assert "nom d’utilisateur" not in html and "nom d&#x27;utilisateur" not in html
    message = "Le mot de passe est trop semblable au champ « identifiant »."
    assert message in html
    assert error_field(html, message) == "new_password1"
    family_user.refresh_from_db()
    assert family_user.check_password(password)


def test_a_mismatch_is_still_explained_under_the_confirmation(client, family_user, password):
    log_in(client, "dupont.marie", password)

    html = change(client, password, NEW_PASSWORD, NEW_PASSWORD + "x").content.decode()

    message = "Les deux mots de passe ne correspondent pas"
    assert error_field(html, message) == "new_password2"
