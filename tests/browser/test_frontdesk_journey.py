"""Issue 15: the admin index opens on what waits, and "Débloquer" on a family's page, at phone
width (375 px): readable without sideways scrolling, no axe violation in what the front desk
adds, and a locked family logs in again."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.browser.test_staff_two_factor_journey import current_code
from tests.factories import PASSWORD, StaffFactory
from tests.frontdesk.helpers import fail_logins, waiting_things

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def violations(page, selector) -> list[str]:
    results = Axe().run(page, context=selector, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def fits(page, selector) -> bool:
    return page.locator(selector).evaluate("node => node.scrollWidth <= node.clientWidth")


def test_the_dashboard_and_the_unlock_button_at_phone_width(page, family_user):
    waiting_things()
    fail_logins(Client(), "dupont.marie")
    staff = StaffFactory(username="direction")
    TOTPDevice.objects.create(user=staff, name="téléphone", confirmed=True)
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "direction", PASSWORD)
    page.get_by_label("Code de vérification").fill(current_code(staff))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    section = page.get_by_role("region", name="À traiter")
    expect(section.get_by_role("link", name="Documents à vérifier : 1")).to_be_visible()
    locked = section.get_by_role("link", name="Comptes bloqués (trop d'échecs de connexion) : 2")
    expect(locked).to_be_visible()
    assert fits(page, ".frontdesk-dashboard")
    assert violations(page, ".frontdesk-dashboard") == []

    page.goto(f"/admin/families/family/{family_user.family_id}/change/")
    lockout = page.get_by_role("region", name="Connexion bloquée")
    expect(lockout).to_contain_text("l'identifiant dupont.marie est bloqué")
    assert fits(page, "section[aria-labelledby=family-lockout-title]")
    assert violations(page, "section[aria-labelledby=family-lockout-title]") == []
    lockout.get_by_role("button", name="Débloquer").click()
    expect(page.get_by_text("Connexion débloquée pour l'identifiant dupont.marie")).to_be_visible()
    expect(page.get_by_role("region", name="Connexion bloquée")).to_have_count(0)
    response = Client().post(
        "/connexion/", {"username": "dupont.marie", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
