"""A school during a pré-inscription period: next season's catalogue (piano, violon in music;
danse classique in dance), its courses, an open period with the règlement to accept."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from reenrolment.models import Campaign
from students.models import Course, Department, Discipline
from tests.factories import CourseFactory, DepartmentFactory, DisciplineFactory
from tests.reenrolment.factories import CampaignFactory, NextSeasonFactory, RequirementFactory


@dataclass
class School:
    campaign: Campaign
    piano: Discipline
    violin: Discipline
    dance: Discipline
    piano_course: Course
    violin_course: Course
    dance_course: Course
    other_piano_course: Course


@pytest.fixture
def school(db):
    return make_school()


def make_school() -> School:
    music = DepartmentFactory(name="Musique", kind=Department.Kind.MUSIC)
    dance_dept = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    piano = DisciplineFactory(name="Piano", department=music)
    violin = DisciplineFactory(name="Violon", department=music)
    dance = DisciplineFactory(name="Danse classique", department=dance_dept)
    season = NextSeasonFactory()
    now = timezone.now()
    campaign = CampaignFactory(
        name="Pré-inscriptions 2027-2028",
        season=season,
        kind=Campaign.Kind.PREREGISTRATION,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        disciplines=[piano, violin, dance],
        requirements=[RequirementFactory()],
    )
    return School(
        campaign=campaign,
        piano=piano,
        violin=violin,
        dance=dance,
        piano_course=CourseFactory(season=season, discipline=piano, name="Piano mercredi"),
        violin_course=CourseFactory(season=season, discipline=violin, name="Violon samedi"),
        dance_course=CourseFactory(season=season, discipline=dance, name="Danse éveil"),
        other_piano_course=CourseFactory(discipline=piano, name="Piano saison en cours"),
    )


def form_data(school, **overrides) -> dict:
    """A valid application: one responsable, two children (piano; dance then violin)."""
    requirement = school.campaign.requirements.get()
    data = {
        "r1-civility": "mme",
        "r1-last_name": "Le Gall",
        "r1-first_name": "Anne",
        "r1-email": "anne.legall@example.org",
        "r1-mobile": "06 11 22 33 44",
        "famille-email": "anne.legall@example.org",
        "famille-reference_mobile": "06 11 22 33 44",
        "famille-address_line1": "3 rue des Lilas",
        "famille-postal_code": "22440",
        "famille-city": "Ploufragan",
        f"famille-consent_{requirement.pk}": "on",
        "eleve1-last_name": "Le Gall",
        "eleve1-first_name": "Maël",
        "eleve1-birth_date": "2016-04-02",
        "eleve1-wish_1": str(school.piano.pk),
        "eleve2-last_name": "Le Gall",
        "eleve2-first_name": "Lou",
        "eleve2-birth_date": "2018-09-12",
        "eleve2-wish_1": str(school.dance.pk),
        "eleve2-wish_2": str(school.violin.pk),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
