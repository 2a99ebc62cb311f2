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


def test_bulk_waiting_list_in_submission_order(staff_client, requests, outbox):
    lea_request, ines_request = requests
    response = staff_client.post(
        CHANGELIST,
        {"action": "waitlist", "_selected_action": [ines_request.pk, lea_request.pk]},
        follow=True,
    )
    assert "2 demandes traitées." in response.content.decode()
    lea_request.refresh_from_db()
    ines_request.refresh_from_db()
    assert (lea_request.waitlist_position, ines_request.waitlist_position) == (1, 2)
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
    html = response.content.decode()
    assert "Ces demandes seront refusées" in html
    assert not Request.objects.filter(status="refused").exists()
    response = staff_client.post(
        CHANGELIST,
        {"action": "refuse", "_selected_action": ids, "apply": "1", "reason": "Effectifs complets"},
        follow=True,
    )
    assert "2 demandes traitées." in response.content.decode()
    assert set(Request.objects.values_list("refusal_reason", flat=True)) == {"Effectifs complets"}
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
