"""Issue 13, item 7: a staff member enrols in the second factor on a phone (375 px), reads the
backup codes, reaches the admin, and logs in again with a backup code; the three pages fit
the screen and have no axe-core violation."""

import re
import time

from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.browser.test_accessibility_audit import violations
from tests.browser.test_phone_layout import PHONE, overflow
from tests.factories import PASSWORD, StaffFactory


def current_code(user) -> str:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time()
    return f"{generator.token():06d}"


def test_a_staff_member_enrols_on_a_phone_then_logs_in_with_a_backup_code(page):
    staff = StaffFactory(username="secretariat")
    page.set_viewport_size(PHONE)
    log_in(page, "secretariat", PASSWORD)
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(page.get_by_role("img", name="QR code à scanner avec l'application")).to_be_visible()
    assert overflow(page) == []
    assert violations(page) == []

    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(current_code(staff))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = [code.inner_text() for code in page.locator(".pf-backup-codes code").all()]
    assert len(codes) == 10
    assert overflow(page) == []
    assert violations(page) == []
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.context.clear_cookies()
    log_in(page, "secretariat", PASSWORD)
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    assert overflow(page) == []
    assert violations(page) == []
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_text("Code de secours accepté. Il vous en reste 9")).to_be_visible()
