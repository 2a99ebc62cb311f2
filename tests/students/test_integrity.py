"""Staff cannot record what cannot be: a season ending before it starts, a course ending before
it starts, a teacher or a room in two places at once, the same child twice in a family; the
same child in another family is a warning (issue 12, item 6)."""

import html
from datetime import date, time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from students.models import Course, Season, Student
from tests.factories import (
    CourseFactory,
    DisciplineFactory,
    FamilyFactory,
    ResponsableFactory,
    SeasonFactory,
    StudentFactory,
)


def page(response) -> str:
    return html.unescape(response.content.decode())


# --- seasons -------------------------------------------------------------------------------


def test_a_season_ending_before_it_starts_is_refused_in_admin(staff_client):
    response = staff_client.post(
        "/admin/students/season/add/",
        {"name": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2027-06-30"},
    )
    assert response.status_code == 200
    assert "La fin de la saison doit être après son début." in page(response)
    assert not Season.objects.filter(name="2027-2028").exists()


def test_the_database_refuses_it_too(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        SeasonFactory(name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2027, 6, 30))


# --- courses -------------------------------------------------------------------------------


def course_data(season, **overrides):
    data = {
        "season": season.pk,
        "discipline": DisciplineFactory().pk,
        "name": "Piano 2e cycle",
        "teacher": "Mme LE GALL",
        "room": "Salle 1",
        "weekday": 3,
        "start_time": "17:30",
        "end_time": "18:30",
    }
    data.update(overrides)
    return data


@pytest.fixture
def season(db):
    return SeasonFactory()


@pytest.fixture
def booked(season):
    """Mme LE GALL teaches in Salle 1 on Wednesdays from 17:00 to 18:00."""
    return CourseFactory(
        season=season,
        name="Piano 1er cycle",
        teacher="Mme LE GALL",
        room="Salle 1",
        weekday=3,
        start_time=time(17),
        end_time=time(18),
    )


def test_a_course_ending_before_it_starts_is_refused(staff_client, season):
    response = staff_client.post(
        "/admin/students/course/add/",
        course_data(season, start_time="18:00", end_time="17:00"),
    )
    assert response.status_code == 200
    assert "L'heure de fin du cours doit être après son heure de début." in page(response)
    assert not Course.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(season=season, start_time=time(18), end_time=time(17))


def test_a_teacher_cannot_give_two_courses_at_once(staff_client, booked, season):
    response = staff_client.post(
        "/admin/students/course/add/",
        course_data(season, teacher="mme le gall", room="Salle 2"),
    )
    assert response.status_code == 200
    assert (
        "mme le gall donne déjà le cours « Piano 1er cycle » sur ce créneau "
        "(mercredi 17 h 00 – 18 h 00) : choisissez un autre professeur ou un autre horaire."
        in page(response)
    )
    assert Course.objects.count() == 1


def test_a_room_cannot_hold_two_courses_at_once(staff_client, booked, season):
    response = staff_client.post(
        "/admin/students/course/add/",
        course_data(season, teacher="M. RIOU", start_time="16:30", end_time="17:15"),
    )
    assert response.status_code == 200
    text = page(response)
    assert "La salle Salle 1 est déjà occupée par le cours « Piano 1er cycle »" in text
    assert "donne déjà" not in text
    assert Course.objects.count() == 1


def test_back_to_back_courses_other_days_and_other_seasons_are_fine(staff_client, booked, season):
    next_season = SeasonFactory(
        name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 6, 30), is_current=False
    )
    for data in [
        course_data(season, start_time="18:00", end_time="19:00"),
        course_data(season, name="Piano jeudi", weekday=4),
        course_data(next_season),
    ]:
        response = staff_client.post("/admin/students/course/add/", data)
        assert response.status_code == 302, page(response)[:3000]
    assert Course.objects.count() == 4


def test_editing_a_course_does_not_clash_with_itself(staff_client, booked, season):
    response = staff_client.post(
        f"/admin/students/course/{booked.pk}/change/",
        course_data(season, name="Piano 1er cycle", start_time="17:00", end_time="18:15"),
    )
    assert response.status_code == 302, page(response)[:3000]
    booked.refresh_from_db()
    assert booked.end_time == time(18, 15)


# --- students ------------------------------------------------------------------------------


def student_data(family, **overrides):
    data = {
        "family": family.pk,
        "civility": "",
        "last_name": "Test",
        "first_name": "Léa",
        "birth_date": "2014-03-12",
        "birth_place": "",
        "email": "",
        "mobile": "",
        "school": "",
        "school_class": "",
        "image_rights": "",
        "may_leave_alone": "",
        "enrolments-TOTAL_FORMS": 0,
        "enrolments-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_the_same_child_twice_in_a_family_is_refused(staff_client, family):
    StudentFactory(family=family, first_name="Léa", last_name="Test", birth_date=date(2014, 3, 12))
    response = staff_client.post(
        "/admin/students/student/add/", student_data(family, first_name="LÉA", last_name="test")
    )
    assert response.status_code == 200
    assert (
        "Léa TEST, né(e) le 12 mars 2014, est déjà un élève de cette famille : "
        "un même enfant ne peut pas être enregistré deux fois." in page(response)
    )
    assert Student.objects.count() == 1


def test_a_twin_of_another_birth_date_is_fine(staff_client, family):
    StudentFactory(family=family, first_name="Léa", last_name="Test", birth_date=date(2014, 3, 12))
    response = staff_client.post(
        "/admin/students/student/add/", student_data(family, birth_date="2016-05-01")
    )
    assert response.status_code == 302, page(response)[:3000]
    assert Student.objects.count() == 2


def test_the_same_child_in_another_family_is_saved_with_a_warning(staff_client, family):
    lemoine = FamilyFactory(name="Lemoine")
    ResponsableFactory(family=lemoine, last_name="Lemoine", first_name="Claire")
    StudentFactory(family=lemoine, first_name="Léa", last_name="Test", birth_date=date(2014, 3, 12))
    response = staff_client.post("/admin/students/student/add/", student_data(family), follow=True)
    assert response.status_code == 200
    assert (
        "Attention : Léa TEST, né(e) le 12 mars 2014, est aussi élève de la famille "
        "LEMOINE Claire. Vérifiez qu'il ne s'agit pas d'un doublon." in page(response)
    )
    assert Student.objects.filter(family=family).count() == 1
    # No warning for a child seen only once.
    response = staff_client.post(
        "/admin/students/student/add/", student_data(family, first_name="Noé"), follow=True
    )
    assert "Attention" not in page(response)


def test_the_demo_data_stays_valid(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    objects = [*Season.objects.all(), *Course.objects.all(), *Student.objects.all()]
    assert len(objects) > 5
    for obj in objects:
        obj.full_clean()
