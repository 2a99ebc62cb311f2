"""A course's waiting list keeps its order (1, 2, 3… without gaps) and its first student
gets a freed place: the service and the admin."""

import html

import pytest
from django.core.exceptions import ValidationError

from students import waitlist
from students.models import Enrolment, WaitlistEntry
from tests.courses.conftest import new_student
from tests.factories import EnrolmentFactory, StudentFactory


def names(course) -> list[tuple[int, str]]:
    return [
        (entry.position, entry.student.first_name)
        for entry in WaitlistEntry.objects.filter(course=course).order_by("position")
    ]


@pytest.fixture
def three_waiting(centre):
    course = centre.piano_course
    for _ in range(2):
        EnrolmentFactory(course=course, student=StudentFactory())
    return [waitlist.add(new_student(name), course) for name in ("Ana", "Bea", "Cid")]


def test_students_join_at_the_end_in_order(centre, three_waiting):
    assert names(centre.piano_course) == [(1, "Ana"), (2, "Bea"), (3, "Cid")]
    # Joining again keeps the place.
    assert waitlist.add(three_waiting[1].student, centre.piano_course).position == 2


def test_leaving_moves_the_ones_behind_up(centre, three_waiting):
    waitlist.leave(three_waiting[0])
    assert names(centre.piano_course) == [(1, "Bea"), (2, "Cid")]


def test_staff_insert_or_move_a_student_at_a_position(centre, three_waiting):
    waitlist.add(new_student("Dan"), centre.piano_course, position=2)
    assert names(centre.piano_course) == [(1, "Ana"), (2, "Dan"), (3, "Bea"), (4, "Cid")]
    waitlist.add(three_waiting[2].student, centre.piano_course, position=1)
    assert names(centre.piano_course) == [(1, "Cid"), (2, "Ana"), (3, "Dan"), (4, "Bea")]
    waitlist.add(three_waiting[2].student, centre.piano_course, position=99)
    assert names(centre.piano_course) == [(1, "Ana"), (2, "Dan"), (3, "Bea"), (4, "Cid")]


def test_an_enrolled_student_cannot_wait_for_the_same_course(centre):
    student = new_student("Lou")
    EnrolmentFactory(student=student, course=centre.piano_course)
    with pytest.raises(ValidationError, match="est déjà inscrit"):
        waitlist.add(student, centre.piano_course)
    assert not WaitlistEntry.objects.exists()


def test_the_first_one_waiting_gets_a_freed_place(centre, three_waiting, staff_user):
    course = centre.piano_course
    with pytest.raises(ValidationError, match="n'a pas de place libre"):
        waitlist.promote_first(course)
    course.enrolments.first().delete()
    enrolment = waitlist.promote_first(course, by=staff_user)
    assert enrolment.student.first_name == "Ana" and enrolment.created_by == staff_user
    assert names(course) == [(1, "Bea"), (2, "Cid")]


def test_enrolling_a_waiting_student_takes_them_off_the_list(centre, three_waiting):
    from students.capacity import enrol

    enrol(three_waiting[1].student, centre.piano_course, override=True)
    assert names(centre.piano_course) == [(1, "Ana"), (2, "Cid")]


def test_nobody_waiting_is_said(centre):
    with pytest.raises(ValidationError, match="Personne n'attend"):
        waitlist.promote_first(centre.dance_course)


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_admin_puts_a_student_on_the_list_and_promotes_the_first(
    centre, three_waiting, staff_client
):
    course = centre.piano_course
    dan = new_student("Dan")
    response = staff_client.post(
        "/admin/students/waitlistentry/add/",
        {"student": dan.pk, "course": course.pk, "at_position": ""},
    )
    assert response.status_code == 302, _page(response)[:3000]
    assert names(course)[-1] == (4, "Dan")
    page = _page(staff_client.get(f"/admin/students/course/{course.pk}/change/"))
    order = [page.index(f"{name} DURAND</a>") for name in ("Ana", "Bea", "Cid", "Dan")]
    assert order == sorted(order)

    action = {"action": "promote_first_waiting", "_selected_action": [course.pk]}
    page = _page(staff_client.post("/admin/students/course/", action, follow=True))
    assert "n'a pas de place libre (2 places)" in page
    course.enrolments.first().delete()
    page = _page(staff_client.post("/admin/students/course/", action, follow=True))
    assert "Ana DURAND est inscrit(e) au cours « Piano mercredi (2026-2027) »." in page
    assert Enrolment.objects.filter(course=course, student=three_waiting[0].student).exists()
    assert names(course) == [(1, "Bea"), (2, "Cid"), (3, "Dan")]


def test_admin_deleting_a_place_moves_the_others_up(centre, three_waiting, staff_client):
    entry = three_waiting[0]
    response = staff_client.post(
        f"/admin/students/waitlistentry/{entry.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert names(centre.piano_course) == [(1, "Bea"), (2, "Cid")]


def test_admin_refuses_an_enrolled_student(centre, staff_client):
    student = new_student("Lou")
    EnrolmentFactory(student=student, course=centre.piano_course)
    response = staff_client.post(
        "/admin/students/waitlistentry/add/",
        {"student": student.pk, "course": centre.piano_course.pk, "at_position": ""},
    )
    assert response.status_code == 200
    assert "Lou DURAND est déjà inscrit(e) au cours « Piano mercredi (2026-2027) »." in _page(
        response
    )
    assert not WaitlistEntry.objects.exists()


def test_unenrolling_from_a_course_with_a_waiting_list_points_to_the_promotion(
    centre, three_waiting, staff_client
):
    course = centre.piano_course
    enrolment = course.enrolments.first()
    student = enrolment.student
    data = {
        "family": student.family_id,
        "last_name": student.last_name,
        "first_name": student.first_name,
        "birth_date": "2014-03-12",
        "version": student.version,
        "enrolments-TOTAL_FORMS": 1,
        "enrolments-INITIAL_FORMS": 1,
        "enrolments-0-id": enrolment.pk,
        "enrolments-0-student": student.pk,
        "enrolments-0-course": course.pk,
        "enrolments-0-DELETE": "on",
    }
    response = staff_client.post(f"/admin/students/student/{student.pk}/change/", data, follow=True)
    page = _page(response)
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists(), page[:3000]
    assert (
        "Une place s'est libérée au cours « Piano mercredi (2026-2027) » : 3 élèves attendent."
        in page
    )
