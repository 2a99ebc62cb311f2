"""A course's places: `students.capacity.enrol` refuses a full course unless staff force it,
through the service, the student admin, and concurrently (PostgreSQL)."""

import html
import logging
import threading

import pytest
from django.db import connection

from portal.history import history_page
from students.capacity import CourseFull, enrol
from students.models import CourseQuerySet, Enrolment
from tests.courses.conftest import new_student
from tests.factories import CourseFactory, EnrolmentFactory, StudentFactory

FULL = "Le cours « Piano mercredi (2026-2027) » est complet (2 places, 2 inscrits)"


def fill(course, count=2):
    for _ in range(count):
        EnrolmentFactory(course=course, student=StudentFactory())


def test_a_full_course_is_refused_and_nothing_is_written(centre):
    fill(centre.piano_course)
    student = new_student("Lou")
    with pytest.raises(CourseFull) as refused:
        enrol(student, centre.piano_course)
    assert FULL in refused.value.messages[0]
    assert "liste d'attente" in refused.value.messages[0]
    assert not Enrolment.objects.filter(student=student).exists()


def test_staff_may_force_it_marked_and_logged(centre, staff_user, caplog):
    fill(centre.piano_course)
    student = new_student("Lou")
    with caplog.at_level(logging.WARNING, logger="students.capacity"):
        enrolment, created = enrol(student, centre.piano_course, override=True, by=staff_user)
    assert created and enrolment.over_capacity and enrolment.created_by == staff_user
    assert "beyond capacity forced" in caplog.text
    assert f"by {staff_user.pk}" in caplog.text


def test_free_places_and_unlimited_courses_take_students(centre):
    enrolment, created = enrol(new_student("Lou"), centre.piano_course)
    assert created and not enrolment.over_capacity
    fill(centre.dance_course, 30)
    assert enrol(new_student("Zoé"), centre.dance_course)[1]


def test_enrolling_twice_changes_nothing(centre):
    student = new_student("Lou")
    first, _ = enrol(student, centre.piano_course)
    fill(centre.piano_course, 1)
    # Full now, but she is already in: the existing enrolment, no error.
    again, created = enrol(student, centre.piano_course)
    assert (again, created) == (first, False)


def test_the_course_row_is_locked_before_counting(centre, monkeypatch):
    locked = []
    original = CourseQuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CourseQuerySet, "select_for_update", spy)
    enrol(new_student("Lou"), centre.piano_course)
    assert locked, "enrol() must lock the course row (SELECT … FOR UPDATE)"


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_racing_for_the_last_place_leave_one(centre):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises them).")
    fill(centre.piano_course, 1)
    students = [new_student("Lou"), new_student("Zoé")]
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def attempt(student):
        try:
            barrier.wait(5)
            enrol(student, centre.piano_course)
            outcomes.append("enrolled")
        except CourseFull:
            outcomes.append("full")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(outcomes) == ["enrolled", "full"]
    assert centre.piano_course.enrolments.count() == 2


def _student_data(student, **extra):
    data = {
        "family": student.family_id,
        "civility": "",
        "last_name": student.last_name,
        "first_name": student.first_name,
        "birth_date": "2014-03-12",
        "birth_place": "",
        "email": "",
        "mobile": "",
        "school": "",
        "school_class": "",
        "image_rights": "",
        "may_leave_alone": "",
        "version": student.version,
        "enrolments-TOTAL_FORMS": 1,
        "enrolments-INITIAL_FORMS": 0,
        "enrolments-0-student": student.pk,
    }
    return {**data, **extra}


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_the_student_admin_refuses_a_full_course_then_forces_it(centre, staff_client, staff_user):
    fill(centre.piano_course)
    student = new_student("Lou")
    url = f"/admin/students/student/{student.pk}/change/"
    data = _student_data(student, **{"enrolments-0-course": centre.piano_course.pk})
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert FULL in _page(response)
    link = (
        f"/admin/students/waitlistentry/add/?course={centre.piano_course.pk}&student={student.pk}"
    )
    assert f'href="{link}">Mettre sur la liste d\'attente</a>' in _page(response)
    assert not student.enrolments.exists()
    page = _page(staff_client.get(link))
    assert f'<option value="{centre.piano_course.pk}" selected>' in page

    response = staff_client.post(url, {**data, "enrolments-0-override": "on"})
    assert response.status_code == 302, _page(response)[:3000]
    enrolment = student.enrolments.get()
    assert enrolment.over_capacity and enrolment.created_by == staff_user
    (entry, *_) = history_page(student.history.all()).object_list
    assert [c.label for c in entry.changes] == ["Inscription ajoutée"]
    page = _page(staff_client.get(url))
    assert "Inscrire au-delà des places" in page


def test_the_student_admin_offers_this_seasons_courses_first_and_no_past_ones(centre, staff_client):
    old = CourseFactory(season=centre.previous, discipline=centre.piano, name="Piano ancien")
    upcoming = CourseFactory(season=centre.next, discipline=centre.piano, name="Piano futur")
    student = new_student("Lou")
    page = _page(staff_client.get(f"/admin/students/student/{student.pk}/change/"))
    options = page[page.index('name="enrolments-__prefix__-course"') :]
    options = options[: options.index("</select>")]
    assert "Piano ancien" not in options
    assert options.index("Piano mercredi — mercredi (2026-2027)") < options.index(
        "Piano futur — mercredi (2027-2028)"
    )
    # An enrolment of a past season still shows its course.
    EnrolmentFactory(student=student, course=old)
    page = _page(staff_client.get(f"/admin/students/student/{student.pk}/change/"))
    assert "Piano ancien — mercredi (2025-2026)" in page
    assert upcoming.pk


def test_the_course_list_shows_the_current_season_first(centre, staff_client):
    CourseFactory(season=centre.next, discipline=centre.piano, name="Piano futur")
    CourseFactory(season=centre.previous, discipline=centre.piano, name="Piano ancien")
    page = _page(staff_client.get("/admin/students/course/"))
    assert page.index("Piano mercredi") < page.index("Piano futur") < page.index("Piano ancien")


def test_the_student_page_queries_do_not_grow_with_enrolments(centre, staff_client):
    from django.test.utils import CaptureQueriesContext

    student = new_student("Lou")
    url = f"/admin/students/student/{student.pk}/change/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url).status_code == 200
        return len(captured)

    EnrolmentFactory(student=student, course=centre.piano_course)
    queries()  # warms the caches (content types)
    before = queries()
    for index in range(3):
        EnrolmentFactory(
            student=student,
            course=CourseFactory(season=centre.current, discipline=centre.dance, name=f"D{index}"),
        )
    assert queries() == before
