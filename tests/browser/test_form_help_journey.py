"""On a phone (375 px): the error summary's links reach the fields in error, and the
"Cours souhaité" list of a re-enrolment wish follows the chosen discipline (issue 12, item 21),
with JavaScript and without it."""

import re
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import (
    CourseFactory,
    DisciplineFactory,
    EnrolmentFactory,
    FamilyFactory,
    ResponsableFactory,
    SeasonFactory,
    StudentFactory,
    UserFactory,
)
from tests.reenrolment.factories import CampaignFactory, NextSeasonFactory

PASSWORD = "Premier-Mot-De-Passe-2026"
PHONE = {"width": 375, "height": 812}


def _family():
    family = FamilyFactory(
        name="Test", city="Bellerive", reference_email="famille.test@example.org"
    )
    responsable = ResponsableFactory(family=family, last_name="Test", first_name="Nicolas")
    UserFactory(username="test.nicolas", family=family, responsable=responsable, password=PASSWORD)
    return family


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_error_summary_links_reach_responsable_2s_fields(page):
    _family()
    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.goto("/famille/")
    second = page.get_by_role("group", name=re.compile("Responsable 2"))
    second.get_by_label("E-mail").fill("pas-un-mail")
    page.get_by_role("button", name="Enregistrer").click()

    summary = page.locator(".pf-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("La fiche n'a pas été enregistrée")
    link = summary.get_by_role("link", name="Responsable 2 — E-mail")
    expect(link).to_be_visible()
    email = page.locator("#id_responsable2-email")
    expect(email).not_to_be_in_viewport()  # far below the summary on a phone
    link.click()
    expect(page).to_have_url(re.compile("#id_responsable2-email$"))
    expect(email).to_be_in_viewport()
    expect(email).to_have_attribute("aria-invalid", "true")
    _no_horizontal_scroll(page)
    results = Axe().run(page, context="main")
    assert results.violations_count == 0, results.generate_report()


def _campaign(family):
    piano = DisciplineFactory(name="Piano")
    violin = DisciplineFactory(name="Violon")
    lea = StudentFactory(family=family, first_name="Léa", last_name="Test")
    EnrolmentFactory(student=lea, course=CourseFactory(season=SeasonFactory(), discipline=piano))
    next_season = NextSeasonFactory()
    courses = {
        "Piano mercredi": CourseFactory(
            season=next_season, discipline=piano, name="Piano mercredi", weekday=3
        ),
        "Piano samedi": CourseFactory(
            season=next_season, discipline=piano, name="Piano samedi", weekday=6
        ),
        "Violon samedi": CourseFactory(
            season=next_season, discipline=violin, name="Violon samedi", weekday=6
        ),
    }
    now = timezone.now()
    campaign = CampaignFactory(
        season=next_season,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        disciplines=[piano, violin],
    )
    return campaign, lea, courses


def _course_names(select) -> list[str]:
    return [text.split(" · ")[0] for text in select.locator("option").all_inner_texts()]


def test_the_course_list_follows_the_discipline(page):
    campaign, lea, courses = _campaign(_family())
    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.goto(f"/reinscription/campagnes/{campaign.pk}/eleves/{lea.pk}/")
    wish = page.get_by_role("group", name="Vœu 1")
    discipline = wish.get_by_label("Discipline")
    course = wish.get_by_label("Cours souhaité (facultatif)")
    # No discipline yet: every course, grouped by discipline.
    assert _course_names(course) == [
        "— indifférent —",
        "Piano mercredi",
        "Piano samedi",
        "Violon samedi",
    ]
    discipline.select_option(label="Violon")
    expect(course.locator("option")).to_have_count(2)
    assert _course_names(course) == ["— indifférent —", "Violon samedi"]
    course.select_option(value=str(courses["Violon samedi"].pk))
    # Another discipline: its courses only, and the violin course is no longer chosen.
    discipline.select_option(label="Piano")
    expect(course.locator("option")).to_have_count(3)
    assert _course_names(course) == ["— indifférent —", "Piano mercredi", "Piano samedi"]
    expect(course).to_have_value("")
    # The other rows are independent.
    assert (
        len(
            _course_names(
                page.get_by_role("group", name="Vœu 2").get_by_label("Cours souhaité (facultatif)")
            )
        )
        == 4
    )
    _no_horizontal_scroll(page)
    results = Axe().run(page, context="main")
    assert results.violations_count == 0, results.generate_report()


def test_without_javascript_the_server_refuses_a_course_of_another_discipline(
    _playwright_browser, live_server, transactional_db
):
    campaign, lea, courses = _campaign(_family())
    context = _playwright_browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False, viewport=PHONE
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, "test.nicolas", PASSWORD)
        page.goto(f"/reinscription/campagnes/{campaign.pk}/eleves/{lea.pk}/")
        wish = page.get_by_role("group", name="Vœu 1")
        wish.get_by_label("Discipline").select_option(label="Violon")
        course = wish.get_by_label("Cours souhaité (facultatif)")
        # Without JavaScript the list keeps every group: the server checks the pair.
        assert len(_course_names(course)) == 4
        course.select_option(value=str(courses["Piano mercredi"].pk))
        page.get_by_role("button", name="Envoyer la demande").click()
        summary = page.locator(".pf-error-summary")
        expect(summary).to_contain_text("Ce cours n'est pas un cours de la discipline choisie.")
        link = summary.get_by_role("link", name="Cours souhaité (facultatif)")
        expect(link).to_have_attribute("href", "#id_wish_0_course")
        link.click()
        expect(page.locator("#id_wish_0_course")).to_be_in_viewport()
        _no_horizontal_scroll(page)
    finally:
        context.close()


def test_with_javascript_a_refused_course_stays_shown_next_to_its_error(page):
    """A pair the server refused (sent before the script ran): after the answer, the list
    keeps the course chosen, next to its error, until the discipline changes."""
    campaign, lea, courses = _campaign(_family())
    page.set_viewport_size(PHONE)
    log_in(page, "test.nicolas", PASSWORD)
    page.route("**/reenrolment.js", lambda route: route.abort())
    page.goto(f"/reinscription/campagnes/{campaign.pk}/eleves/{lea.pk}/")
    wish = page.get_by_role("group", name="Vœu 1")
    wish.get_by_label("Discipline").select_option(label="Violon")
    wish.get_by_label("Cours souhaité (facultatif)").select_option(
        value=str(courses["Piano mercredi"].pk)
    )
    page.unroute("**/reenrolment.js")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".pf-error-summary")).to_contain_text(
        "Ce cours n'est pas un cours de la discipline choisie."
    )
    wish = page.get_by_role("group", name="Vœu 1")
    course = wish.get_by_label("Cours souhaité (facultatif)")
    expect(course).to_have_value(str(courses["Piano mercredi"].pk))
    assert len(_course_names(course)) == 4
    wish.get_by_label("Discipline").select_option(label="Piano")
    expect(course.locator("option")).to_have_count(3)
    expect(course).to_have_value(str(courses["Piano mercredi"].pk))
