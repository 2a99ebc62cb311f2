"""A centre with this season (2026-2027, current), last one and next one, and courses with
places: Piano mercredi (2 places) this season."""

from dataclasses import dataclass
from datetime import date

import pytest

from students.models import Course, Department, Discipline, Season
from tests.factories import (
    CourseFactory,
    DepartmentFactory,
    DisciplineFactory,
    FamilyFactory,
    SeasonFactory,
    StudentFactory,
)


@dataclass
class Centre:
    current: Season
    previous: Season
    next: Season
    piano: Discipline
    dance: Discipline
    piano_course: Course  # current season, 2 places
    dance_course: Course  # current season, not limited


@pytest.fixture
def centre(db):
    current = SeasonFactory()
    previous = SeasonFactory(
        name="2025-2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30), is_current=False
    )
    next_season = SeasonFactory(
        name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 6, 30), is_current=False
    )
    music = DepartmentFactory(name="Musique", kind=Department.Kind.MUSIC)
    dance_department = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    piano = DisciplineFactory(name="Piano", department=music)
    dance = DisciplineFactory(name="Danse classique", department=dance_department)
    return Centre(
        current=current,
        previous=previous,
        next=next_season,
        piano=piano,
        dance=dance,
        piano_course=CourseFactory(
            season=current, discipline=piano, name="Piano mercredi", capacity=2, room="Salle 1"
        ),
        dance_course=CourseFactory(season=current, discipline=dance, name="Classique mardi"),
    )


def new_student(first_name: str, last_name: str = "Durand", **kwargs):
    return StudentFactory(
        family=kwargs.pop("family", None) or FamilyFactory(name=last_name),
        first_name=first_name,
        last_name=last_name,
        **kwargs,
    )
