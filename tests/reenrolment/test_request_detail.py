"""A request's summary page and its withdrawal."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from reenrolment.models import Request
from tests.reenrolment.conftest import CLOSES_AT, DURING
from tests.reenrolment.factories import LineFactory, RequestFactory
from tests.reenrolment.helpers import text

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def lea_request(campaign, lea, school):
    request = RequestFactory(campaign=campaign, student=lea, comment="Le mercredi si possible")
    LineFactory(request=request, discipline=school.piano, kind="continue")
    return request


def detail_url(request):
    return reverse("reenrolment:request_detail", args=[request.pk])


def withdraw_url(request):
    return reverse("reenrolment:withdraw", args=[request.pk])


def test_anonymous_visitors_go_to_the_login_page(client, lea_request):
    for response in (
        client.get(detail_url(lea_request)),
        client.get(withdraw_url(lea_request)),
        client.post(withdraw_url(lea_request), {"confirm": "yes"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")
    assert Request.objects.get().status == Request.Status.SUBMITTED


def test_it_shows_the_summary_to_the_owner(family_client, lea_request):
    html = text(family_client.get(detail_url(lea_request)))
    assert "Demande de Léa DUPONT" in html
    assert "Réinscriptions 2027-2028 — saison 2027-2028" in html
    assert "<strong>Piano</strong> : continue" in html
    assert "Le mercredi si possible" in html
    assert "Vous pouvez modifier ou retirer cette demande jusqu'au 30 juin 2027 à 23 h 59." in html
    assert "Modifier la demande" in html


def test_another_family_gets_a_404(family_client, campaign, outsider_student, school):
    request = RequestFactory(campaign=campaign, student=outsider_student)
    assert family_client.get(detail_url(request)).status_code == 404
    assert family_client.get(withdraw_url(request)).status_code == 404
    assert family_client.post(withdraw_url(request), {"confirm": "yes"}).status_code == 404
    assert Request.objects.get().status == Request.Status.SUBMITTED


def test_withdrawing_asks_for_a_confirmation_first(family_client, lea_request, outbox):
    """The detail page links to a confirmation page (no JavaScript needed); a POST that does
    not confirm explicitly only shows that page again."""
    html = text(family_client.get(detail_url(lea_request)))
    assert f'href="{withdraw_url(lea_request)}"' in html
    assert f'action="{withdraw_url(lea_request)}"' not in html

    for response in (
        family_client.get(withdraw_url(lea_request)),
        family_client.post(withdraw_url(lea_request)),
    ):
        assert response.status_code == 200
        page = text(response)
        assert "Retirer la demande de Léa DUPONT ?" in page
        assert "Une demande retirée n'est pas examinée par le secrétariat." in page
        assert 'name="confirm" value="yes"' in page
        assert "Non, garder la demande" in page
    assert Request.objects.get().status == Request.Status.SUBMITTED
    assert outbox() == []


def test_it_withdraws_with_a_receipt_and_can_be_sent_again(
    family_client, lea_request, campaign, lea, school, outbox
):
    response = family_client.post(withdraw_url(lea_request), {"confirm": "yes"}, follow=True)
    html = text(response)
    assert "Votre demande est retirée." in html
    assert "retirée" in html
    assert "Envoyer à nouveau la demande" in html
    # The page says what a withdrawn request can still become, not "modifier ou retirer".
    assert "Vous pouvez modifier ou retirer" not in html
    assert "Retirer la demande" not in html
    assert (
        "Vous avez retiré cette demande : elle ne sera pas examinée. Vous pouvez l'envoyer à "
        "nouveau jusqu'au 30 juin 2027 à 23 h 59." in html
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.WITHDRAWN
    assert lea_request.updated_at == DURING
    [mail] = outbox()
    assert mail.subject == "Demande de réinscription retirée : Léa DUPONT"
    for body in (mail.body, mail.alternatives[0][0]):
        body = unescape(body)
        assert "le retrait de la demande de réinscription de Léa DUPONT" in body
        assert "modifier ou la retirer" not in body
        assert "Vous pouvez l'envoyer à nouveau jusqu'au 30 juin 2027 à 23 h 59" in body
    # Confirming again changes nothing and sends nothing.
    family_client.post(withdraw_url(lea_request), {"confirm": "yes"})
    assert len(outbox()) == 1

    from tests.reenrolment.helpers import form_data, form_url

    family_client.post(
        form_url(campaign, lea),
        form_data(
            campaign,
            revision=lea_request.revision,
            keep={school.piano: "continue", school.violin: "stop"},
        ),
    )
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.SUBMITTED
    assert Request.objects.count() == 1


def test_after_the_close_it_is_read_only(family_client, family_user, lea_request, clock):
    clock.set(CLOSES_AT + timedelta(minutes=1))
    family_client.force_login(family_user)
    html = text(family_client.get(detail_url(lea_request)))
    assert "La campagne est close : la demande ne peut plus être modifiée." in html
    assert "Modifier la demande" not in html
    assert "Retirer la demande" not in html
    for response in (
        family_client.get(withdraw_url(lea_request), follow=True),
        family_client.post(withdraw_url(lea_request), {"confirm": "yes"}, follow=True),
    ):
        assert "est close" in text(response)
    assert Request.objects.get().status == Request.Status.SUBMITTED


@pytest.mark.parametrize("wishes", [1, 3])
def test_its_query_count_does_not_grow_with_the_lines(
    family_client, lea_request, school, django_assert_max_num_queries, wishes
):
    for discipline in [school.violin, school.dance, school.guitar][:wishes]:
        LineFactory(request=lea_request, discipline=discipline)
    with django_assert_max_num_queries(13):
        html = text(family_client.get(detail_url(lea_request)))
    assert html.count("nouveau vœu") == wishes


def upload_url(request, requirement="address"):
    return reverse("reenrolment:upload_document", args=[request.pk, requirement])


def _address_post(request):
    from django.utils import timezone

    from tests.students.factories import pdf_bytes, upload

    key = f"address-s{request.campaign.season.pk}"
    return {
        f"{key}-document_date": timezone.localdate().isoformat(),
        f"{key}-file": upload("justificatif.pdf", pdf_bytes()),
    }


def test_the_documents_it_asks_for_are_uploaded_right_there(family_client, lea_request, outbox):
    from students.models import Document

    html = text(family_client.get(detail_url(lea_request)))
    assert "Justificatif de domicile de moins de 3 mois" in html and "à fournir" in html
    assert "Importer" in html and "Parcourir" in html
    page = family_client.get(detail_url(lea_request)).content.decode()
    assert f'action="{upload_url(lea_request)}"' in page

    response = family_client.post(upload_url(lea_request), _address_post(lea_request))
    assert response.status_code == 302
    assert response["Location"] == detail_url(lea_request) + "#documents"
    document = Document.objects.get()
    assert document.season == lea_request.campaign.season and document.student is None
    html = text(family_client.get(response["Location"]))
    assert "Document reçu : le secrétariat va le vérifier." in html
    assert "reçu – en cours de vérification" in html
    # This season's proof of address is still to provide, on Élèves.
    assert Document.objects.filter(season__is_current=True).count() == 0


def test_a_bad_file_is_explained_on_the_request_page(family_client, lea_request):
    from tests.students.factories import upload

    data = _address_post(lea_request)
    data[f"address-s{lea_request.campaign.season.pk}-file"] = upload("x.pdf", b"not a pdf")
    response = family_client.post(upload_url(lea_request), data)
    assert response.status_code == 400
    assert "Demande de Léa DUPONT" in text(response)
    assert "Ce type de fichier n'est pas accepté" in text(response)


def test_a_file_over_10_mb_answers_413_on_the_request_page(family_client, lea_request):
    from students.uploads import MAX_UPLOAD_SIZE
    from tests.students.factories import upload

    data = _address_post(lea_request)
    big = upload("gros.pdf", b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_SIZE + 1))
    data[f"address-s{lea_request.campaign.season.pk}-file"] = big
    response = family_client.post(upload_url(lea_request), data)
    assert response.status_code == 413
    assert "Demande de Léa DUPONT" in text(response)
    assert "Le fichier dépasse 10 Mo" in text(response)


def test_another_family_or_a_withdrawn_request_cannot_upload(
    client, family_user, other_user, lea_request
):
    from students.models import Document

    client.force_login(other_user)
    assert client.post(upload_url(lea_request), _address_post(lea_request)).status_code == 404
    client.force_login(family_user)
    assert (
        client.post(upload_url(lea_request, "dance"), _address_post(lea_request)).status_code == 404
    )
    lea_request.status = Request.Status.WITHDRAWN
    lea_request.save()
    assert "Importer" not in text(client.get(detail_url(lea_request)))
    assert client.post(upload_url(lea_request), _address_post(lea_request)).status_code == 404
    assert not Document.objects.exists()


def test_elsewhere_a_season_the_family_is_not_asked_for_is_refused(family_client, lea, school):
    from students.models import Document
    from tests.reenrolment.factories import NextSeasonFactory
    from tests.students.factories import pdf_bytes, upload

    next_season = NextSeasonFactory()
    url = reverse("students:upload_document", args=[lea.pk, "address"])
    data = {"saison": next_season.pk, "address-file": upload("a.pdf", pdf_bytes())}
    assert family_client.post(url, data).status_code == 404
    assert not Document.objects.exists()


def test_the_family_reads_each_lines_answer_with_the_course(
    family_client, lea_request, school, django_assert_max_num_queries
):
    from reenrolment import services

    LineFactory(request=lea_request, discipline=school.violin, kind="stop")
    LineFactory(request=lea_request, discipline=school.dance)
    LineFactory(request=lea_request, discipline=school.guitar)
    line = {line.discipline: line.pk for line in lea_request.lines.all()}
    services.decide_lines(
        request=lea_request,
        decisions=[
            services.LineDecision(line[school.piano], "accepted"),
            services.LineDecision(line[school.dance], "waitlisted"),
            services.LineDecision(line[school.guitar], "refused", reason="Cours complet"),
        ],
    )
    with django_assert_max_num_queries(13):
        html = text(family_client.get(detail_url(lea_request)))
    teacher = school.piano_next.teacher
    flat = " ".join(html.split())
    assert (
        "Réponse : <strong>acceptée</strong> — cours attribué : Piano mercredi, mercredi, "
        f"14 h 00 – 14 h 30, avec {teacher}"
    ) in flat
    assert "Réponse : <strong>liste d'attente (position 1)</strong>" in html
    assert "Réponse : <strong>refusée (Cours complet)</strong>" in html
    # The stopped violin has no answer; the request can no longer change.
    violin = html.split("<strong>Violon</strong>")[1].split("</li>")[0]
    assert "Réponse" not in violin
    assert "Modifier la demande" not in html and "Retirer la demande" not in html


def test_a_refused_line_no_longer_asks_for_its_document(family_client, lea_request, school):
    from reenrolment import services

    piano = lea_request.lines.get()
    assert "Justificatif de domicile de moins de 3 mois" in text(
        family_client.get(detail_url(lea_request))
    )
    LineFactory(request=lea_request, discipline=school.dance)
    services.decide_lines(
        request=lea_request,
        decisions=[services.LineDecision(piano.pk, "refused", reason="Complet")],
    )
    html = text(family_client.get(detail_url(lea_request)))
    assert "Justificatif de domicile de moins de 3 mois" not in html
    assert "Attestation sur l'honneur ou certificat médical" in html


def test_a_withdrawn_request_after_the_close_says_it_will_not_be_examined(
    family_client, family_user, lea_request, clock
):
    Request.objects.filter(pk=lea_request.pk).update(status=Request.Status.WITHDRAWN)
    clock.set(CLOSES_AT + timedelta(minutes=1))
    family_client.force_login(family_user)
    html = text(family_client.get(detail_url(lea_request)))
    assert "Vous avez retiré cette demande et la campagne est close" in html
    assert "Vous recevrez la réponse par e-mail" not in html
    assert "Envoyer à nouveau la demande" not in html
