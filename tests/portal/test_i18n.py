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
    assert rows[1][4] == "COTISATIONS"
