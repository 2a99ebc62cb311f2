"""The payment certificate a family generates for a season or a civil year."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from billing import services
from tests.billing.factories import issued_invoice, payment, pdf_text
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
    text = pdf_text(family_client.get(URL, {"periode": "a2026"}).getvalue())
    assert "Année 2026" in text
    assert "70,00 €" in text and "50,00 €" not in text


def test_it_asks_for_a_period(family_client):
    response = family_client.get(URL, {"periode": "nonsense"}, follow=True)
    assert "Choisissez une saison ou une année" in response.content.decode()


def test_it_needs_a_login(client, db):
    assert client.get(URL)["Location"].startswith("/connexion/")


def test_it_covers_only_the_familys_own_documents(other_client, family):
    issued_invoice(family, "999.00", issued_on=date(2026, 1, 5))
    text = pdf_text(other_client.get(URL, {"periode": "a2026"}).getvalue())
    assert "999" not in text
