"""A family sends a re-enrolment request, then amends it, in a real browser."""

from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from reenrolment.models import Request
from tests.browser.helpers import log_in
from tests.factories import (
    CourseFactory,
    DisciplineFactory,
    EnrolmentFactory,
    ResponsableFactory,
    SeasonFactory,
    StudentFactory,
    UserFactory,
)
from tests.reenrolment.factories import CampaignFactory, NextSeasonFactory, RequirementFactory

PASSWORD = "Premier-Mot-De-Passe-2026"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
axe = Axe()


# The shared footer is audited by the portal's own axe test (and its link colour was fixed on
# main after this branch started): this journey audits the Réinscription pages' content.
AXE_CONTEXT = {"exclude": [[".pf-footer"]]}


def violations(page) -> list[str]:
    results = axe.run(page, context=AXE_CONTEXT, options=AXE_OPTIONS)
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def test_it_submits_then_amends_a_request(page, outbox):
    user = UserFactory(username="test.nicolas", password=PASSWORD)
    ResponsableFactory(family=user.family, last_name="Test", first_name="Nicolas")
    piano = DisciplineFactory(name="Piano")
    violin = DisciplineFactory(name="Violon")
    lea = StudentFactory(family=user.family, first_name="Léa", last_name="Test")
    EnrolmentFactory(student=lea, course=CourseFactory(season=SeasonFactory(), discipline=piano))
    next_season = NextSeasonFactory()
    CourseFactory(season=next_season, discipline=piano, name="Piano mercredi", weekday=3)
    CourseFactory(season=next_season, discipline=violin, name="Violon samedi", weekday=6)
    now = timezone.now()
    CampaignFactory(
        season=next_season,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        disciplines=[piano, violin],
        requirements=[RequirementFactory()],
    )

    log_in(page, "test.nicolas", PASSWORD)
    found = violations(page)  # Accueil with the card
    page.get_by_role("link", name="Faire ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réinscription")
    found += violations(page)
    page.get_by_role("link", name="Faire la demande de Léa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande pour Léa TEST")
    piano_group = page.get_by_role("group", name="Piano")
    expect(piano_group.get_by_label("Continue")).to_be_checked()
    page.get_by_role("group", name="Vœu 1").get_by_label("Discipline").select_option("Violon")
    page.get_by_label("Commentaire (facultatif)").fill("Merci !")
    page.get_by_role("button", name="Envoyer la demande").click()
    # The required consent was not ticked: nothing is sent, the error says why.
    # (under the box, and in the error summary at the top with a link to the box)
    error = "Cette case doit être cochée pour envoyer."
    expect(page.locator(".invalid-feedback", has_text=error)).to_be_visible()
    expect(page.locator(".pf-error-summary")).to_contain_text(error)
    found += violations(page)  # the form showing its errors
    page.get_by_label("J'ai lu et j'accepte le règlement intérieur.").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est envoyée.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande de Léa TEST")
    expect(page.get_by_text("Violon : nouveau vœu")).to_be_visible()
    assert outbox()[-1].subject == "Demande de réinscription reçue : Léa TEST"
    found += violations(page)
    page.goto("/reinscription/")
    found += violations(page)  # with the request's status and the documents to provide
    page.get_by_role("link", name="Voir la demande de Léa").click()

    page.get_by_role("link", name="Modifier la demande").click()
    expect(page.get_by_role("group", name="Vœu 1").get_by_label("Discipline")).to_have_value(
        str(violin.pk)
    )
    page.get_by_role("group", name="Piano").get_by_label("Arrête").check()
    page.get_by_role("group", name="Vœu 1").get_by_label(
        "Jour souhaité (facultatif)"
    ).select_option("samedi")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Votre demande est modifiée.")).to_be_visible()
    expect(page.get_by_text("Piano : arrête")).to_be_visible()
    expect(page.get_by_text("jour souhaité : samedi")).to_be_visible()
    assert outbox()[-1].subject == "Demande de réinscription modifiée : Léa TEST"
    assert found == [], "\n".join(found)
    request = Request.objects.get()
    assert request.revision == 2
    assert {line.kind for line in request.lines.all()} == {"stop", "wish"}
