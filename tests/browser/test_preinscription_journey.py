"""A new family applies from the landing page with two children and a document; staff accept
one child and waitlist the other; the family gets its access, chooses its password and sees
both students."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from preinscription.models import Application
from tests.conftest import staff_login
from tests.factories import StaffFactory
from tests.preinscription.conftest import make_school
from tests.preinscription.test_admin import decide
from tests.students.factories import pdf_bytes

PASSWORD = "Nouvelle-Famille-2026"


def link_in(message) -> str:
    found = re.search(r"https://portail\.example\.org(/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_new_family_applies_is_accepted_and_logs_in(page, outbox, tmp_path):
    school = make_school()
    proof = tmp_path / "facture-edf.pdf"
    proof.write_bytes(pdf_bytes())
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto("/")
    page.get_by_role("link", name="Pré-inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pré-inscription")
    page.locator("#id_r1-civility").select_option(label="Madame")
    page.locator("#id_r1-last_name").fill("Le Gall")
    page.locator("#id_r1-first_name").fill("Anne")
    page.locator("#id_r1-email").fill("anne.legall@example.org")
    page.locator("#id_famille-email").fill("anne.legall@example.org")
    page.locator("#id_famille-reference_mobile").fill("06 11 22 33 44")
    page.locator("#id_famille-address_line1").fill("3 rue des Lilas")
    page.locator("#id_famille-postal_code").fill("22440")
    page.locator("#id_famille-city").fill("Ploufragan")
    page.locator("#id_eleve1-last_name").fill("Le Gall")
    page.locator("#id_eleve1-first_name").fill("Maël")
    page.locator("#id_eleve1-birth_date").fill("2016-04-02")
    page.locator("#id_eleve1-wish_1").select_option(label="Piano")
    page.locator("#id_eleve2-last_name").fill("Le Gall")
    page.locator("#id_eleve2-first_name").fill("Lou")
    page.locator("#id_eleve2-birth_date").fill("2018-09-12")
    page.locator("#id_eleve2-wish_1").select_option(label="Violon")
    page.locator("#id_domicile-document_date").fill(timezone.localdate().isoformat())
    page.locator("#id_domicile-file").set_input_files(str(proof))
    page.get_by_label(re.compile("accepte le règlement intérieur")).check()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Envoyer la pré-inscription").click()
    expect(page.get_by_text("Votre pré-inscription est enregistrée")).to_be_visible()
    expect(page.get_by_text("Choix 1 — Piano : en attente de réponse")).to_be_visible()

    application = Application.objects.get()
    assert application.is_complete
    (receipt,) = outbox()
    assert application.reference in receipt.subject

    # Staff accept Maël in piano and put Lou on the violin's waiting list.
    staff = Client()
    staff_login(staff, StaffFactory(username="secretariat"))
    maël = application.wishes.get(discipline=school.piano)
    lou = application.wishes.get(discipline=school.violin)
    response = decide(
        staff,
        application,
        {
            maël: {"answer": "accepted", "course": school.piano_course},
            lou: {"answer": "waitlisted"},
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    decision = outbox()[-1]
    assert "Violon : liste d'attente (position 1)" in decision.body
    page.goto(link_in(decision))
    expect(page.get_by_text("Choix 1 — Piano : acceptée (Piano mercredi)")).to_be_visible()
    expect(page.get_by_text("Choix 1 — Violon : liste d'attente (position 1)")).to_be_visible()

    access_url = reverse(
        "admin:families_family_access", kwargs={"family_id": application.family_id, "rank": 1}
    )
    assert staff.post(access_url).status_code == 302
    access = outbox()[-1]
    assert access.to == ["anne.legall@example.org"]

    # The family chooses its password from the e-mail and sees both children.
    page.goto(link_in(access))
    page.get_by_label(re.compile("Nouveau mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, LE GALL Anne")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Élèves").click()
    expect(page.get_by_role("heading", name=re.compile("Maël"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Lou"))).to_be_visible()
