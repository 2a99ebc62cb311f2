from html import unescape

from django.urls import reverse


def test_it_shows_the_statement_to_anyone(client, db):
    response = client.get(reverse("portal:accessibility"))
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Déclaration d'accessibilité" in html
    assert "RGAA" in html
    assert "Signaler un défaut d'accessibilité" in html
    assert "Préférences d'affichage" not in html


def test_it_saves_display_preferences_for_the_account(family_client, family_user):
    html = unescape(family_client.get(reverse("portal:accessibility")).content.decode())
    assert "Préférences d'affichage" in html
    assert "pf-large-text" not in html

    response = family_client.post(
        reverse("portal:accessibility"), {"large_text": "on", "high_contrast": "on"}, follow=True
    )
    html = unescape(response.content.decode())
    assert "Vos préférences d'affichage sont enregistrées." in html
    family_user.refresh_from_db()
    assert family_user.large_text and family_user.high_contrast
    # Applied on every page of the account, not only this one.
    html = family_client.get(reverse("portal:home")).content.decode()
    assert 'class="pf-large-text pf-high-contrast"' in html


def test_it_clears_preferences(family_client, family_user):
    family_user.large_text = True
    family_user.save()
    family_client.post(reverse("portal:accessibility"), {})
    family_user.refresh_from_db()
    assert not family_user.large_text


def test_it_does_not_save_anything_for_anonymous_posts(client, db):
    response = client.post(reverse("portal:accessibility"), {"large_text": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_the_statement_says_what_was_tested(client, db):
    html = unescape(client.get(reverse("portal:accessibility")).content.decode())
    assert "Ce qui a été testé" in html
    assert "axe-core" in html
    assert "320 pixels" in html
    assert "clavier seul" in html
