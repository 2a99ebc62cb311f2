"""Staff decisions through the service: statuses, enrolments, e-mails."""

import pytest

from reenrolment import services
from reenrolment.models import Line, Request
from students.models import Enrolment
from tests.factories import CourseFactory
from tests.reenrolment.factories import LineFactory, RequestFactory


@pytest.fixture
def lea_request(campaign, lea, school):
    request = RequestFactory(campaign=campaign, student=lea)
    LineFactory(request=request, discipline=school.piano, kind=Line.Kind.CONTINUE)
    LineFactory(request=request, discipline=school.violin, kind=Line.Kind.STOP)
    LineFactory(request=request, discipline=school.dance, kind=Line.Kind.WISH)
    return request


def test_acceptance_enrols_in_the_new_seasons_courses(lea_request, lea, school, outbox):
    services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.ACCEPTED
    assert lea_request.decided_at is not None
    new = Enrolment.objects.filter(student=lea, course__season__name="2027-2028")
    assert {e.course.discipline for e in new} == {school.piano, school.dance}
    assert Line.objects.get(discipline=school.dance).assigned_course == school.dance_next
    [mail] = outbox()
    assert mail.subject == "Réponse à la demande de Léa DUPONT : acceptée"
    assert "Inscriptions pour la saison 2027-2028 :" in mail.body
    assert "- Danse classique : Classique mardi" in mail.body
    assert f"https://portail.example.org/reinscription/demandes/{lea_request.pk}/" in mail.body


def test_enrolments_created_by_a_decision_are_in_the_student_history(lea_request, lea, staff_user):
    from portal.history import history_page

    services.decide(request=lea_request, status=Request.Status.ACCEPTED, by=staff_user)
    (entry, *_) = history_page(lea.history.all()).object_list
    assert entry.author == "le secrétariat"
    assert sorted(c.label for c in entry.changes) == ["Inscription ajoutée"] * 2
    assert any(c.new.startswith("Classique") for c in entry.changes)


def test_the_course_is_the_one_staff_assigned_or_wished_or_on_the_wished_day(
    campaign, lea, ines, school
):
    request = RequestFactory(campaign=campaign, student=lea)
    LineFactory(request=request, discipline=school.piano, preferred_weekday=6)
    LineFactory(request=request, discipline=school.violin, preferred_course=school.violin_next)
    services.decide(request=request, status=Request.Status.ACCEPTED)
    assert {e.course for e in Enrolment.objects.filter(course__season__name="2027-2028")} == {
        school.piano_next_saturday,
        school.violin_next,
    }

    other = RequestFactory(campaign=campaign, student=ines)
    LineFactory(
        request=other,
        discipline=school.piano,
        preferred_weekday=6,
        assigned_course=school.piano_next,
    )
    services.decide(request=other, status=Request.Status.ACCEPTED)
    assert Enrolment.objects.filter(student=ines, course=school.piano_next).exists()


def test_without_a_preference_the_least_full_course_is_picked(campaign, lea, ines, school):
    first = RequestFactory(campaign=campaign, student=lea)
    LineFactory(request=first, discipline=school.piano)
    services.decide(request=first, status=Request.Status.ACCEPTED)
    second = RequestFactory(campaign=campaign, student=ines)
    LineFactory(request=second, discipline=school.piano)
    services.decide(request=second, status=Request.Status.ACCEPTED)
    courses = {line.assigned_course for line in Line.objects.all()}
    assert courses == {school.piano_next, school.piano_next_saturday}


def test_acceptance_without_a_course_fails_and_changes_nothing(lea_request, school, outbox):
    school.dance_next.delete()
    with pytest.raises(services.DecisionError, match="Aucun cours de Danse classique"):
        services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.SUBMITTED
    assert not Enrolment.objects.filter(course__season__name="2027-2028").exists()
    assert outbox() == []


def test_the_waiting_list_takes_the_next_position(campaign, lea, ines, lea_request, outbox):
    services.decide(request=lea_request, status=Request.Status.WAITLISTED)
    other = RequestFactory(campaign=campaign, student=ines)
    services.decide(request=other, status=Request.Status.WAITLISTED)
    lea_request.refresh_from_db()
    other.refresh_from_db()
    assert (lea_request.waitlist_position, other.waitlist_position) == (1, 2)
    assert other.status_label == "liste d'attente (position 2)"
    mail = outbox()[-1]
    assert mail.subject == "Réponse à la demande d'Inès DUPONT : liste d'attente"
    assert "Votre demande est en position 2 sur la liste d'attente" in mail.body
    assert not Enrolment.objects.filter(course__season__name="2027-2028").exists()


def test_a_refusal_needs_its_reason_which_is_emailed(lea_request, outbox):
    with pytest.raises(services.DecisionError, match="motif"):
        services.decide(request=lea_request, status=Request.Status.REFUSED, reason=" ")
    services.decide(request=lea_request, status=Request.Status.REFUSED, reason="Classe complète")
    lea_request.refresh_from_db()
    assert lea_request.status_label == "refusée (Classe complète)"
    [mail] = outbox()
    family = lea_request.student.family
    assert mail.to == sorted([family.reference_email, family.responsables.get().email])
    assert mail.subject == "Réponse à la demande de Léa DUPONT : refusée"
    assert "Motif : Classe complète" in mail.body
    assert "Classe complète" in mail.alternatives[0][0]


def test_review_is_not_a_decision_and_sends_nothing(lea_request, outbox):
    services.decide(request=lea_request, status=Request.Status.REVIEWING)
    lea_request.refresh_from_db()
    assert lea_request.status_label == "en cours d'examen"
    assert outbox() == []


def test_an_accepted_request_stays_accepted(lea_request, outbox):
    services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    with pytest.raises(services.DecisionError, match="déjà acceptée"):
        services.decide(request=lea_request, status=Request.Status.REFUSED, reason="Non")
    assert len(outbox()) == 1


def test_a_withdrawn_request_cannot_be_decided(lea_request):
    Request.objects.filter(pk=lea_request.pk).update(status=Request.Status.WITHDRAWN)
    with pytest.raises(services.DecisionError, match="retiré"):
        services.decide(request=lea_request, status=Request.Status.ACCEPTED)


def test_an_assigned_course_of_another_season_is_refused(lea_request, school):
    Line.objects.filter(discipline=school.piano).update(
        assigned_course=CourseFactory(discipline=school.piano, name="Piano 2026 bis")
    )
    with pytest.raises(services.DecisionError):
        services.decide(request=lea_request, status=Request.Status.ACCEPTED)


def test_the_family_sees_the_decision(family_client, lea_request):
    services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    html = family_client.get(f"/reinscription/demandes/{lea_request.pk}/").content.decode()
    assert "acceptée" in html
    assert "cours attribué : Classique mardi" in html
    assert "Modifier la demande" not in html
