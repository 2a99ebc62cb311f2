"""A school at the time of a réinscription campaign: this season 2026-2027, the next one
2027-2028 with its courses, an open campaign, and the family's two students.

The clock is frozen (`clock` fixture) by replacing `django.utils.timezone.now`."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from students.models import Course, Department, Discipline, Student
from tests.factories import (
    CourseFactory,
    DepartmentFactory,
    DisciplineFactory,
    EnrolmentFactory,
    SeasonFactory,
    StudentFactory,
)
from tests.reenrolment.factories import (
    CLOSES_AT,
    OPENS_AT,
    CampaignFactory,
    NextSeasonFactory,
    RequirementFactory,
)

DURING = OPENS_AT + timedelta(days=10)


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, moment: datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Autouse, so that the clock is set before any login (sessions expire after 8 hours)."""
    clock = Clock(monkeypatch)
    clock.set(DURING)
    return clock


@dataclass
class School:
    piano: Discipline
    violin: Discipline
    dance: Discipline
    guitar: Discipline
    piano_next: Course
    piano_next_saturday: Course
    violin_next: Course
    dance_next: Course
    guitar_next: Course


@pytest.fixture
def school(db):
    current = SeasonFactory()
    next_season = NextSeasonFactory()
    music = DepartmentFactory(name="Musique", kind=Department.Kind.MUSIC)
    dance_department = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    piano = DisciplineFactory(name="Piano", department=music)
    violin = DisciplineFactory(name="Violon", department=music)
    guitar = DisciplineFactory(name="Guitare", department=music)
    dance = DisciplineFactory(name="Danse classique", department=dance_department)
    for discipline in (piano, violin, dance):
        CourseFactory(season=current, discipline=discipline, name=f"{discipline.name} 2026")
    return School(
        piano=piano,
        violin=violin,
        dance=dance,
        guitar=guitar,
        piano_next=CourseFactory(
            season=next_season,
            discipline=piano,
            name="Piano mercredi",
            weekday=3,
            start_time=time(14),
            end_time=time(14, 30),
        ),
        piano_next_saturday=CourseFactory(
            season=next_season, discipline=piano, name="Piano samedi", weekday=6
        ),
        violin_next=CourseFactory(
            season=next_season, discipline=violin, name="Violon samedi", weekday=6
        ),
        dance_next=CourseFactory(
            season=next_season, discipline=dance, name="Classique mardi", weekday=2
        ),
        guitar_next=CourseFactory(
            season=next_season, discipline=guitar, name="Guitare lundi", weekday=1
        ),
    )


@pytest.fixture
def consent(db):
    return RequirementFactory()


@pytest.fixture
def campaign(school, consent):
    return CampaignFactory(
        season=NextSeasonFactory(),
        disciplines=[school.piano, school.violin, school.dance],
        requirements=[consent],
        instructions="Répondez avant l'été.",
    )


def enrol(student: Student, discipline: Discipline) -> None:
    course = Course.objects.get(season__is_current=True, discipline=discipline)
    EnrolmentFactory(student=student, course=course)


@pytest.fixture
def lea(family, school):
    """Piano and violin this season."""
    student = StudentFactory(family=family, first_name="Léa", last_name="Dupont")
    enrol(student, school.piano)
    enrol(student, school.violin)
    return student


@pytest.fixture
def ines(family, school):
    """Dance this season."""
    student = StudentFactory(family=family, first_name="Inès", last_name="Dupont")
    enrol(student, school.dance)
    return student


@pytest.fixture
def outsider_student(other_user, school):
    student = StudentFactory(family=other_user.family, first_name="Paul", last_name="Martin")
    enrol(student, school.piano)
    return student


__all__ = ["CLOSES_AT", "DURING", "OPENS_AT"]
