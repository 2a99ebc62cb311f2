"""The sample files of docs/import-sample and the catalogue they name (the demo's courses)."""

from datetime import time
from pathlib import Path

import pytest

from importing.services import import_file
from students.models import Weekday
from tests.factories import CourseFactory, DepartmentFactory, DisciplineFactory, SeasonFactory

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import-sample"
BAD = SAMPLE / "erreurs"
ORDER = ["familles", "responsables", "eleves", "inscriptions"]


def sample(kind: str) -> bytes:
    return (SAMPLE / f"{kind}.csv").read_bytes()


def bad_sample(kind: str) -> bytes:
    return (BAD / f"{kind}.csv").read_bytes()


def import_samples(*kinds: str) -> dict:
    """Imports the sample files of `kinds` (all, in order, by default): their summaries."""
    from importing.services import summarize

    return {kind: summarize(import_file(kind, sample(kind))) for kind in kinds or ORDER}


@pytest.fixture
def catalogue(db):
    """The demo's season and courses, which the sample's enrolments name."""
    season = SeasonFactory(name="2026-2027")
    music = DepartmentFactory(name="Musique")
    dance = DepartmentFactory(name="Danse", kind="dance")
    courses = {}
    for index, (name, discipline, department) in enumerate(
        [
            ("Piano 2e cycle", "Piano", music),
            ("FM 1re année", "Formation musicale", music),
            ("Violon 1er cycle", "Violon", music),
            ("Classique enfants", "Danse classique", dance),
            ("Contemporain ados", "Danse contemporaine", dance),
        ]
    ):
        courses[name] = CourseFactory(
            season=season,
            discipline=DisciplineFactory(name=discipline, department=department),
            name=name,
            teacher=f"Professeur {index}",
            weekday=Weekday.WEDNESDAY,
            start_time=time(9 + index),
            end_time=time(10 + index),
        )
    return courses
