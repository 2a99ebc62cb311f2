"""A family uploads its proof of address from a student's page and sees its status."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ResponsableFactory, UserFactory
from tests.students.factories import dance_student, music_student, pdf_bytes

PASSWORD = "Premier-Mot-De-Passe-2026"


def _assert_accessible(page):
    # The page's own content (the shared layout is checked elsewhere) passes axe-core.
    results = Axe().run(page, context="main")
    assert results.violations_count == 0, results.generate_report()


def test_it_uploads_a_document_and_sees_it_waiting_for_review(page, tmp_path, outbox):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    music_student(user.family, first_name="Léa", last_name="Test")
    dancer = dance_student(user.family, first_name="Inès", last_name="Test")
    scan = tmp_path / "justificatif.pdf"
    scan.write_bytes(pdf_bytes())

    log_in(page, "test.nicolas", PASSWORD)
    expect(page.get_by_text("Justificatif de domicile de moins de 3 mois")).to_be_visible()

    page.get_by_role("link", name="Élèves").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiches élèves")
    expect(page.get_by_role("region", name="Léa TEST", exact=True)).to_contain_text("à fournir")
    _assert_accessible(page)
    page.get_by_role("link", name="Léa TEST").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche élève : Léa TEST")

    page.get_by_label("Date du justificatif").fill(timezone.localdate().isoformat())
    _assert_accessible(page)
    page.get_by_label("Fichier").set_input_files(str(scan))
    page.get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    expect(page.locator("#statut-address")).to_have_text("reçu – en cours de vérification")
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    download_link = page.get_by_role("link", name="Télécharger")
    expect(download_link).to_have_attribute("href", re.compile(r"^/documents/\d+/$"))
    _assert_accessible(page)
    assert outbox()[-1].subject == "Accusé de réception : Justificatif de domicile"

    # A dance student: attestation or certificate, chosen with radio buttons.
    page.goto(f"/eleves/{dancer.pk}/")
    expect(page.get_by_role("radio", name="Certificat médical")).to_be_visible()
    _assert_accessible(page)
