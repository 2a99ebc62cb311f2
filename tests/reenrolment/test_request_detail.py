"""A request's summary page and its withdrawal."""

from datetime import timedelta

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
    for response in (client.get(detail_url(lea_request)), client.post(withdraw_url(lea_request))):
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
    assert family_client.post(withdraw_url(request)).status_code == 404
    assert Request.objects.get().status == Request.Status.SUBMITTED


def test_it_withdraws_with_a_receipt_and_can_be_sent_again(
    family_client, lea_request, campaign, lea, school, outbox
):
    response = family_client.post(withdraw_url(lea_request), follow=True)
    html = text(response)
    assert "Votre demande est retirée." in html
    assert "retirée" in html
    assert "Envoyer à nouveau la demande" in html
    lea_request.refresh_from_db()
    assert lea_request.status == Request.Status.WITHDRAWN
    assert lea_request.updated_at == DURING
    [mail] = outbox()
    assert mail.subject == "Demande de réinscription retirée : Léa DUPONT"

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
    response = family_client.post(withdraw_url(lea_request), follow=True)
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
