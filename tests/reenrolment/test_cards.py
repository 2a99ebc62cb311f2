"""The Accueil card while a campaign is open and the family has not answered."""

from datetime import timedelta

from django.urls import reverse

from reenrolment.cards import home_cards
from reenrolment.models import Campaign
from tests.reenrolment.conftest import CLOSES_AT
from tests.reenrolment.factories import RequestFactory
from tests.reenrolment.helpers import text


def test_it_invites_the_family_while_the_campaign_is_open(family_client, campaign, lea, clock):
    html = text(family_client.get(reverse("portal:home")))
    assert "Réinscriptions 2027-2028" in html
    assert "Les demandes sont ouvertes jusqu'au 30 juin 2027 à 23 h 59." in html
    assert 'href="/reinscription/"' in html


def test_it_goes_once_every_student_has_a_request(
    family, campaign, lea, ines, clock, django_assert_max_num_queries
):
    RequestFactory(campaign=campaign, student=lea)
    assert len(home_cards(family)) == 1
    RequestFactory(campaign=campaign, student=ines)
    with django_assert_max_num_queries(2):
        assert home_cards(family) == []


def test_it_goes_when_the_campaign_closes(family, campaign, lea, clock):
    clock.set(CLOSES_AT)
    assert home_cards(family) == []


def test_it_is_not_shown_to_a_family_without_students_this_season(family, campaign, clock):
    assert home_cards(family) == []


def test_an_inscription_campaign_shows_until_the_family_answers(family, campaign, clock):
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.ENROLMENT)
    assert len(home_cards(family)) == 1
    clock.set(campaign.opens_at - timedelta(seconds=1))
    assert home_cards(family) == []
