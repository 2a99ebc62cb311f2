"""A family uploads its proof of address from a student's page and sees its status."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from students.models import Document, DocumentKind
from tests.browser.helpers import log_in
from tests.factories import ResponsableFactory, SeasonFactory, StudentFactory, UserFactory
from tests.students.factories import (
    DocumentFactory,
    dance_course,
    dance_student,
    music_student,
    pdf_bytes,
)

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
    page.locator("#id_address-file").set_input_files(str(scan))
    page.locator("form:has(#id_address-file)").get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    expect(page.locator("#statut-address")).to_have_text("reçu – en cours de vérification")
    expect(page.locator("#id_address-file")).to_be_hidden()
    download_link = page.get_by_role("link", name="Télécharger")
    expect(download_link).to_have_attribute("href", re.compile(r"^/documents/\d+/$"))
    _assert_accessible(page)
    assert outbox()[-1].subject == "Accusé de réception : Justificatif de domicile"

    # A dance student: attestation or certificate, chosen with radio buttons.
    page.goto(f"/eleves/{dancer.pk}/")
    expect(page.get_by_role("radio", name="Certificat médical")).to_be_visible()
    _assert_accessible(page)


# --- Documents asked for a season: uploaded where they are asked (375 px) -------------------

PHONE = {"width": 375, "height": 812}


def _next_season_request(family, student, *, status="submitted"):
    """A request of `student` for next season's dance, in an open campaign."""
    from datetime import timedelta

    from reenrolment.models import Line
    from tests.reenrolment.factories import (
        CampaignFactory,
        LineFactory,
        NextSeasonFactory,
        RequestFactory,
    )

    now = timezone.now()
    course = dance_course(NextSeasonFactory())
    campaign = CampaignFactory(
        season=course.season,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        disciplines=[course.discipline],
    )
    request = RequestFactory(campaign=campaign, student=student, status=status)
    LineFactory(request=request, discipline=course.discipline, kind=Line.Kind.WISH)
    return request


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_new_child_uploads_the_document_its_request_asks_for(page, tmp_path, outbox):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    SeasonFactory()  # this season
    child = StudentFactory(family=user.family, first_name="Inès", last_name="Test")
    request = _next_season_request(user.family, child)
    scan = tmp_path / "attestation.pdf"
    scan.write_bytes(pdf_bytes())

    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.goto(f"/reinscription/demandes/{request.pk}/")
    documents = page.get_by_role("region", name="Documents à fournir")
    expect(documents).to_contain_text("Attestation sur l'honneur ou certificat médical (danse)")
    expect(documents).to_contain_text("à fournir")
    _fits_the_phone(page)
    _assert_accessible(page)
    documents.get_by_role("radio", name="Attestation sur l'honneur").check()
    documents.get_by_label("Fichier").set_input_files(str(scan))
    documents.get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/reinscription/demandes/{request.pk}/"))
    documents = page.get_by_role("region", name="Documents à fournir")
    expect(documents).to_contain_text("reçu – en cours de vérification")
    document = Document.objects.get()
    assert document.student == child and document.season == request.campaign.season
    _fits_the_phone(page)
    _assert_accessible(page)

    # Élèves shows it too, for the season it concerns.
    page.goto(f"/eleves/{child.pk}/")
    section = page.get_by_role("region", name=f"Saison {request.campaign.season.name}")
    expect(section).to_contain_text("reçu – en cours de vérification")


def test_it_uploads_next_seasons_document_from_the_students_page(page, tmp_path, outbox):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    dancer = dance_student(user.family, first_name="Inès", last_name="Test")
    DocumentFactory(
        student=dancer,
        kind=DocumentKind.HEALTH_STATEMENT,
        document_date=None,
        status=Document.Status.VALIDATED,
    )
    request = _next_season_request(user.family, dancer, status="accepted")
    next_season = request.campaign.season
    scan = tmp_path / "attestation.pdf"
    scan.write_bytes(pdf_bytes())

    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.goto("/eleves/")
    expect(page.get_by_role("region", name="Inès TEST", exact=True)).to_contain_text(
        f"Saison {next_season.name}"
    )
    page.get_by_role("link", name="Inès TEST").click()
    this_season = page.get_by_role("region", name="Saison 2026-2027")
    expect(this_season).to_contain_text("validé")
    section = page.get_by_role("region", name=f"Saison {next_season.name}")
    expect(section).to_contain_text("à fournir")
    _fits_the_phone(page)
    _assert_accessible(page)
    section.get_by_role("radio", name="Attestation sur l'honneur").check()
    section.get_by_label("Fichier").set_input_files(str(scan))
    section.get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    section = page.get_by_role("region", name=f"Saison {next_season.name}")
    expect(section).to_contain_text("reçu – en cours de vérification")
    expect(page.get_by_role("region", name="Saison 2026-2027")).to_contain_text("validé")
    assert Document.objects.filter(season=next_season, is_current=True).count() == 1
    assert Document.objects.filter(season__is_current=True, is_current=True).count() == 1
    _fits_the_phone(page)


def test_it_replaces_a_document_under_review(page, tmp_path, outbox):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    lea = music_student(user.family, first_name="Léa", last_name="Test")
    wrong = DocumentFactory(family=user.family, season=SeasonFactory())
    scan = tmp_path / "bon-justificatif.pdf"
    scan.write_bytes(pdf_bytes())

    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.goto(f"/eleves/{lea.pk}/")
    expect(page.locator("#statut-address")).to_have_text("reçu – en cours de vérification")
    page.get_by_text("Remplacer ce document").click()
    page.get_by_label("Date du justificatif").fill(timezone.localdate().isoformat())
    page.locator("#id_address-file").set_input_files(str(scan))
    _fits_the_phone(page)
    _assert_accessible(page)
    page.locator("form:has(#id_address-file)").get_by_role("button", name="Importer").click()

    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    expect(page.locator("#statut-address")).to_have_text("reçu – en cours de vérification")
    wrong.refresh_from_db()
    assert not wrong.is_current
    current = Document.objects.get(is_current=True)
    assert current.original_name == "bon-justificatif.pdf"
    _fits_the_phone(page)
