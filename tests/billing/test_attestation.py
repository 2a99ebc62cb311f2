"""The payment certificate a family generates for a season or a civil year."""

import re
from datetime import date
from decimal import Decimal

from django.urls import reverse

from billing import services
from tests.billing.factories import issued_invoice, payment, pdf_text, visible_text
from tests.factories import SeasonFactory, StudentFactory

URL = reverse("billing:attestation")


def test_it_lists_what_was_billed_and_paid_per_student(family_client, family):
    season = SeasonFactory()
    lea = StudentFactory(family=family, first_name="Léa", last_name="Dupont")
    hugo = StudentFactory(family=family, first_name="Hugo", last_name="Dupont")
    issued_invoice(family, "200.00", season=season, student=lea, issued_on=date(2026, 10, 1))
    second = issued_invoice(family, "100.00", season=season, student=hugo)
    services.issue_credit_note(
        invoice=second,
        lines=[services.LineData(label="Remise", amount=Decimal("40.00"), student=hugo)],
    )
    payment(family, "130.00", received_on=date(2026, 10, 2), season=season)
    response = family_client.get(URL, {"periode": f"s{season.pk}"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="attestation-paiement-')
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.getvalue())
    assert "ATTESTATION DE PAIEMENT" in text
    assert "Saison 2026-2027" in text
    assert "DUPONT Marie" in text
    assert "Léa DUPONT 200,00 € 100,00 €" in text
    assert "Hugo DUPONT 60,00 € 30,00 €" in text
    assert "Total 260,00 € 130,00 €" in text


def test_it_works_for_a_civil_year(family_client, family):
    issued_invoice(family, "50.00", issued_on=date(2025, 11, 2))
    issued_invoice(family, "70.00", issued_on=date(2026, 1, 5))
    payment(family, "20.00", received_on=date(2026, 1, 6))
    text = pdf_text(family_client.get(URL, {"periode": "a2026"}).getvalue())
    assert "Année 2026" in text
    assert "70,00 €" in text and "50,00 €" not in text


def test_it_asks_for_a_period(family_client):
    response = family_client.get(URL, {"periode": "nonsense"}, follow=True)
    assert "Choisissez une saison ou une année" in response.content.decode()


def seasons_with_and_without_payments(family):
    """Last season paid, this season billed only, next season (re-enrolment) without anything."""
    previous = SeasonFactory(
        name="2025-2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30), is_current=False
    )
    current = SeasonFactory()  # 2026-2027
    SeasonFactory(
        name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 6, 30), is_current=False
    )
    SeasonFactory(
        name="2019-2020", starts_on=date(2019, 9, 1), ends_on=date(2020, 6, 30), is_current=False
    )
    issued_invoice(family, "300.00", season=previous, issued_on=date(2025, 11, 19))
    payment(family, "300.00", received_on=date(2025, 12, 1), season=previous)
    issued_invoice(family, "186.00", season=current, issued_on=date(2026, 10, 5))
    return previous, current


def test_it_offers_only_the_periods_with_payments_the_latest_season_first(family_client, family):
    """Issue 12, item 17: no future season by default, no season or year without operation."""
    previous, _current = seasons_with_and_without_payments(family)
    html = family_client.get(reverse("billing:ledger")).content.decode()
    attestation = html.split('id="attestation-title"', 1)[1]
    options = re.findall(r"<option value=\"([^\"]*)\"( selected)?>([^<]*)</option>", attestation)
    assert [(value, label) for value, _selected, label in options] == [
        (f"s{previous.pk}", "Saison 2025-2026"),
        ("a2025", "Année 2025"),
    ]
    assert options[0][1] == " selected"
    # The ledger's own filter offers the periods with operations, and no other.
    search = html.split('id="search-title"', 1)[1].split("</form>", 1)[0]
    labels = re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]*)</option>", search)
    assert "Saison 2026-2027" in labels and "Année 2026" in labels
    assert "Saison 2027-2028" not in labels and "Saison 2019-2020" not in labels
    assert "Année 2027" not in labels and "Année 2020" not in labels


def test_it_refuses_a_period_without_payment_with_a_message(family_client, family):
    _previous, current = seasons_with_and_without_payments(family)
    response = family_client.get(URL, {"periode": f"s{current.pk}"})
    assert response.status_code == 302 and response["Location"] == reverse("billing:ledger")
    html = visible_text(family_client.get(response["Location"]).content.decode())
    assert (
        "Choisissez une saison ou une année où figure au moins un de vos règlements : une "
        "attestation de paiement ne porte pas sur une période sans règlement." in html
    )
    assert family_client.get(URL, {"periode": "a2027"}).status_code == 302


def test_without_any_payment_it_offers_no_attestation(family_client, family):
    issued_invoice(family, "186.00", issued_on=date(2026, 10, 5))
    html = visible_text(family_client.get(reverse("billing:ledger")).content.decode())
    assert "Télécharger l'attestation" not in html
    assert "l'attestation pourra être établie après votre premier règlement" in html


def test_a_family_discount_is_netted_against_what_was_billed(family_client, family):
    """A credit note naming no student (a family discount) is not a negative "Réglé" line."""
    season = SeasonFactory()
    lea = StudentFactory(family=family, first_name="Léa", last_name="Dupont")
    hugo = StudentFactory(family=family, first_name="Hugo", last_name="Dupont")
    invoice = services.issue_invoice(
        invoice=services.create_draft_invoice(
            family=family,
            season=season,
            label="Cotisations",
            lines=[
                services.LineData(label="Piano", amount=Decimal("200.00"), student=lea),
                services.LineData(label="Violon", amount=Decimal("100.00"), student=hugo),
            ],
        ),
        issued_on=date(2026, 10, 5),
    )
    services.issue_credit_note(
        invoice=invoice,
        lines=[services.LineData(label="Remise famille", amount=Decimal("30.00"))],
        issued_on=date(2026, 10, 6),
    )
    payment(family, "270.00", received_on=date(2026, 10, 7), season=season)
    text = pdf_text(family_client.get(URL, {"periode": f"s{season.pk}"}).getvalue())
    assert "Léa DUPONT 180,00 € 180,00 €" in text
    assert "Hugo DUPONT 90,00 € 90,00 €" in text
    assert "Total 270,00 € 270,00 €" in text
    assert "Autres prestations" not in text and not re.search(r"-\s?\d+,\d\d €", text)


def test_it_needs_a_login(client, db):
    assert client.get(URL)["Location"].startswith("/connexion/")


def test_it_covers_only_the_familys_own_documents(other_client, other_user, family):
    issued_invoice(family, "999.00", issued_on=date(2026, 1, 5))
    payment(family, "999.00", received_on=date(2026, 1, 6))
    payment(other_user.family, "15.00", received_on=date(2026, 1, 7))
    text = pdf_text(other_client.get(URL, {"periode": "a2026"}).getvalue())
    assert "999" not in text
