"""A new child of the family, during an inscription campaign."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse

from reenrolment.models import Campaign, Request
from students.models import Student
from tests.reenrolment.conftest import CLOSES_AT, DURING
from tests.reenrolment.factories import RequestFactory
from tests.reenrolment.helpers import form_data, text

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def inscription(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(kind=Campaign.Kind.ENROLMENT)
    campaign.refresh_from_db()
    return campaign


def url(campaign):
    return reverse("reenrolment:add_child", args=[campaign.pk])


def test_anonymous_visitors_go_to_the_login_page(client, inscription):
    response = client.post(url(inscription), {"first_name": "Noé"})
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
    assert not Student.objects.exists()


def test_it_adds_the_child_then_takes_the_family_to_its_request(
    family_client, family, inscription, school, outbox
):
    response = family_client.post(
        url(inscription),
        {"first_name": "Noé", "last_name": "Dupont", "birth_date": "2019-04-02"},
        follow=True,
    )
    html = text(response)
    assert "Noé DUPONT est ajouté(e) à votre famille : faites maintenant sa demande." in html
    assert "Demande pour Noé DUPONT" in html
    noe = Student.objects.get(first_name="Noé")
    assert noe.family == family and noe.birth_date == date(2019, 4, 2)

    response = family_client.post(
        response.request["PATH_INFO"],
        form_data(inscription, wishes=[{"discipline": school.dance}]),
        follow=True,
    )
    assert "Votre demande est envoyée." in text(response)
    assert Request.objects.get().student == noe
    [mail] = outbox()
    # A new child's request is an inscription, not a réinscription (issue 12, item 19).
    assert mail.subject == "Demande d'inscription reçue : Noé DUPONT"
    for body in (mail.body, unescape(mail.alternatives[0][0])):
        assert "Nous avons bien reçu la demande d'inscription de Noé DUPONT" in body
        assert "réinscription" not in body


def test_a_new_childs_receipts_say_inscription(family_client, family, inscription, school, outbox):
    ines = Student.objects.create(family=family, first_name="Inès", last_name="Dupont")
    request_url = reverse("reenrolment:request_form", args=[inscription.pk, ines.pk])
    family_client.post(request_url, form_data(inscription, wishes=[{"discipline": school.dance}]))
    request = Request.objects.get()
    family_client.post(
        request_url,
        form_data(inscription, revision=1, wishes=[{"discipline": school.piano}]),
    )
    family_client.post(reverse("reenrolment:withdraw", args=[request.pk]), {"confirm": "yes"})
    subjects = [mail.subject for mail in outbox()]
    assert subjects == [
        "Demande d'inscription reçue : Inès DUPONT",
        "Demande d'inscription modifiée : Inès DUPONT",
        "Demande d'inscription retirée : Inès DUPONT",
    ]
    bodies = [mail.body for mail in outbox()]
    assert "Nous avons bien reçu la demande d'inscription d'Inès DUPONT" in bodies[0]
    assert "la modification de la demande d'inscription d'Inès DUPONT" in bodies[1]
    assert "le retrait de la demande d'inscription d'Inès DUPONT" in bodies[2]
    assert all("réinscription" not in body for body in bodies)


def test_it_is_a_404_in_a_reenrolment_campaign(family_client, campaign):
    response = family_client.post(
        url(campaign), {"first_name": "Noé", "last_name": "Dupont", "birth_date": "2019-04-02"}
    )
    assert response.status_code == 404
    assert not Student.objects.exists()


def test_it_refuses_after_the_close(family_client, family_user, inscription, clock):
    clock.set(CLOSES_AT)
    family_client.force_login(family_user)
    response = family_client.post(
        url(inscription),
        {"first_name": "Noé", "last_name": "Dupont", "birth_date": "2019-04-02"},
        follow=True,
    )
    assert "est close" in text(response)
    assert not Student.objects.exists()


def test_an_inscription_starts_from_wishes_only(family_client, inscription, lea):
    """Even for a pupil of this season who asked before inscriptions were for new students
    only (the request keeps the student eligible)."""
    RequestFactory(campaign=inscription, student=lea)
    html = text(
        family_client.get(reverse("reenrolment:request_form", args=[inscription.pk, lea.pk]))
    )
    assert "Disciplines de cette saison" not in html
    assert "Vœu 1" in html


def test_the_same_child_cannot_be_added_twice(family_client, family, inscription):
    from tests.factories import StudentFactory

    StudentFactory(family=family, first_name="Noé", last_name="Dupont", birth_date=date(2019, 4, 2))
    response = family_client.post(
        url(inscription), {"first_name": "noé ", "last_name": "DUPONT", "birth_date": "2019-04-02"}
    )
    assert response.status_code == 200
    assert (
        "Noé DUPONT, né(e) le 2 avril 2019, est déjà un élève de cette famille : "
        "un même enfant ne peut pas être enregistré deux fois." in text(response)
    )
    assert Student.objects.filter(family=family).count() == 1


def test_posting_the_new_child_three_times_adds_one_child(family_client, family, inscription):
    """Issue 13, item 9: a double (or triple) click, or the browser re-sending the form, lands
    on the same page each time, without an error or a second child."""
    form = family_client.get(url(inscription)).content.decode()
    [token] = re.findall(r'name="shown_at" value="([^"]+)"', form)
    data = {
        "first_name": "Noé",
        "last_name": "Dupont",
        "birth_date": "2019-04-02",
        "shown_at": token,
    }
    landings = []
    for _ in range(3):
        response = family_client.post(url(inscription), data)
        assert response.status_code == 302
        landings.append(response["Location"])
    noe = Student.objects.get(family=family)
    assert landings == [reverse("reenrolment:request_form", args=[inscription.pk, noe.pk])] * 3
    page = text(family_client.get(landings[-1]))
    assert "déjà un élève" not in page and "Demande pour Noé DUPONT" in page


def test_a_child_already_there_when_the_form_was_shown_is_still_refused(
    family_client, family, inscription, clock
):
    """The token only recognises a child added after its form was shown: the same child already
    in the family (or a forged or missing token) is still refused."""
    from tests.factories import StudentFactory

    StudentFactory(family=family, first_name="Noé", last_name="Dupont", birth_date=date(2019, 4, 2))
    clock.set(DURING + timedelta(minutes=5))
    form = family_client.get(url(inscription)).content.decode()
    [token] = re.findall(r'name="shown_at" value="([^"]+)"', form)
    data = {"first_name": "Noé", "last_name": "Dupont", "birth_date": "2019-04-02"}
    for posted in ({**data, "shown_at": token}, {**data, "shown_at": "forged"}, data):
        response = family_client.post(url(inscription), posted)
        assert response.status_code == 200
        assert "est déjà un élève de cette famille" in text(response)
    assert Student.objects.filter(family=family).count() == 1
