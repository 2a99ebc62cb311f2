"""A request line assigned to a full course waits on that course's own list: the position the
family reads is the course's, it moves up as the list does, and the line is accepted when the
student gets a freed place."""

import html

import pytest

from reenrolment import services
from reenrolment.models import Line, Request
from students import waitlist
from students.models import Enrolment, WaitlistEntry
from tests.factories import EnrolmentFactory, StudentFactory
from tests.reenrolment.factories import LineFactory, RequestFactory


@pytest.fixture
def full_piano(school):
    """Piano mercredi next season: 1 place, taken; one student already waiting."""
    course = school.piano_next
    course.capacity = 1
    course.save()
    EnrolmentFactory(course=course, student=StudentFactory())
    waitlist.add(StudentFactory(first_name="Ana"), course)
    return course


@pytest.fixture
def lea_line(campaign, lea, school, full_piano):
    request = RequestFactory(campaign=campaign, student=lea)
    return LineFactory(
        request=request,
        discipline=school.piano,
        kind=Line.Kind.CONTINUE,
        assigned_course=full_piano,
    )


def test_accepting_into_a_full_course_is_refused(lea_line):
    with pytest.raises(services.DecisionError, match="est complet \\(1 places\\)"):
        services.decide(request=lea_line.request, status=Request.Status.ACCEPTED)
    lea_line.refresh_from_db()
    assert lea_line.decision == Line.Decision.PENDING
    assert not Enrolment.objects.filter(student=lea_line.request.student).exclude(
        course__season__is_current=True
    )


def test_waiting_for_an_assigned_course_takes_the_courses_position(
    lea_line, full_piano, family_client, outbox
):
    services.decide(request=lea_line.request, status=Request.Status.WAITLISTED)
    lea_line.refresh_from_db()
    entry = WaitlistEntry.objects.get(course=full_piano, student=lea_line.request.student)
    assert (entry.position, lea_line.waitlist_position) == (2, 2)
    assert "liste d'attente (position 2)" in outbox()[-1].body
    page = html.unescape(
        family_client.get(f"/reinscription/demandes/{lea_line.request.pk}/").content.decode()
    )
    assert "liste d'attente (position 2)" in page

    # The student ahead leaves the list: Léa moves up, on her request too.
    waitlist.leave(WaitlistEntry.objects.get(course=full_piano, position=1))
    lea_line.refresh_from_db()
    assert lea_line.waitlist_position == 1
    page = html.unescape(
        family_client.get(f"/reinscription/demandes/{lea_line.request.pk}/").content.decode()
    )
    assert "liste d'attente (position 1)" in page


def test_a_freed_place_enrols_the_first_and_accepts_the_line(
    lea_line, full_piano, staff_user, outbox
):
    services.decide(request=lea_line.request, status=Request.Status.WAITLISTED)
    waitlist.leave(WaitlistEntry.objects.get(course=full_piano, position=1))
    outbox.clear()
    full_piano.enrolments.get().delete()
    waitlist.promote_first(full_piano, by=staff_user)
    lea_line.refresh_from_db()
    assert lea_line.decision == Line.Decision.ACCEPTED
    assert Enrolment.objects.filter(student=lea_line.request.student, course=full_piano).exists()
    assert not WaitlistEntry.objects.filter(course=full_piano).exists()
    [mail] = outbox()
    assert "acceptée" in mail.subject


def test_refusing_a_waiting_line_takes_it_off_the_courses_list(lea_line, full_piano):
    services.decide(request=lea_line.request, status=Request.Status.WAITLISTED)
    services.decide(request=lea_line.request, status=Request.Status.REFUSED, reason="Complet")
    assert list(
        WaitlistEntry.objects.filter(course=full_piano).values_list("position", flat=True)
    ) == [1]


def test_without_an_assigned_course_a_course_with_a_free_place_is_picked(
    campaign, lea, school, full_piano
):
    request = RequestFactory(campaign=campaign, student=lea)
    # Wednesday wished, but Piano mercredi is full: Piano samedi has places.
    LineFactory(request=request, discipline=school.piano, preferred_weekday=3)
    services.decide(request=request, status=Request.Status.ACCEPTED)
    assert Enrolment.objects.get(student=lea, course__season=campaign.season).course == (
        school.piano_next_saturday
    )


def test_the_request_page_accepts_into_a_full_course_only_when_forced(
    lea_line, full_piano, staff_client, staff_user
):
    from django.urls import reverse

    from tests.reenrolment.test_admin import _line_post, html_text

    request = lea_line.request
    url = reverse("admin:reenrolment_request_change", args=[request.pk])
    data = _line_post(request, {lea_line.discipline: full_piano})
    data["lines-0-answer"] = Line.Decision.ACCEPTED
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Le cours « Piano mercredi (2027-2028) » est complet (1 places)" in html_text(response)
    assert not Enrolment.objects.filter(student=request.student, course=full_piano).exists()

    response = staff_client.post(url, {**data, "lines-0-override": "on"})
    assert response.status_code == 302, html_text(response)[:3000]
    enrolment = Enrolment.objects.get(student=request.student, course=full_piano)
    assert enrolment.over_capacity and enrolment.created_by == staff_user
    lea_line.refresh_from_db()
    assert lea_line.decision == Line.Decision.ACCEPTED
