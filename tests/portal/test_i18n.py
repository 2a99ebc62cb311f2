"""English is complete and chosen by the visitor; French stays the default (and for e-mails)."""

import csv
import gettext
import html as html_lib
import io
import re
from datetime import date, timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Centre
from tests.billing.factories import issued_invoice, payment
from tests.conftest import log_in
from tests.factories import StudentFactory
from tests.families.factories import post_data as post_family
from tests.reenrolment.factories import CampaignFactory, RequestFactory
from tests.students.factories import dance_student, music_student

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# What a page says in French on purpose: the name of the other language, marked with its lang.
OTHER_LANGUAGE = re.compile(r'<(\w+)[^>]* lang="fr"[^>]*>.*?</\1>', re.S)


@pytest.fixture(autouse=True)
def _back_to_french():
    """A request in English leaves English active in this thread: later tests expect French."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def catalogue() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def french_msgids(min_length: int = 1) -> set[str]:
    """The French msgids whose English differs (so seeing one on an English page is a bug)."""
    return {
        entry.msgid
        for entry in catalogue()
        if len(entry.msgid) >= min_length
        and (entry.msgstr or entry.msgstr_plural[0]) != entry.msgid
    }


def choose(client, language: str, next_url: str = "/connexion/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_it_translates_every_msgid_without_fuzzy_entries():
    po = catalogue()
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not po.metadata_is_fuzzy
    assert len(po) > 700
    assert po.percent_translated() == 100, [entry.msgid for entry in po.untranslated_entries()]
    for entry in po:
        assert not entry.fuzzy, entry.msgid
        assert not entry.obsolete, entry.msgid
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0, 1}, entry.msgid
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            assert text.strip(), f"untranslated: {entry.msgid!r}"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (
                entry.msgid
            )


def test_it_ships_the_mo_compiled_from_the_po():
    with (LOCALE / "django.mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in catalogue():
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr_plural[1]
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_the_libraries_french_catalogue_is_complete_and_compiled():
    """locale/fr: the French of the libraries' English strings (post_office, axes' gaps)."""
    french = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
    po = polib.pofile(str(french / "django.po"))
    assert po.percent_translated() == 100
    with (french / "django.mo").open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    for entry in po:
        assert not entry.fuzzy and not entry.obsolete, entry.msgid
        assert sorted(re.findall(r"\{\w+\}", entry.msgstr)) == sorted(
            re.findall(r"\{\w+\}", entry.msgid)
        ), entry.msgid
        if entry.msgctxt:
            assert mo.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_it_speaks_french_by_default_and_offers_english(client, db):
    html = client.get("/connexion/").content.decode()
    assert '<html lang="fr"' in html
    assert "Mot de passe perdu" in html
    assert "Forgotten password" not in html
    # The switch: a POST form to set_language, with the CSRF token and the way back.
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="next" value="/connexion/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html
    assert '<span lang="fr" aria-current="true" class="fw-bold">Français</span>' in html


def test_it_shows_the_login_page_in_english_once_chosen(client, db):
    response = choose(client, "en")
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"
    html = client.get("/connexion/").content.decode()
    assert '<html lang="en"' in html
    assert "Forgotten password" in html
    assert "Mot de passe perdu" not in html
    assert '<button type="submit" name="language" value="fr" lang="fr">Français</button>' in html
    # And back to French.
    choose(client, "fr")
    assert "Mot de passe perdu" in client.get("/connexion/").content.decode()


def test_it_keeps_the_choice_made_before_logging_in(client, family_user, password):
    choose(client, "en")
    log_in(client, "dupont.marie", password)
    html = client.get(reverse("portal:home")).content.decode()
    for label in ["Home", "Family", "Students", "Re-enrolment", "Billing", "Accessibility"]:
        assert f">{label}</a>" in html
    assert ">Log out</button>" in html
    assert "Welcome, DUPONT Marie" in html
    assert ">Facturation</a>" not in html


def test_it_follows_an_english_browser_unless_the_visitor_chose(client, db):
    english = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
    assert "Forgotten password" in client.get("/connexion/", **english).content.decode()
    french = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}
    assert "Mot de passe perdu" in client.get("/connexion/", **french).content.decode()
    choose(client, "fr")
    assert "Mot de passe perdu" in client.get("/connexion/", **english).content.decode()


@pytest.mark.parametrize(
    ("language", "too_short", "numeric"),
    [
        (
            "en",
            "This password is too short. It must contain at least 12 characters.",
            "This password is entirely numeric.",
        ),
        (
            "fr",
            "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères.",
            "Ce mot de passe est entièrement numérique.",
        ),
    ],
)
def test_it_shows_djangos_own_messages_in_the_page_language(
    client, family_user, password, language, too_short, numeric
):
    choose(client, language)
    log_in(client, "dupont.marie", password)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": "12345", "new_password2": "12345"},
    )
    html = html_lib.unescape(response.content.decode())
    assert f'<html lang="{language}"' in html
    assert too_short in html
    assert numeric in html


def test_it_keeps_the_emails_french_for_an_english_visitor(client, family_user, outbox):
    choose(client, "en")
    client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"})
    (message,) = outbox()
    assert message.subject == "Choisir votre mot de passe du portail des familles"
    assert "Bonjour," in message.body


def test_it_never_mixes_french_into_the_english_pages(client, family, family_user, password):
    """Every family page, filled with data, in English: no French string of the catalogue."""
    student = music_student(family, first_name="Léa")
    dance_student(family, first_name="Inès")
    invoice = issued_invoice(family, "120.00")
    payment(family, "50.00", invoices=[invoice])
    now = timezone.now()
    campaign = CampaignFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    request = RequestFactory(campaign=campaign, student=student)
    choose(client, "en")
    log_in(client, "dupont.marie", password)
    pages = [
        reverse("portal:home"),
        reverse("families:detail"),
        reverse("students:list"),
        reverse("students:detail", args=[student.pk]),
        reverse("reenrolment:index"),
        reverse("reenrolment:request_detail", args=[request.pk]),
        reverse("billing:ledger"),
        reverse("billing:invoice", args=[invoice.number]),
        reverse("portal:accessibility"),
        reverse("accounts:password_change"),
        "/page-qui-n-existe-pas/",
    ]
    long_msgids = french_msgids(min_length=25)
    # The centre's own name is data, not interface text.
    all_msgids = french_msgids() - {Centre.objects.current().name}
    for url in pages:
        page = OTHER_LANGUAGE.sub("", html_lib.unescape(client.get(url).content.decode()))
        assert '<html lang="en"' in page, url
        texts = {text.strip() for text in re.findall(r">([^<>]+)<", page)}
        texts |= set(re.findall(r'(?:aria-label|title|placeholder)="([^"]+)"', page))
        assert not texts & all_msgids, (url, texts & all_msgids)
        assert not [msgid for msgid in long_msgids if msgid in page], url
        assert not re.search(r"\d à \d", page), url  # a French date, e.g. in the history
    client.post(reverse("accounts:logout"))
    for url in ["/", "/connexion/", reverse("accounts:password_reset")]:
        page = OTHER_LANGUAGE.sub("", html_lib.unescape(client.get(url).content.decode()))
        texts = {text.strip() for text in re.findall(r">([^<>]+)<", page)}
        assert not texts & all_msgids, (url, texts & all_msgids)


def test_it_shows_the_admin_in_english_but_exports_the_accounts_in_french(staff_client, family):
    issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    choose(staff_client, "en", "/admin/")
    assert "Centre management" in staff_client.get("/admin/").content.decode()
    response = staff_client.get(
        reverse("admin:billing_familyaccount_export"), {"start": "01/10/2026", "end": "31/10/2026"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date", "Type", "Numéro"]
    assert rows[1][1:3] == ["Facture", "2026FAC0001"]
    # The label as staff typed it (issue 12, item 23: no longer upper-cased by the portal).
    assert rows[1][4] == "Cotisations"


# --- each e-mail in its recipient's language; changes stored language-neutrally ------------


def _french_in(text: str) -> list[str]:
    """French strings of the catalogue (or French punctuation of dates) found in `text`."""
    centre = Centre.objects.current().name
    found = [msgid for msgid in french_msgids(min_length=10) if msgid in text and msgid != centre]
    found += [word for word in ["(vide)", "Foyer", "Ville", " à ", "modifiée"] if word in text]
    return found


def test_an_english_family_gets_its_receipt_in_english_from_the_french_portal(
    family_client, family, family_user, outbox
):
    family_user.language = "en"
    family_user.save()
    data = post_family(
        family,
        **{"famille-city": "Plérin", "responsable1-marital_status": "celibataire"},
    )
    response = family_client.post(reverse("families:detail"), data, follow=True)
    page = html_lib.unescape(response.content.decode())
    assert '<html lang="fr"' in page and "Ville" in page  # the portal stays in French
    (message,) = outbox()
    assert set(message.to) == set(family.email_recipients())
    assert message.subject.startswith("Acknowledgement: change to the family record")
    assert "The family record" in message.body
    assert f"Household — Town : {family.city} → Plérin" in message.body
    assert "Guardian 1 — Marital status : (empty) → Single" in message.body
    assert not _french_in(message.subject + message.body), _french_in(message.body)
    html = html_lib.unescape(message.alternatives[0][0])
    assert "Single" in html and "Célibataire" not in html and "(vide)" not in html


def test_a_french_family_gets_its_receipt_in_french_from_the_english_portal(
    client, family, password, outbox
):
    from tests.students.test_record import post_data as post_student

    student = StudentFactory(
        family=family, first_name="Inès", school="", image_rights=False, may_leave_alone=False
    )
    choose(client, "en")
    log_in(client, "dupont.marie", password)
    response = client.post(
        reverse("students:detail", args=[student.pk]),
        post_student(student, school="Collège Jean Macé", image_rights="True"),
        follow=True,
    )
    page = html_lib.unescape(response.content.decode())
    assert "School" in page  # the page speaks English to its reader
    (message,) = outbox()
    assert message.subject.startswith("Accusé de réception : modification de la fiche d'Inès")
    assert "Établissement scolaire : (vide) → Collège Jean Macé" in message.body
    assert "Droit à l'image" in message.body
    for english in ["the record of", "School", "(empty)", "Image rights", "Yes", "Acknowledg"]:
        assert english not in message.subject + message.body, english
    assert "La fiche d'Inès a été modifiée" in message.body


def test_the_history_shows_changes_made_in_english_in_the_readers_language(
    client, family, password, staff_client
):
    from tests.students.test_record import post_data as post_student

    student = StudentFactory(
        family=family, first_name="Inès", school="", image_rights=False, may_leave_alone=False
    )
    family_client = client.__class__()
    choose(family_client, "en")
    log_in(family_client, "dupont.marie", password)
    family_client.post(
        reverse("students:detail", args=[student.pk]),
        post_student(student, school="Collège Jean Macé", civility="mme"),
    )
    # Stored without labels: field names and raw values.
    (stored,) = student.history.filter(history_type="~").values_list(
        "history_change_reason", flat=True
    )
    assert {"model": "students.student", "field": "civility", "old": "", "new": "mme"} in [
        {key: item[key] for key in ("model", "field", "old", "new")} for item in stored
    ]
    # The family switches back to French: the same history reads in French.
    choose(family_client, "fr", reverse("students:detail", args=[student.pk]))
    page = html_lib.unescape(
        family_client.get(reverse("students:detail", args=[student.pk])).content.decode()
    )
    history = page.split('id="historique"')[1]
    assert "Établissement scolaire" in history and "Civilité" in history
    assert "Madame" in history and "(vide)" in history
    for english in ["School", "Title", "Mrs", "(empty)"]:
        assert english not in history, english
    # And so does the admin's, for staff reading in French.
    admin_page = html_lib.unescape(
        staff_client.get(f"/admin/students/student/{student.pk}/history/").content.decode()
    )
    assert "Établissement scolaire : ∅ → Collège Jean Macé" in admin_page
    assert "Civilité : ∅ → Madame" in admin_page


def test_the_password_reset_is_sent_in_the_accounts_language(client, family_user, outbox):
    family_user.language = "en"
    family_user.save()
    client.post(reverse("accounts:password_reset"), {"login": "dupont.marie"})  # French page
    (message,) = outbox()
    assert message.subject == "Choose your password for the families' portal"
    assert "Bonjour" not in message.body


def test_switching_the_portal_language_keeps_the_accounts_preference(client, family_user, password):
    choose(client, "en")  # before logging in: no account to remember it
    family_user.refresh_from_db()
    assert family_user.language == "fr"
    log_in(client, "dupont.marie", password)
    choose(client, "en", reverse("portal:home"))
    family_user.refresh_from_db()
    assert family_user.language == "en"
    choose(client, "xx", reverse("portal:home"))  # not offered: ignored
    family_user.refresh_from_db()
    assert family_user.language == "en"
    choose(client, "fr", reverse("portal:home"))
    family_user.refresh_from_db()
    assert family_user.language == "fr"


def test_the_accessibility_page_sets_the_language_of_the_portal_and_e_mails(
    family_client, family_user
):
    page = family_client.get(reverse("portal:accessibility")).content.decode()
    assert 'name="language"' in page
    response = family_client.post(
        reverse("portal:accessibility"), {"language": "en", "large_text": "on"}, follow=True
    )
    family_user.refresh_from_db()
    assert (family_user.language, family_user.large_text) == ("en", True)
    html = response.content.decode()
    assert '<html lang="en"' in html  # the portal follows at once
    assert "Your display preferences are saved." in html


def test_staff_decisions_reach_the_family_in_its_language(family, family_user, staff_user, outbox):
    from students.models import DocumentKind
    from students.services import review_document
    from tests.students.factories import DocumentFactory

    family_user.language = "en"
    family_user.save()
    student = StudentFactory(family=family, first_name="Inès")
    document = DocumentFactory(student=student, kind=DocumentKind.HEALTH_STATEMENT)
    staff_user.is_superuser = True
    staff_user.save()
    with translation.override("fr"):  # the staff member's admin is in French
        review_document(document=document, validate=False, reason="Illisible", reviewer=staff_user)
    (message,) = outbox()
    assert "Illisible" in message.body
    assert str(DocumentKind.HEALTH_STATEMENT.label) not in message.body + message.subject
    with translation.override("en"):
        assert str(DocumentKind.HEALTH_STATEMENT.label) in message.subject + message.body


def test_logging_in_shows_the_portal_in_the_accounts_language(client, family_user, password):
    family_user.language = "en"
    family_user.save()
    log_in(client, "dupont.marie", password)  # a browser that never chose: French login page
    assert '<html lang="en"' in client.get(reverse("portal:home")).content.decode()
    # A choice made on the browser wins.
    other = client.__class__()
    choose(other, "fr")
    log_in(other, "dupont.marie", password)
    assert '<html lang="fr"' in other.get(reverse("portal:home")).content.decode()


def test_billing_e_mails_follow_the_familys_language(family, family_user, outbox):
    family_user.language = "en"
    family_user.save()
    with translation.override("fr"):  # issued from a French admin
        invoice = issued_invoice(family, "120.00")
        payment(family, "50.00", invoices=[invoice])
    subjects = [message.subject for message in outbox()]
    assert subjects[0].startswith(f"New invoice {invoice.number}")
    assert not any("Nouvelle facture" in subject or "Reçu" in subject for subject in subjects)
    assert len(subjects) == 2
