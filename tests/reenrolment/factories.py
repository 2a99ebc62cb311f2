"""Factories of the Réinscription tab."""

from datetime import datetime
from zoneinfo import ZoneInfo

import factory

from reenrolment.models import Campaign, Line, Request, Requirement
from tests.factories import SeasonFactory, StudentFactory

PARIS = ZoneInfo("Europe/Paris")
OPENS_AT = datetime(2027, 5, 1, 9, 0, tzinfo=PARIS)
CLOSES_AT = datetime(2027, 6, 30, 23, 59, tzinfo=PARIS)


class NextSeasonFactory(SeasonFactory):
    name = "2027-2028"
    starts_on = datetime(2027, 9, 1).date()
    ends_on = datetime(2028, 6, 30).date()
    is_current = False


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement
        django_get_or_create = ["name"]

    name = "Règlement intérieur"
    text = "J'ai lu et j'accepte le règlement intérieur."


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = "Réinscriptions 2027-2028"
    season = factory.SubFactory(NextSeasonFactory)
    kind = Campaign.Kind.REENROLMENT
    opens_at = OPENS_AT
    closes_at = CLOSES_AT

    @factory.post_generation
    def disciplines(self, create, extracted, **kwargs):
        if create and extracted:
            self.disciplines.set(extracted)

    @factory.post_generation
    def requirements(self, create, extracted, **kwargs):
        if create and extracted:
            self.requirements.set(extracted)


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Request

    campaign = factory.SubFactory(CampaignFactory)
    student = factory.SubFactory(StudentFactory)
    submitted_at = OPENS_AT
    updated_at = OPENS_AT


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    request = factory.SubFactory(RequestFactory)
    kind = Line.Kind.WISH
