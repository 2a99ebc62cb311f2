"""Issue 12, item 20: at 375 px every family page fits the screen (no horizontal scrolling,
nothing cut off on the right), and the ledger's amounts and the enrolments' teacher and
times are on screen: below the small breakpoint tables read as stacked cards."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.demo import seed_demo

PHONE = {"width": 375, "height": 740}

# Every element whose box ends beyond the viewport's right edge (visually hidden ones, 1 px
# clipped boxes, are skipped), and the page's scroll width.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  // Inside a visually hidden box (Bootstrap's .visually-hidden: 1 px, clipped).
  const clipped = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.clip !== 'auto' && style.position === 'absolute') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || clipped(el)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const text = (el.innerText || el.value || '').trim().slice(0, 40);
      found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
        + `[${Math.round(box.left)}–${Math.round(box.right)}] «${text}»`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, found};
}
"""


def family_pages() -> dict[str, str]:
    from accounts.models import User
    from billing.models import Invoice
    from reenrolment.models import Campaign

    family = User.objects.get(username="demo").family
    student = family.students.order_by("pk").first()
    campaign = Campaign.objects.order_by("-opens_at").first()
    invoice = Invoice.objects.filter(family=family, number__isnull=False).first()
    return {
        "Accueil": reverse("portal:home"),
        "Famille": reverse("families:detail"),
        "Élèves": reverse("students:list"),
        "Fiche élève": reverse("students:detail", kwargs={"pk": student.pk}),
        "Réinscription": reverse("reenrolment:index"),
        "Demande": reverse(
            "reenrolment:request_form",
            kwargs={"campaign_pk": campaign.pk, "student_pk": student.pk},
        ),
        "Facturation": reverse("billing:ledger"),
        "Facture": reverse("billing:invoice", kwargs={"number": invoice.number}),
        "Payer en ligne": reverse("payments:start"),
        "Accessibilité": reverse("portal:accessibility"),
        "Mot de passe": reverse("accounts:password_change"),
    }


def overflow(page) -> list[str]:
    result = page.evaluate(OVERFLOW_JS)
    problems = [f"{page.url}: {item}" for item in result["found"][:8]]
    if result["scrollWidth"] > 375:
        problems.insert(0, f"{page.url}: scrollWidth {result['scrollWidth']} > 375")
    return problems


def assert_on_screen(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
        f"{locator} is off-screen: {box}"
    )


@pytest.fixture
def demo_phone(page, settings):
    seed_demo(settings)
    page.set_viewport_size(PHONE)
    log_in(page, "demo", "Demo-Portail-2026")
    page.wait_for_url("**/accueil/")
    return page


def change_school(page, school: str) -> None:
    """A change of the first student's record, so that its history lists "Avant" and
    "Après"."""
    page.goto(family_pages()["Fiche élève"])
    page.get_by_label("Établissement scolaire").fill(school)
    for question in ["Droit à l'image", "Autorisation de sortie"]:
        page.get_by_role("group", name=question).get_by_label("Oui").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#historique .pf-changes")).not_to_have_count(0)


def test_every_family_page_fits_a_375px_screen(demo_phone):
    page = demo_phone
    pages = family_pages()
    change_school(page, "Collège Jean-Baptiste-Marie-Le-Bris de Bellerive-sur-Mer")

    found = []
    for path in pages.values():
        page.goto(path)
        found += overflow(page)
    assert found == [], "\n".join(found)


def test_the_history_keeps_words_whole(demo_phone):
    page = demo_phone
    change_school(page, "Collège de Bellerive")
    history = page.locator("#historique")
    for word in ["Avant", "Après"]:
        label = history.get_by_text(word, exact=True).first
        if label.count():  # column headers of a table
            box = label.bounding_box()
            line_height = float(
                label.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24")
            )
            assert box["height"] < 1.5 * line_height, f"« {word} » is broken over lines"
    # Stacked: each value is introduced by its label, on one line.
    labels = history.locator("td[data-label]")
    expect(labels.first).to_be_visible()
    before = history.locator("td[data-label='Avant']").first
    assert_on_screen(before)
    label_text = before.evaluate("e => getComputedStyle(e, '::before').content")
    assert "Avant" in label_text


def test_the_ledger_shows_its_amounts_on_screen(demo_phone):
    page = demo_phone
    page.goto(reverse("billing:ledger"))
    rows = page.locator(".pf-ledger tbody tr")
    expect(rows).not_to_have_count(0)
    first = rows.first
    # The label, and the debit or credit amount of the most recent operation, are readable.
    assert_on_screen(first.locator("td").nth(3))
    amounts = first.locator("td.pf-amount", has_text="€")
    expect(amounts).to_have_count(1)
    assert_on_screen(amounts.first)
    # Every amount of the ledger, and what it is (Débit or Crédit), is on screen.
    for index in range(rows.count()):
        for cell in rows.nth(index).locator("td.pf-amount", has_text="€").all():
            assert_on_screen(cell)
            assert cell.get_attribute("data-label") in ("Débit", "Crédit")
    assert overflow(page) == []


def test_the_enrolments_show_teacher_and_times_on_screen(demo_phone):
    page = demo_phone
    for path in [reverse("students:list"), family_pages()["Fiche élève"]]:
        page.goto(path)
        assert_on_screen(page.locator(".pf-enrolments td", has_text="Mme LE GALL").first)
        assert_on_screen(page.locator(".pf-enrolments td", has_text="mercredi 14").first)
        assert overflow(page) == []
