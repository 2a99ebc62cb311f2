"""The Famille tab in a real browser: edit the record, see "Éléments modifiés" and the history."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import FamilyFactory, ResponsableFactory, UserFactory

PASSWORD = "Premier-Mot-De-Passe-2026"


def test_it_edits_the_record_and_shows_the_changes_and_the_history(page, outbox):
    family = FamilyFactory(
        name="Test", city="Bellerive", reference_email="famille.test@example.org"
    )
    responsable = ResponsableFactory(family=family, last_name="Test", first_name="Nicolas")
    UserFactory(username="test.nicolas", family=family, responsable=responsable, password=PASSWORD)

    log_in(page, "test.nicolas", PASSWORD)
    page.get_by_role("link", name="Famille").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche famille")
    expect(page.get_by_role("link", name="Famille")).to_have_attribute("aria-current", "page")

    first = page.get_by_role("group", name="Responsable 1")
    first.get_by_label("Date de naissance").fill("1982-05-14")
    first.get_by_label("Département de naissance").select_option(label="22 — Côtes-d'Armor")
    page.get_by_label("Ville").fill("Plérin")
    page.get_by_label("Mobile de référence").fill("07 81 23 45 67")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Vos modifications sont enregistrées.")).to_be_visible()
    changes = page.get_by_role("region", name="Éléments modifiés")
    expect(changes.get_by_role("row", name=re.compile("Foyer — Ville"))).to_contain_text(
        "Bellerive"
    )
    expect(changes.get_by_role("row", name=re.compile("Foyer — Ville"))).to_contain_text("Plérin")
    expect(changes).to_contain_text("07 81 23 45 67")
    expect(changes).to_contain_text("14 mai 1982")
    expect(page.get_by_label("Mobile de référence")).to_have_value("07 81 23 45 67")

    history = page.get_by_role("region", name="Historique des modifications")
    expect(history).to_contain_text("modifiée par test.nicolas (TEST Nicolas)")
    expect(history).to_contain_text("Plérin")

    # The page's own content (the shared footer is checked elsewhere) passes axe-core.
    results = Axe().run(page, context="main")
    assert results.violations_count == 0, results.generate_report()

    (receipt,) = outbox()
    assert "Foyer — Ville : Bellerive → Plérin" in receipt.body

    # A wrong number is refused next to its field, in French, and nothing is saved.
    page.get_by_label("Mobile de référence").fill("02 96 00 00 01")
    page.get_by_role("button", name="Enregistrer").click()
    error = "Indiquez un numéro de téléphone mobile"
    expect(page.locator(".invalid-feedback", has_text=error)).to_be_visible()
    expect(page.locator(".pf-error-summary")).to_contain_text(error)
    expect(page.get_by_label("Mobile de référence")).to_have_attribute("aria-invalid", "true")

    # On a phone, nothing is wider than the screen.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/famille/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
