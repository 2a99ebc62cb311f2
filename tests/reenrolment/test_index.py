"""The Réinscription page: open campaigns, the next one, the follow-up of requests."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reenrolment.models import Campaign, Request
from tests.factories import StudentFactory
from tests.reenrolment.conftest import CLOSES_AT, OPENS_AT, enrol
from tests.reenrolment.factories import CampaignFactory, LineFactory, RequestFactory
from tests.reenrolment.helpers import text

URL = reverse("reenrolment:index")


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_it_says_when_no_campaign_is_planned(family_client, clock):
    html = text(family_client.get(URL))
    assert "Aucune campagne de réinscription ou d'inscription n'est ouverte" in html
    assert "Aucune campagne n'est prévue pour le moment." in html


def test_it_says_when_the_next_campaign_opens(family_client, family_user, campaign, lea, clock):
    clock.set(OPENS_AT - timedelta(days=3))
    family_client.force_login(family_user)
    html = text(family_client.get(URL))
    assert "La prochaine, « Réinscriptions 2027-2028 », ouvrira le 1er mai 2027 à 9 h 00." in html
    assert "Faire la demande" not in html


def test_it_lists_the_familys_students_with_the_deadline(
    family_client, campaign, lea, ines, outsider_student, family, clock
):
    StudentFactory(family=family, first_name="Zoé")  # not enrolled this season
    html = text(family_client.get(URL))
    assert "Demandes ouvertes jusqu'au 30 juin 2027 à 23 h 59." in html
    assert "Pour la saison 2027-2028." in html
    assert "Répondez avant l'été." in html
    assert "Faire la demande de Léa" in html
    assert "Faire la demande d'Inès" in html
    assert "Cette saison :" in html
    assert "Piano 2026, Violon 2026" in html
    assert "Zoé" not in html
    assert "Paul" not in html
    assert 'href="/eleves/"' in html
    assert "Inscrire un nouvel enfant" not in html


def test_a_student_with_a_request_stays_listed_without_an_enrolment(
    family_client, campaign, lea, family, clock
):
    zoe = StudentFactory(family=family, first_name="Zoé")
    RequestFactory(campaign=campaign, student=zoe)
    html = text(family_client.get(URL))
    assert "Voir la demande de Zoé" in html
    assert "Faire la demande de Léa" in html


def test_it_shows_each_request_status_and_the_documents(
    family_client, campaign, lea, ines, school, clock
):
    LineFactory(request=RequestFactory(campaign=campaign, student=lea), discipline=school.piano)
    waiting = RequestFactory(campaign=campaign, student=ines, status=Request.Status.WAITLISTED)
    LineFactory(
        request=waiting, discipline=school.dance, decision="waitlisted", waitlist_position=3
    )
    html = text(family_client.get(URL))
    assert "Voir la demande de Léa" in html
    assert "envoyée" in html
    assert "liste d'attente (position 3)" in html
    assert "Justificatif de domicile de moins de 3 mois" in html
    assert "Attestation sur l'honneur ou certificat médical (danse) — Inès DUPONT" in html


def test_after_the_close_the_family_follows_its_decided_requests(
    family_client, family_user, campaign, lea, school, clock
):
    refused = RequestFactory(campaign=campaign, student=lea, status=Request.Status.REFUSED)
    LineFactory(
        request=refused, discipline=school.piano, decision="refused", refusal_reason="Complet"
    )
    clock.set(CLOSES_AT + timedelta(days=2))
    family_client.force_login(family_user)
    html = text(family_client.get(URL))
    assert "Vos demandes des campagnes closes" in html
    assert "refusée (Complet)" in html
    assert "Aucune campagne n'est prévue pour le moment." in html


def test_while_a_campaign_is_open_the_closed_ones_requests_are_listed_apart(
    family_client, campaign, lea, ines, school, clock
):
    closed = CampaignFactory(
        name="Inscriptions d'hiver",
        season=campaign.season,
        opens_at=OPENS_AT - timedelta(days=60),
        closes_at=OPENS_AT - timedelta(days=30),
    )
    refused = RequestFactory(campaign=closed, student=ines, status=Request.Status.REFUSED)
    LineFactory(
        request=refused, discipline=school.dance, decision="refused", refusal_reason="Complet"
    )
    RequestFactory(campaign=campaign, student=lea)
    html = text(family_client.get(URL))
    past = html.split("Vos demandes des campagnes closes")[1]
    assert "Inscriptions d'hiver" in past and "Inès DUPONT" in past
    assert "Léa" not in past and "Réinscriptions 2027-2028" not in past
    assert "Voir la demande de Léa" in html


def test_an_inscription_campaign_offers_every_student_and_a_new_child(
    family_client, campaign, lea, family, clock
):
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.ENROLMENT)
    StudentFactory(family=family, first_name="Zoé")
    html = text(family_client.get(URL))
    assert "Faire la demande de Zoé" in html
    assert "Inscrire un nouvel enfant de la famille" in html


@pytest.mark.parametrize("students", [1, 6])
def test_its_query_count_does_not_grow_with_the_students(
    family_client, campaign, family, school, clock, django_assert_max_num_queries, students
):
    for i in range(students):
        student = StudentFactory(family=family, first_name=f"Élève{i}")
        enrol(student, school.piano)
        LineFactory(
            request=RequestFactory(campaign=campaign, student=student), discipline=school.piano
        )
    with django_assert_max_num_queries(10):
        html = text(family_client.get(URL))
    assert html.count("Voir la demande d'Élève") == students
