"""A family's first connection and account life, in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import FamilyFactory, ResponsableFactory, UserFactory

PASSWORD = "Premier-Mot-De-Passe-2026"
NEW_PASSWORD = "Second-Mot-De-Passe-2026"


def reset_link(outbox) -> str:
    body = outbox()[-1].body
    url = re.search(r"https://portail\.example\.org(/mot-de-passe-perdu/\S+)", body)
    assert url, body
    return url.group(1)


def test_it_logs_in_changes_password_logs_out_and_recovers_it(page, outbox):
    family = FamilyFactory(name="Test", reference_email="famille.test@example.org")
    responsable = ResponsableFactory(family=family, last_name="Test", first_name="Nicolas")
    UserFactory(username="test.nicolas", family=family, responsable=responsable, password=PASSWORD)

    page.goto("/")
    page.get_by_role("link", name="Accès usager").click()
    page.get_by_label("Identifiant ou e-mail").fill("Test.Nicolas")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, TEST Nicolas")
    expect(page.get_by_role("link", name="Accueil")).to_have_attribute("aria-current", "page")

    page.get_by_role("link", name="Mot de passe").click()
    page.get_by_label("Ancien mot de passe").fill(PASSWORD)
    page.get_by_label(re.compile("Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Modifier le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été modifié.")).to_be_visible()
    assert outbox()[-1].subject == "Votre mot de passe du portail des familles a été modifié"

    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_text("Vous êtes déconnecté(e)")).to_be_visible()
    page.goto("/accueil/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/accueil/$"))

    # Forgotten password: the e-mailed link, then a new password, and the family is in.
    page.get_by_role("link", name="Mot de passe perdu").click()
    page.get_by_label("Identifiant ou e-mail").fill("famille.test@example.org")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    page.goto(reset_link(outbox))
    expect(page.get_by_text("test.nicolas")).to_be_visible()
    page.get_by_label(re.compile("Nouveau mot de passe")).fill(PASSWORD + "!")
    page.get_by_label("Confirmation du nouveau mot de passe").fill(PASSWORD + "!")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré. Bienvenue !")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, TEST Nicolas")


def test_the_tab_bar_collapses_into_a_menu_on_a_phone(page):
    user = UserFactory(username="mobile.user", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Mobile", first_name="Anne")
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, "mobile.user", PASSWORD)
    facturation = page.get_by_role("link", name="Facturation")
    expect(facturation).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    facturation.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturation")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
