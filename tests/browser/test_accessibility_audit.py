"""axe-core on every page, at desktop and phone widths: 0 violations at WCAG 2.1 AA.

Pages are listed here; each tab's own pages join the list as the tab grows.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD, ResponsableFactory, UserFactory

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


def log_in(page, username):
    page.goto("/connexion/")
    page.get_by_label("Identifiant ou e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/accueil/")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_public_pages_have_no_violations(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    found = audit(page, PUBLIC_PAGES)
    # A form showing its errors.
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    found += violations(page)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_family_pages_have_no_violations(page, width):
    user = UserFactory(username="audit.famille")
    ResponsableFactory(family=user.family, last_name="Audit", first_name="Anne")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "audit.famille")
    found = audit(page, FAMILY_PAGES)
    # A form showing its errors.
    page.goto("/mot-de-passe/")
    page.get_by_role("button", name="Modifier le mot de passe").click()
    found += violations(page)
    # The display preferences in force.
    page.goto("/accessibilite/")
    page.get_by_label("Texte agrandi").check()
    page.get_by_label("Contraste renforcé").check()
    page.get_by_role("button", name="Enregistrer").click()
    found += audit(page, FAMILY_PAGES)
    assert found == [], "\n".join(found)
