"""A visitor switches the portal to English from the keyboard, and back; axe stays at 0."""

from tests.browser.test_accessibility_audit import FAMILY_PAGES, PUBLIC_PAGES, audit
from tests.factories import PASSWORD, ResponsableFactory, UserFactory


def test_a_visitor_switches_to_english_from_the_keyboard_and_back(page):
    user = UserFactory(username="famille.anglaise")
    ResponsableFactory(family=user.family, last_name="Smith", first_name="Jane")
    page.goto("/connexion/")
    assert page.locator("html").get_attribute("lang") == "fr"
    english = page.get_by_role("button", name="English")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/connexion/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Forgotten password").is_visible()
    found = audit(page, PUBLIC_PAGES)

    # The choice survives logging in (the login form's labels are now English).
    page.goto("/connexion/")
    page.get_by_label("Username or e-mail").fill("famille.anglaise")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accueil/")
    assert page.get_by_role("link", name="Billing").is_visible()
    found += audit(page, FAMILY_PAGES)
    assert found == [], "\n".join(found)

    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Facturation").is_visible()

    # Logged in, the switch is also the account's language, that of its e-mails.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    user.refresh_from_db()
    assert user.language == "en"
    page.goto("/accessibilite/")
    assert page.get_by_role("combobox", name="Language").input_value() == "en"
    page.get_by_role("combobox", name="Language").select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    user.refresh_from_db()
    assert user.language == "fr"
