"""axe-core on every page, at desktop and phone widths: 0 violations at WCAG 2.1 AA.

Pages are listed here; each tab's own pages join the list as the tab grows.
"""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.browser.helpers import log_in

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
WIDTHS = {"desktop": 1280, "phone": 320}

PUBLIC_PAGES = [
    "/",
    "/connexion/",
    "/mot-de-passe-perdu/",
    "/mot-de-passe-perdu/envoye/",
    "/mot-de-passe-perdu/MQ/lien-invalide/",
    "/accessibilite/",
    "/page-qui-nexiste-pas/",
]
FAMILY_PAGES = [
    "/accueil/",
    "/famille/",
    "/eleves/",
    "/reinscription/",
    "/facturation/",
    "/facturation/prelevement/",
    "/facturation/payer/",
    "/accessibilite/",
    "/mot-de-passe/",
]

axe = Axe()


def violations(page) -> list[str]:
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def audit(page, paths) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        found += violations(page)
    return found


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_public_pages_have_no_violations(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    found = audit(page, PUBLIC_PAGES)
    # A form showing its errors.
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    found += violations(page)
    assert found == [], "\n".join(found)


def demo_family_pages() -> list[str]:
    """Every page of the demo family, which has data of every kind."""
    from django.urls import reverse

    from accounts.models import User
    from billing.models import Invoice
    from reenrolment.models import Campaign

    family = User.objects.get(username="demo").family
    pages = list(FAMILY_PAGES)
    for student in family.students.order_by("pk"):
        pages.append(reverse("students:detail", kwargs={"pk": student.pk}))
    for invoice in Invoice.objects.filter(family=family, number__isnull=False, kind="FAC")[:2]:
        pages.append(reverse("billing:invoice", kwargs={"number": invoice.number}))
    campaign = Campaign.objects.order_by("-opens_at").first()
    student = family.students.order_by("pk").first()
    if campaign is not None:
        pages.append(
            reverse(
                "reenrolment:request_form",
                kwargs={"campaign_pk": campaign.pk, "student_pk": student.pk},
            )
        )
    return pages


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_family_pages_have_no_violations(page, width, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "demo", "Demo-Portail-2026")
    page.wait_for_url("**/accueil/")
    pages = demo_family_pages()
    found = audit(page, pages)
    # Forms showing their errors.
    page.goto("/mot-de-passe/")
    page.get_by_role("button", name="Modifier le mot de passe").click()
    found += violations(page)
    page.goto("/famille/")
    page.locator("#id_famille-reference_mobile").fill("123")
    page.get_by_role("button", name="Enregistrer").first.click()
    found += violations(page)
    # The display preferences in force.
    page.goto("/accessibilite/")
    page.get_by_label("Texte agrandi").check()
    page.get_by_label("Contraste renforcé").check()
    page.get_by_role("button", name="Enregistrer").click()
    found += audit(page, pages)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_preinscription_pages_have_no_violations(page, width):
    """The public pré-inscription pages: the closed page, the form (empty and with its
    errors), and the status page an application's receipt links to."""
    from django.utils import timezone

    from preinscription.models import Application
    from tests.preinscription.conftest import form_data, make_school

    page.set_viewport_size({"width": width, "height": 800})
    found = audit(page, ["/preinscription/"])  # no period open yet
    school = make_school()
    found += audit(page, ["/", "/preinscription/"])
    page.get_by_role("button", name="Envoyer la pré-inscription").click()
    found += violations(page)
    from django.test import Client

    Client().post("/preinscription/", form_data(school))
    application = Application.objects.get()
    found += audit(page, [f"/preinscription/suivi/{application.status_token}/"])
    # A status page showing an upload's errors.
    page.get_by_role("button", name="Importer").first.click()
    found += violations(page)
    assert timezone.now() < school.campaign.closes_at
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_online_payment_pages_have_no_violations(page, width, settings):
    """The payment's summary with its choice of invoices, the simulated service (dummy
    backend) and the result page."""
    from accounts.models import User
    from tests.billing.factories import issued_invoice

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    issued_invoice(User.objects.get(username="demo").family, "40.00")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "demo", "Demo-Portail-2026")
    page.wait_for_url("**/accueil/")
    found = []
    for outcome in ["Abandonner", "Payer (paiement accepté)"]:
        page.goto("/facturation/payer/")
        found += violations(page)
        page.get_by_role("button", name="Mettre à jour le montant").click()  # the choice
        found += violations(page)
        page.locator("#pay-button").click()
        page.wait_for_url("**/simulateur/**")
        found += violations(page)
        if outcome == "Abandonner":  # back on the portal first: the pending payment's notice
            page.goto("/facturation/payer/")
            assert page.locator("#payment-pending").count() == 1
            found += violations(page)
            page.go_back()
        page.get_by_role("button", name=outcome).click()
        page.wait_for_url("**/retour/**")
        found += violations(page)
    page.goto("/facturation/payer/")  # nothing left to pay
    found += violations(page)
    assert found == [], "\n".join(found)
