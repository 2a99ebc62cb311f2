"""Staff admin: campaigns, the requests list with its filters, decisions, CSV export."""

import csv
import html
import io

import pytest
from django.urls import reverse

from reenrolment.models import Campaign, Line, Request
from students.models import Enrolment
from tests.reenrolment.factories import LineFactory, NextSeasonFactory, RequestFactory

CHANGELIST = reverse("admin:reenrolment_request_changelist")


@pytest.fixture
def requests(campaign, lea, ines, school):
    lea_request = RequestFactory(campaign=campaign, student=lea, comment="=HYPERLINK(1)")
    LineFactory(request=lea_request, discipline=school.piano, kind=Line.Kind.CONTINUE)
    LineFactory(request=lea_request, discipline=school.violin, kind=Line.Kind.STOP)
    ines_request = RequestFactory(
        campaign=campaign, student=ines, submitted_at=lea_request.submitted_at.replace(hour=10)
    )
    LineFactory(request=ines_request, discipline=school.dance, preferred_time="après 17 h")
    return lea_request, ines_request


def test_campaign_pages_open(staff_client, campaign):
    html = staff_client.get(reverse("admin:reenrolment_campaign_changelist")).content.decode()
    assert "Réinscriptions 2027-2028" in html
    response = staff_client.get(reverse("admin:reenrolment_campaign_change", args=[campaign.pk]))
    html = response.content.decode()
    assert "Disciplines proposées" in html
    assert "Consentements requis" in html


def test_the_list_filters_by_campaign_status_and_discipline(staff_client, requests, school):
    html = staff_client.get(CHANGELIST).content.decode()
    assert "Léa DUPONT" in html and "Inès DUPONT" in html
    html = staff_client.get(CHANGELIST, {"lines__discipline__id__exact": school.dance.pk})
    html = html.content.decode()
    assert "Inès DUPONT" in html and "Léa DUPONT" not in html
    html = staff_client.get(CHANGELIST, {"status__exact": "accepted"}).content.decode()
    assert "Léa DUPONT" not in html
    campaign = requests[0].campaign
    html = staff_client.get(CHANGELIST, {"campaign__id__exact": campaign.pk}).content.decode()
    assert "Léa DUPONT" in html


def test_a_decision_from_the_request_page(staff_client, staff_user, requests, school, outbox):
    lea_request = requests[0]
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    html = staff_client.get(url).content.decode()
    assert "Cours attribué" in html
    assert (
        "Piano samedi" in html
        and "Piano 2026" not in html.split("lines-0-assigned_course")[1][:3000]
    )
    line = lea_request.lines.get(discipline=school.piano)
    data = {
        "decision": "accepted",
        "position": "",
        "reason": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "2",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-request": lea_request.pk,
        "lines-0-assigned_course": school.piano_next_saturday.pk,
        "lines-1-id": lea_request.lines.get(discipline=school.violin).pk,
        "lines-1-request": lea_request.pk,
        "lines-1-assigned_course": "",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
        "consents-MIN_NUM_FORMS": "0",
        "consents-MAX_NUM_FORMS": "1000",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.ACCEPTED
    assert lea_request.decided_by == staff_user
    assert Enrolment.objects.filter(
        student=lea_request.student, course=school.piano_next_saturday
    ).exists()
    assert outbox()[-1].subject == "Réponse à la demande de Léa DUPONT : acceptée"


def test_a_refusal_from_the_request_page_needs_a_reason(staff_client, requests):
    lea_request = requests[0]
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    data = {
        "decision": "refused",
        "reason": "",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
    }
    response = staff_client.post(url, data)
    assert "Indiquez le motif du refus" in response.content.decode()
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.SUBMITTED


def test_bulk_waiting_list_in_submission_order(staff_client, requests, school, outbox):
    """Each discipline has its own waiting list, first submitted first."""
    lea_request, ines_request = requests
    LineFactory(request=ines_request, discipline=school.piano)
    response = staff_client.post(
        CHANGELIST,
        {"action": "waitlist", "_selected_action": [ines_request.pk, lea_request.pk]},
        follow=True,
    )
    assert "2 demandes traitées." in response.content.decode()
    positions = {
        (line.request.student.first_name, line.discipline.name): line.waitlist_position
        for line in Line.objects.filter(decision="waitlisted")
    }
    assert positions == {("Léa", "Piano"): 1, ("Inès", "Piano"): 2, ("Inès", "Danse classique"): 1}
    assert set(Request.objects.values_list("status", flat=True)) == {"waitlisted"}
    assert len(outbox()) == 2


def test_bulk_acceptance(staff_client, requests):
    staff_client.post(
        CHANGELIST, {"action": "accept", "_selected_action": [r.pk for r in requests]}
    )
    assert set(Request.objects.values_list("status", flat=True)) == {"accepted"}
    assert Enrolment.objects.filter(course__season__name="2027-2028").count() == 2


def test_bulk_refusal_asks_for_the_reason(staff_client, requests, outbox):
    ids = [r.pk for r in requests]
    response = staff_client.post(CHANGELIST, {"action": "refuse", "_selected_action": ids})
    assert "Les disciplines de ces demandes qui ne sont pas encore acceptées seront refusées" in (
        html_text(response)
    )
    assert not Request.objects.filter(status="refused").exists()
    response = staff_client.post(
        CHANGELIST,
        {"action": "refuse", "_selected_action": ids, "apply": "1", "reason": "Effectifs complets"},
        follow=True,
    )
    assert "2 demandes traitées." in response.content.decode()
    assert set(Request.objects.values_list("status", flat=True)) == {"refused"}
    refused = Line.objects.exclude(kind="stop")
    assert set(refused.values_list("refusal_reason", flat=True)) == {"Effectifs complets"}
    assert len(outbox()) == 2


def test_csv_export(staff_client, requests):
    response = staff_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [r.pk for r in requests]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="demandes-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["campagne", "famille", "e-mail", "élève", "statut"]
    by_student = {row[3]: row for row in rows[1:]}
    assert by_student["Léa DUPONT"][7:9] == ["Piano", "Violon"]
    assert by_student["Léa DUPONT"][11] == "'=HYPERLINK(1)"
    assert by_student["Inès DUPONT"][9] == "Danse classique (après 17 h)"
    assert by_student["Inès DUPONT"][4] == "envoyée"


def test_families_cannot_reach_the_admin(family_client, requests):
    response = family_client.get(CHANGELIST)
    assert response.status_code == 302


def test_acceptance_without_a_course_is_refused_by_the_form(staff_client, requests, school):
    ines_request = requests[1]
    school.dance_next.delete()
    url = reverse("admin:reenrolment_request_change", args=[ines_request.pk])
    data = {
        "decision": "accepted",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
    }
    html = staff_client.post(url, data).content.decode()
    assert "Aucun cours de Danse classique en 2027-2028 : créez-le d&#x27;abord." in html
    ines_request.refresh_from_db()
    assert ines_request.status == Request.Status.SUBMITTED


def test_a_withdrawn_request_cannot_be_decided_in_the_admin(staff_client, requests):
    lea_request = requests[0]
    Request.objects.filter(pk=lea_request.pk).update(status=Request.Status.WITHDRAWN)
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    data = {
        "decision": "waitlisted",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
    }
    html = staff_client.post(url, data).content.decode()
    assert "La famille a retiré cette demande." in html
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.WITHDRAWN


def test_a_campaign_cannot_close_before_it_opens(staff_client, school, consent):
    response = staff_client.post(
        reverse("admin:reenrolment_campaign_add"),
        {
            "name": "Inscriptions 2027-2028",
            "season": NextSeasonFactory().pk,
            "kind": "enrolment",
            "opens_at_0": "01/07/2027",
            "opens_at_1": "09:00",
            "closes_at_0": "30/06/2027",
            "closes_at_1": "23:59",
            "disciplines": [school.piano.pk],
            "requirements": [consent.pk],
        },
    )
    assert response.status_code == 200
    assert "La clôture doit être postérieure à l&#x27;ouverture." in response.content.decode()

    assert not Campaign.objects.exists()


def test_a_bulk_refusal_without_a_reason_is_explained(staff_client, requests, outbox):
    ids = [r.pk for r in requests]
    response = staff_client.post(
        CHANGELIST, {"action": "refuse", "_selected_action": ids, "apply": "1", "reason": " "}
    )
    assert "Indiquez le motif du refus : il est envoyé à la famille." in html_text(response)
    assert not Request.objects.filter(status="refused").exists()
    assert outbox() == []


def test_a_bulk_decision_reports_what_the_rule_forbids(staff_client, requests, outbox):
    lea_request, ines_request = requests
    Request.objects.filter(pk=lea_request.pk).update(status=Request.Status.WITHDRAWN)
    response = staff_client.post(
        CHANGELIST,
        {"action": "waitlist", "_selected_action": [lea_request.pk, ines_request.pk]},
        follow=True,
    )
    page = html_text(response)
    assert "1 demande traitée." in page
    assert "La famille a retiré cette demande." in page
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.WITHDRAWN


def html_text(response) -> str:
    return html.unescape(response.content.decode())


def _line_post(request, assigned: dict) -> dict:
    """The request page's form, deciding nothing, with each line's "cours attribué"."""
    lines = list(request.lines.order_by("pk"))
    data = {
        "decision": "",
        "position": "",
        "reason": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
        "consents-MIN_NUM_FORMS": "0",
        "consents-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        course = assigned.get(line.discipline)
        data[f"lines-{i}-id"] = line.pk
        data[f"lines-{i}-request"] = request.pk
        data[f"lines-{i}-assigned_course"] = course.pk if course else ""
    return data


def test_the_assigned_course_offers_the_lines_discipline_in_the_campaigns_season(
    staff_client, requests, school
):
    lea_request = requests[0]
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    page = staff_client.get(url).content.decode()
    piano_select = page.split('name="lines-0-assigned_course"')[1].split("</select>")[0]
    options = [part.split("</option>")[0].split(">")[-1] for part in piano_select.split("<option")]
    # The piano courses of 2027-2028 only, in timetable order (Wednesday before Saturday),
    # with their day, time and teacher.
    teacher = school.piano_next.teacher
    assert [html.unescape(o) for o in options[2:]] == [
        f"Piano mercredi — mercredi 14 h 00 – 14 h 30 — {teacher}",
        f"Piano samedi — samedi — {teacher}",
    ]
    assert "Classique mardi" not in piano_select and "Piano 2026" not in piano_select


def test_a_forged_course_of_another_discipline_is_refused(staff_client, requests, school):
    lea_request = requests[0]
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    response = staff_client.post(url, _line_post(lea_request, {school.piano: school.dance_next}))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in html_text(response)
    assert lea_request.lines.get(discipline=school.piano).assigned_course is None


def test_the_model_refuses_a_course_of_another_discipline_or_season(requests, school):
    from django.core.exceptions import ValidationError

    from students.models import Course

    line = requests[0].lines.get(discipline=school.piano)
    this_season = Course.objects.get(season__is_current=True, discipline=school.piano)
    for course in (school.dance_next, this_season):
        line.assigned_course = course
        with pytest.raises(ValidationError) as error:
            line.full_clean()
        assert error.value.message_dict["assigned_course"] == [
            "Le cours attribué doit être un cours de Piano de la saison 2027-2028."
        ]
    line.assigned_course = school.piano_next
    line.full_clean()


def _decision_post(request, answers: dict, assigned: dict | None = None, **request_level) -> dict:
    """The request page's form with each line's answer (discipline → (answer, position,
    reason)) and the request-level decision."""
    data = _line_post(request, assigned or {})
    data.update(request_level)
    for i, line in enumerate(request.lines.order_by("pk")):
        answer, position, reason = answers.get(
            line.discipline, (line.decision, line.waitlist_position, line.refusal_reason)
        )
        data[f"lines-{i}-answer"] = answer
        data[f"lines-{i}-position"] = position or ""
        data[f"lines-{i}-reason"] = reason
    return data


@pytest.fixture
def lea_with_a_wish(requests, school):
    """Léa continues the piano, stops the violin and wishes the dance."""
    lea_request = requests[0]
    LineFactory(request=lea_request, discipline=school.dance)
    return lea_request


def test_each_line_is_decided_from_the_request_page(
    staff_client, staff_user, lea_with_a_wish, school, outbox
):
    lea_request = lea_with_a_wish
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    page = html_text(staff_client.get(url))
    assert "Réponse" in page and "en attente de réponse" in page
    data = _decision_post(
        lea_request,
        {school.piano: ("accepted", None, ""), school.dance: ("waitlisted", 4, "")},
        {school.piano: school.piano_next_saturday},
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, html_text(response)[:3000]
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.PARTIAL
    assert lea_request.decided_by == staff_user
    piano, dance = (lea_request.lines.get(discipline=d) for d in (school.piano, school.dance))
    assert (piano.decision, piano.assigned_course) == ("accepted", school.piano_next_saturday)
    assert (dance.decision, dance.waitlist_position) == ("waitlisted", 4)
    assert [
        e.course for e in lea_request.student.enrolments.filter(course__season__name="2027-2028")
    ] == [school.piano_next_saturday]
    [mail] = outbox()
    assert mail.subject == "Réponse à la demande de Léa DUPONT, discipline par discipline"

    # The accepted line is final: its course and answer are no longer offered.
    page = staff_client.get(url).content.decode()
    for field in ("answer", "assigned_course"):
        tag = page.split(f'name="lines-0-{field}"')[1].split(">")[0]
        assert "disabled" in tag


def test_a_line_refusal_without_a_reason_is_explained(
    staff_client, lea_with_a_wish, school, outbox
):
    lea_request = lea_with_a_wish
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    response = staff_client.post(
        url, _decision_post(lea_request, {school.dance: ("refused", None, " ")})
    )
    assert response.status_code == 200
    assert "Indiquez le motif du refus : il est envoyé à la famille." in html_text(response)
    assert lea_request.lines.get(discipline=school.dance).decision == "pending"
    assert outbox() == []


def test_all_lines_at_once_except_those_answered_one_by_one(
    staff_client, lea_with_a_wish, school, outbox
):
    lea_request = lea_with_a_wish
    url = reverse("admin:reenrolment_request_change", args=[lea_request.pk])
    data = _decision_post(
        lea_request,
        {school.dance: ("refused", None, "Cours complet")},
        decision="accepted",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, html_text(response)[:3000]
    lea_request.refresh_from_db()
    answers = dict(lea_request.lines.values_list("discipline__name", "decision"))
    assert answers == {"Piano": "accepted", "Violon": "pending", "Danse classique": "refused"}
    assert lea_request.status == Request.Status.PARTIAL
    assert len(outbox()) == 1


def test_bulk_refusal_keeps_the_accepted_lines(staff_client, lea_with_a_wish, school, outbox):
    from reenrolment import services

    lea_request = lea_with_a_wish
    piano = lea_request.lines.get(discipline=school.piano)
    services.decide_lines(
        request=lea_request, decisions=[services.LineDecision(piano.pk, "accepted")]
    )
    response = staff_client.post(
        CHANGELIST,
        {
            "action": "refuse",
            "_selected_action": [lea_request.pk],
            "apply": "1",
            "reason": "Complet",
        },
        follow=True,
    )
    assert "1 demande traitée." in html_text(response)
    answers = dict(lea_request.lines.values_list("discipline__name", "decision"))
    assert answers == {"Piano": "accepted", "Violon": "pending", "Danse classique": "refused"}
    assert Enrolment.objects.filter(course=school.piano_next).exists()
    response = staff_client.get(CHANGELIST)
    assert "Piano : acceptée ; Danse classique : refusée (Complet)" in html_text(response)


def test_csv_export_gives_each_lines_position_and_reason(staff_client, lea_with_a_wish, school):
    from reenrolment import services

    lea_request = lea_with_a_wish
    services.decide_lines(
        request=lea_request,
        decisions=[
            services.LineDecision(
                lea_request.lines.get(discipline=school.piano).pk, "refused", reason="Complet"
            ),
            services.LineDecision(
                lea_request.lines.get(discipline=school.dance).pk, "waitlisted", position=2
            ),
        ],
    )
    response = staff_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [lea_request.pk]}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][4:7] == ["statut", "positions", "motifs"]
    assert rows[1][4:7] == ["réponse par discipline", "Danse classique : 2", "Piano : Complet"]


def test_a_bulk_decision_shows_one_summary_message(staff_client, requests, outbox):
    from django.contrib.messages import get_messages

    lea_request, ines_request = requests
    Request.objects.filter(pk=lea_request.pk).update(status=Request.Status.WITHDRAWN)

    response = staff_client.post(
        CHANGELIST,
        {"action": "waitlist", "_selected_action": [lea_request.pk, ines_request.pk]},
    )

    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "warning"
    assert str(message).startswith("1 demande traitée. 1 demande non traitée : ")
    assert "La famille a retiré cette demande." in str(message)
