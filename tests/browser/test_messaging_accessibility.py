"""axe-core on the staff pages of chasing and messaging (documents manquants, the reminder's
confirmation, "Écrire aux familles" and its preview, a family's history of messages), at
desktop and phone widths: 0 violations at WCAG 2.1 AA. Also the message's journey through the
admin with the keyboard's ordinary controls (select, fill, buttons)."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from messaging.models import Delivery
from tests.browser.helpers import log_in
from tests.browser.test_accessibility_audit import WIDTHS, violations
from tests.browser.test_staff_two_factor_journey import current_code
from tests.factories import PASSWORD, FamilyFactory, ResponsableFactory, StaffFactory
from tests.students.factories import music_student


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_chasing_and_messaging_pages_have_no_violations(page, width):
    staff = StaffFactory(username="secretariat")
    TOTPDevice.objects.create(user=staff, name="téléphone", confirmed=True)
    family = FamilyFactory(name="Morvan", reference_email="morvan@example.org")
    ResponsableFactory(family=family, last_name="Morvan", first_name="Anne")
    student = music_student(family, first_name="Yann")
    course = student.enrolments.get().course
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "secretariat", PASSWORD)
    page.get_by_label("Code de vérification").fill(current_code(staff))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    found = []
    page.goto("/admin/messaging/familymissingdocuments/")
    expect(page.get_by_text("Justificatif de domicile de moins de 3 mois")).to_be_visible()
    found += violations(page)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("send_reminders")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("button", name="Envoyer les relances")).to_be_visible()
    found += violations(page)
    page.get_by_role("button", name="Envoyer les relances").click()
    expect(page.get_by_text("Relance mise en file d'attente pour 1 famille.")).to_be_visible()

    page.goto("/admin/messaging/message/ecrire/")
    found += violations(page)
    page.get_by_role("button", name="Aperçu").click()  # a form showing its errors
    found += violations(page)
    page.get_by_label("Cours").select_option(str(course.pk))
    page.get_by_label("Objet").fill("Concert de {famille}")
    page.locator("#id_texte").fill("Bonjour {responsable},\nÀ samedi.")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_text("Bonjour Anne MORVAN,")).to_be_visible()
    found += violations(page)
    page.get_by_role("button", name="Envoyer à 1 famille").click()
    expect(page.get_by_text("Message mis en file d'attente pour 1 famille.")).to_be_visible()
    found += violations(page)
    assert Delivery.objects.filter(family=family).count() == 2
    # The text went through the preview's hidden fields with its line breaks.
    sent = Delivery.objects.get(family=family, message__kind="message")
    assert "Bonjour Anne MORVAN,\nÀ samedi." in sent.body.replace("\r\n", "\n")

    page.goto(f"/admin/families/family/{family.pk}/change/")
    expect(page.get_by_role("link", name="Concert de Morvan")).to_be_visible()
    found += violations(page)
    page.goto("/admin/messaging/messagetemplate/add/")
    found += violations(page)
    assert found == [], "\n".join(found)
