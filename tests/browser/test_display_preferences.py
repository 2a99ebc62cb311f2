"""Issue 12, item 22: the display preferences reach every component (alerts, outline buttons,
selects), and the footer closes the window on a short page."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.browser.helpers import log_in
from tests.demo import seed_demo

BLACK, WHITE = "rgb(0, 0, 0)", "rgb(255, 255, 255)"

# Each select: the width its longest option needs (the select's own font) and the room inside
# it (its padding keeps the arrow's).
SELECTS_JS = """
() => [...document.querySelectorAll('select')].map(select => {
  const style = getComputedStyle(select);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const needed = Math.max(...[...select.options].map(o => context.measureText(o.text).width));
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight);
  return {name: select.name, needed: Math.ceil(needed), room: Math.floor(room)};
})
"""


def styles(locator, *properties) -> dict:
    return locator.evaluate(
        "(e, names) => Object.fromEntries(names.map(n => [n, getComputedStyle(e)[n]]))",
        list(properties),
    )


@pytest.fixture
def contrast_page(page, settings):
    seed_demo(settings)
    User.objects.filter(username="demo").update(high_contrast=True, large_text=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, "demo", "Demo-Portail-2026")
    page.wait_for_url("**/accueil/")
    return page


def test_high_contrast_turns_the_yellow_alert_black_on_white(contrast_page):
    page = contrast_page
    page.goto(reverse("billing:ledger"))
    alert = page.locator("#account-balance.alert-warning")
    found = styles(alert, "backgroundColor", "color", "borderTopColor", "borderTopWidth")
    assert found == {
        "backgroundColor": WHITE,
        "color": BLACK,
        "borderTopColor": BLACK,
        "borderTopWidth": "2px",
    }


def test_high_contrast_frames_outline_buttons_in_black(contrast_page):
    page = contrast_page
    # "Tout afficher" (secondary) after a search, "Télécharger l'attestation" (primary).
    page.goto(reverse("billing:ledger") + "?q=REG")
    buttons = page.locator("main [class*='btn-outline-']")
    kinds = set()
    for button in buttons.all():
        kinds |= {c for c in button.get_attribute("class").split() if c.startswith("btn-outline")}
        found = styles(button, "color", "backgroundColor", "borderTopColor", "borderTopWidth")
        assert found == {
            "color": BLACK,
            "backgroundColor": WHITE,
            "borderTopColor": BLACK,
            "borderTopWidth": "2px",
        }, button.text_content()
    assert {"btn-outline-primary", "btn-outline-secondary"} <= kinds
    # Reversed under the pointer.
    button = page.get_by_role("button", name="Télécharger l'attestation")
    button.hover()
    page.wait_for_timeout(300)  # Bootstrap's colour transition
    assert styles(button, "color", "backgroundColor") == {
        "color": WHITE,
        "backgroundColor": BLACK,
    }


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_high_contrast_selects_show_their_options_whole(contrast_page, width):
    page = contrast_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(reverse("billing:ledger"))
    selects = page.evaluate(SELECTS_JS)
    assert {select["name"] for select in selects} >= {"periode", "type"}
    cut = [select for select in selects if select["needed"] > select["room"]]
    assert cut == [], cut


@pytest.mark.parametrize("path", ["/mot-de-passe-perdu/envoye/", "/page-qui-nexiste-pas/"])
def test_the_footer_closes_a_short_page(page, path):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(path)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height == 1000
    footer = page.locator("footer").bounding_box()
    assert footer["y"] + footer["height"] == pytest.approx(1000, abs=0.5)
