"""Keyboard only (no mouse): log in, edit the family record, upload a document, download an
invoice PDF, with the demo data; focus is always visible and lands where expected."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.models import User
from students.models import Document
from students.services import review_document
from tests.demo import seed_demo
from tests.students.factories import pdf_bytes

MAX_TABS = 120


FOCUS_STATE = """target => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        isTarget: element === target,
        isBody: element === document.body,
        outline: style.outlineStyle + " " + style.outlineWidth,
        visible: box.width > 1 && box.height > 1,
        element: element.outerHTML.slice(0, 160),
    };
}"""


def _focus_state(page, locator=None) -> dict:
    target = locator.element_handle() if locator is not None else None
    return page.evaluate(FOCUS_STATE, target)


def _is_focused(page, locator) -> bool:
    return _focus_state(page, locator)["isTarget"]


def _assert_visible_focus(state: dict) -> None:
    """The portal's focus ring (a 3 px outline) on an element that is on screen."""
    assert state["outline"] == "solid 3px" and state["visible"], state


def _focus_is_visible(page) -> None:
    _assert_visible_focus(_focus_state(page))


def _tab_to(page, locator, *, key="Tab") -> None:
    """Presses Tab (or Shift+Tab) until `locator` has the focus, checking each stop is visible."""
    target = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_STATE, target)
        if not state["isBody"]:
            _assert_visible_focus(state)
        if state["isTarget"]:
            return
    raise AssertionError(f"{MAX_TABS} × {key} never reached {locator}")


def _choose_file_with_space(page, path) -> None:
    """Space on the focused file input opens the file chooser. Headless Chromium on a loaded
    machine now and then drops that first key press (the chooser never opens): the key is
    pressed again, still from the keyboard, at most three times."""
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(str(path))
        return


def _recent_day_equal_to_month() -> date:
    """A date of the last 80 days typed the same in dd/mm/yyyy and mm/dd/yyyy (the order of a
    date field follows the browser's own language, whatever the page's)."""
    today = timezone.localdate()
    return max(
        day
        for day in (
            date(year, month, month)
            for year in (today.year - 1, today.year)
            for month in range(1, 13)
        )
        if today - timedelta(days=80) <= day <= today
    )


def _type_over(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_family_goes_through_the_portal_with_the_keyboard_only(page, settings, tmp_path):
    seed_demo(settings)
    # The secretariat refused the demo family's proof of address: a new one is expected.
    family = User.objects.get(username="demo").family
    waiting = Document.objects.get(family=family, is_current=True, kind="address")
    review_document(
        document=waiting,
        validate=False,
        reason="Le document est coupé.",
        reviewer=User.objects.get(username="admin"),
    )
    scan = tmp_path / "justificatif.pdf"
    scan.write_bytes(pdf_bytes())

    # Login: the identifiant field has the focus on arrival.
    page.goto("/connexion/")
    assert _is_focused(page, page.get_by_label("Identifiant ou e-mail"))
    page.keyboard.type("demo")
    page.keyboard.press("Tab")
    assert _is_focused(page, page.locator("#id_password"))
    _focus_is_visible(page)
    page.keyboard.type("Demo-Portail-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Accueil", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    # Accueil: the skip link comes first and leads to the content; the tabs are back up.
    page.keyboard.press("Tab")
    assert _is_focused(page, page.get_by_role("link", name="Aller au contenu"))
    _focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    _tab_to(page, page.get_by_role("link", name="Famille", exact=True), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche famille")

    # Famille: change the city, save with the button, see "Éléments modifiés".
    _tab_to(page, page.get_by_label("Ville"))
    _type_over(page, "Plérin")
    _tab_to(page, page.get_by_role("button", name="Enregistrer"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Vos modifications sont enregistrées.")).to_be_visible()
    changes = page.get_by_role("region", name="Éléments modifiés")
    expect(changes.get_by_role("row", name=re.compile("Foyer — Ville"))).to_contain_text("Plérin")

    # Élèves: open Léa's page and send a new proof of address.
    _tab_to(page, page.get_by_role("link", name="Élèves", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiches élèves")
    _tab_to(page, page.get_by_role("link", name="Léa TEST"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche élève : Léa TEST")
    expect(page.locator("#statut-address")).to_contain_text("refusé")
    date_field = page.get_by_label("Date du justificatif")
    _tab_to(page, date_field)
    day = _recent_day_equal_to_month()
    page.keyboard.type(day.strftime("%d%m%Y"))
    expect(date_field).to_have_value(day.isoformat())
    _tab_to(page, page.locator("#id_address-file"))
    _choose_file_with_space(page, scan)
    _tab_to(page, page.locator("form:has(#id_address-file)").get_by_role("button", name="Importer"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Document reçu : le secrétariat va le vérifier.")).to_be_visible()
    expect(page.locator("#statut-address")).to_have_text("reçu – en cours de vérification")

    # Facturation: the latest invoice's PDF, downloaded from the ledger.
    _tab_to(page, page.get_by_role("link", name="Facturation", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturation")
    pdf_link = page.get_by_role("link", name=re.compile(r"^\d{4}FAC\d{4} — télécharger le PDF"))
    _tab_to(page, pdf_link.first)
    number = pdf_link.first.inner_text().split()[0]
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"{number}.pdf"
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"

    # Back up the page with Shift+Tab: the focus stays visible on the way.
    _tab_to(page, page.get_by_role("link", name="Accueil", exact=True), key="Shift+Tab")
