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


def test_the_waiting_list_takes_the_next_position_in_the_discipline(
    campaign, lea, ines, lea_request, school, outbox
):
    services.decide(request=lea_request, status=Request.Status.WAITLISTED)
    other = RequestFactory(campaign=campaign, student=ines)
    LineFactory(request=other, discipline=school.dance)
    services.decide(request=other, status=Request.Status.WAITLISTED)
    lea_dance = lea_request.lines.get(discipline=school.dance)
    assert (
        lea_request.lines.get(discipline=school.piano).waitlist_position,
        lea_dance.waitlist_position,
    ) == (1, 1)
    assert other.lines.get().waitlist_position == 2
    other.refresh_from_db()
    assert other.status_label == "liste d'attente (position 2)"
    mail = outbox()[-1]
    assert mail.subject == "Réponse à la demande d'Inès DUPONT : liste d'attente"
    assert "Sur liste d'attente (nous vous écrirons dès qu'une place se libère) :" in mail.body
    assert "- Danse classique : position 2" in mail.body
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
    assert "- Piano — motif : Classe complète" in mail.body
    assert "- Danse classique — motif : Classe complète" in mail.body
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


def test_an_assigned_course_of_another_discipline_is_refused(lea_request, school, outbox):
    Line.objects.filter(discipline=school.piano).update(assigned_course=school.dance_next)
    with pytest.raises(
        services.DecisionError,
        match="Le cours attribué doit être un cours de Piano de la saison 2027-2028",
    ):
        services.decide(request=lea_request, status=Request.Status.ACCEPTED)
    assert not Enrolment.objects.filter(course__season__name="2027-2028").exists()
    assert outbox() == []


def _answer(request, discipline, decision, **kwargs):
    line = request.lines.get(discipline=discipline)
    return services.LineDecision(line.pk, decision, **kwargs)


def test_each_line_gets_its_own_answer(lea_request, lea, school, staff_user, outbox):
    """The continuation accepted while the new wish waits: the family reads both."""
    services.decide_lines(
        request=lea_request,
        decisions=[
            _answer(lea_request, school.piano, "accepted"),
            _answer(lea_request, school.dance, "waitlisted"),
        ],
        by=staff_user,
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.PARTIAL
    assert lea_request.decided_by == staff_user
    new = Enrolment.objects.filter(student=lea, course__season__name="2027-2028")
    assert [e.course.discipline for e in new] == [school.piano]
    assert lea_request.status_label == (
        "Piano : acceptée ; Danse classique : liste d'attente (position 1)"
    )
    [mail] = outbox()
    assert mail.subject == "Réponse à la demande de Léa DUPONT, discipline par discipline"
    assert "Voici la réponse à votre demande pour Léa DUPONT" in mail.body
    assert "Inscriptions pour la saison 2027-2028 :" in mail.body
    assert "- Piano : Piano mercredi, mercredi, 14 h 00 – 14 h 30, avec" in mail.body
    assert "- Danse classique : position 1" in mail.body
    assert "Violon" not in mail.body  # stopped: nothing to answer

    # A place frees up: the wish is accepted too, and the request is accepted.
    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.dance, "accepted")]
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.ACCEPTED
    assert new.all().count() == 2
    assert outbox()[-1].subject == "Réponse à la demande de Léa DUPONT : acceptée"


def test_refusing_the_request_keeps_the_accepted_continuation(lea_request, lea, school, outbox):
    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.piano, "accepted")]
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.PARTIAL
    assert lea_request.status_label == "Piano : acceptée ; Danse classique : en attente de réponse"
    services.decide(request=lea_request, status=Request.Status.REFUSED, reason="Complet")
    lea_request.refresh_from_db()
    assert lea_request.status_label == "Piano : acceptée ; Danse classique : refusée (Complet)"
    assert Enrolment.objects.filter(student=lea, course=school.piano_next).exists()
    mail = outbox()[-1]
    assert "- Piano : Piano mercredi" in mail.body
    assert "- Danse classique — motif : Complet" in mail.body
    assert "Pas encore de réponse" not in mail.body


def test_an_accepted_line_is_final_and_a_stopped_one_has_no_answer(lea_request, school, outbox):
    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.piano, "accepted")]
    )
    with pytest.raises(services.DecisionError, match="Piano : discipline déjà acceptée"):
        services.decide_lines(
            request=lea_request,
            decisions=[_answer(lea_request, school.piano, "refused", reason="Non")],
        )
    with pytest.raises(services.DecisionError, match="l'élève arrête cette discipline"):
        services.decide_lines(
            request=lea_request, decisions=[_answer(lea_request, school.violin, "accepted")]
        )
    with pytest.raises(services.DecisionError, match="motif"):
        services.decide_lines(
            request=lea_request, decisions=[_answer(lea_request, school.dance, "refused")]
        )
    assert len(outbox()) == 1


def test_a_line_answer_can_be_taken_back_until_accepted(lea_request, school, outbox):
    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.dance, "waitlisted")]
    )
    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.dance, "pending")]
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.REVIEWING
    assert lea_request.lines.get(discipline=school.dance).waitlist_position is None
    assert len(outbox()) == 1  # taking an answer back sends nothing


def test_a_request_answered_in_part_is_locked_for_the_family(family_client, lea_request, school):
    from tests.reenrolment.helpers import form_data, form_url

    services.decide_lines(
        request=lea_request, decisions=[_answer(lea_request, school.dance, "waitlisted")]
    )
    campaign, lea = lea_request.campaign, lea_request.student
    response = family_client.get(form_url(campaign, lea), follow=True)
    assert "Cette demande a reçu une réponse : elle ne peut plus changer." in (
        response.content.decode().replace("&#x27;", "'")
    )
    family_client.post(
        form_url(campaign, lea),
        form_data(campaign, revision=lea_request.revision, keep={school.piano: "stop"}),
    )
    assert lea_request.lines.get(discipline=school.piano).kind == Line.Kind.CONTINUE
    assert lea_request.lines.get(discipline=school.dance).decision == "waitlisted"


def test_a_refused_discipline_asks_for_no_document(campaign, ines, school):
    """Inès continues the dance and wishes the piano: once the piano is refused, the proof of
    address (music) is no longer asked for next season; the dance paper still is."""
    request = RequestFactory(campaign=campaign, student=ines)
    LineFactory(request=request, discipline=school.dance, kind=Line.Kind.CONTINUE)
    LineFactory(request=request, discipline=school.piano, kind=Line.Kind.WISH)

    def needed():
        requests = Request.objects.prefetch_related("lines__discipline__department")
        documents = services.documents_needed(requests, campaign.season)
        return sorted(document.requirement for document in documents)

    assert needed() == ["address", "dance"]
    services.decide_lines(
        request=request,
        decisions=[_answer(request, school.piano, "refused", reason="Complet")],
    )
    assert needed() == ["dance"]
