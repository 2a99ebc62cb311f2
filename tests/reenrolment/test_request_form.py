"""A family's request for one student: pre-filled, submitted, changed, and bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reenrolment.models import Consent, Line, Request
from tests.factories import StudentFactory
from tests.markup import parse
from tests.reenrolment.conftest import CLOSES_AT, DURING, OPENS_AT
from tests.reenrolment.factories import CampaignFactory, LineFactory, RequestFactory
from tests.reenrolment.helpers import form_data, form_url, text

pytestmark = pytest.mark.usefixtures("clock")


def submit(client, campaign, student, **kwargs):
    return client.post(form_url(campaign, student), form_data(campaign, **kwargs), follow=True)


def test_it_sends_anonymous_visitors_to_the_login_page(client, campaign, lea):
    response = client.get(form_url(campaign, lea))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_it_prefills_the_form_from_this_seasons_enrolments(family_client, campaign, lea, school):
    html = text(family_client.get(form_url(campaign, lea)))
    assert "Demande pour Léa DUPONT" in html
    assert "jusqu'au 30 juin 2027 à 23 h 59" in html
    assert "Piano (Piano 2026)" in html
    assert "Violon (Violon 2026)" in html
    page = parse(html)
    for discipline in (school.piano, school.violin):
        keep = page.by_id(f"id_keep_{discipline.pk}_0")
        assert keep.get("name") == f"keep_{discipline.pk}" and keep.get("value") == "continue"
        assert "required" in keep.attrs and "checked" in keep.attrs
    assert html.count("checked") == 2
    # The wishes offer the campaign's catalogue only, with the next season's courses.
    assert ">Danse classique</option>" in html
    assert "Guitare" not in html
    assert "Piano mercredi · mercredi · 14 h 00 – 14 h 30" in html
    assert "J'ai lu et j'accepte le règlement intérieur." in html
    assert "Répondez avant l'été." in html


def test_it_records_the_request_and_sends_a_receipt(family_client, campaign, lea, school, outbox):
    response = submit(
        family_client,
        campaign,
        lea,
        keep={school.piano: "continue", school.violin: "stop"},
        wishes=[{"discipline": school.dance, "weekday": 2, "time": "après 17 h"}],
        comment="Merci !",
    )
    html = text(response)
    assert "Votre demande est envoyée." in html
    assert "Demande de Léa DUPONT" in html
    assert "envoyée" in html
    assert "<strong>Piano</strong> : continue" in html
    assert "<strong>Violon</strong> : arrête" in html
    assert "<strong>Danse classique</strong> : nouveau vœu" in html
    assert "jour souhaité : mardi" in html
    assert "horaire souhaité : après 17 h" in html
    assert "Règlement intérieur — accepté le 11 mai 2027 à 9 h 00" in html
    # Documents for the new season: music and dance.
    assert "Justificatif de domicile" in html
    assert "Attestation sur l'honneur ou certificat médical (danse) — Léa DUPONT" in html
    assert 'href="/eleves/"' in html

    request = Request.objects.get()
    assert request.student == lea and request.status == Request.Status.SUBMITTED
    assert {(line.discipline, line.kind) for line in request.lines.all()} == {
        (school.piano, "continue"),
        (school.violin, "stop"),
        (school.dance, "wish"),
    }
    assert Consent.objects.get().accepted_at == DURING

    [mail] = outbox()
    # The family's policy: the reference e-mail and each responsable's.
    assert mail.to == sorted([lea.family.reference_email, lea.family.responsables.get().email])
    assert mail.subject == "Demande de réinscription reçue : Léa DUPONT"
    assert "- Danse classique : nouveau vœu (jour souhaité : mardi)" in mail.body
    assert f"https://portail.example.org/reinscription/demandes/{request.pk}/" in mail.body
    assert "jusqu'au 30 juin 2027 à 23 h 59" in mail.body


def test_it_changes_the_request_with_a_new_receipt(family_client, campaign, lea, school, outbox):
    submit(family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"})
    outbox.clear()
    html = text(family_client.get(form_url(campaign, lea)))
    assert "Vous modifiez votre demande (envoyée)." in html
    assert 'name="revision" value="1"' in html

    response = submit(
        family_client,
        campaign,
        lea,
        revision=1,
        keep={school.piano: "stop", school.violin: "continue"},
        wishes=[{"course": school.dance_next}],
    )
    assert "Votre demande est modifiée." in text(response)
    request = Request.objects.get()
    assert request.revision == 2
    # A wish naming only a course takes the course's discipline.
    assert {
        (line.discipline, line.kind, line.preferred_course) for line in request.lines.all()
    } == {
        (school.piano, "stop", None),
        (school.violin, "continue", None),
        (school.dance, "wish", school.dance_next),
    }
    [mail] = outbox()
    assert mail.subject == "Demande de réinscription modifiée : Léa DUPONT"


def test_it_refuses_a_discipline_twice(family_client, campaign, lea, school):
    response = submit(
        family_client,
        campaign,
        lea,
        keep={school.piano: "continue", school.violin: "continue"},
        wishes=[{"discipline": school.piano}],
    )
    assert "Cette discipline figure déjà dans la demande." in text(response)
    assert not Request.objects.exists()


def test_a_double_click_leaves_one_request_and_one_receipt(
    family_client, campaign, lea, school, outbox
):
    first = submit(
        family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"}
    )
    second = submit(
        family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"}
    )
    assert "Votre demande est envoyée." in text(first)
    assert "Une demande existe déjà pour cet élève : la voici. Rien n'a été ajouté." in text(second)
    assert Request.objects.count() == 1
    assert len(outbox()) == 1


def test_a_form_read_at_an_old_revision_changes_nothing(family_client, campaign, lea, school):
    submit(family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"})
    submit(
        family_client,
        campaign,
        lea,
        revision=1,
        keep={school.piano: "stop", school.violin: "stop"},
        wishes=[{"discipline": school.dance}],
    )
    response = submit(
        family_client,
        campaign,
        lea,
        revision=1,
        keep={school.piano: "continue", school.violin: "stop"},
    )
    assert "Cette demande a été modifiée entre-temps" in text(response)
    assert Request.objects.get().lines.get(discipline=school.piano).kind == "stop"


def test_it_requires_the_consents(family_client, campaign, lea, school):
    response = submit(
        family_client,
        campaign,
        lea,
        keep={school.piano: "continue", school.violin: "stop"},
        consents=False,
    )
    assert "Cette case doit être cochée pour envoyer." in text(response)
    assert not Request.objects.exists()


def test_it_requires_at_least_one_discipline(family_client, campaign, lea, school):
    response = submit(
        family_client, campaign, lea, keep={school.piano: "stop", school.violin: "stop"}
    )
    assert "Choisissez au moins une discipline." in text(response)
    assert not Request.objects.exists()


def test_it_refuses_a_discipline_not_offered(family_client, campaign, lea, school):
    response = submit(
        family_client,
        campaign,
        lea,
        keep={school.piano: "continue", school.violin: "stop"},
        wishes=[{"discipline": school.guitar}],
    )
    assert "Sélectionnez un choix valide" in text(response)
    assert not Request.objects.exists()


def test_it_refuses_a_course_of_another_discipline(family_client, campaign, lea, school):
    response = submit(
        family_client,
        campaign,
        lea,
        keep={school.piano: "continue", school.violin: "stop"},
        wishes=[{"discipline": school.dance, "course": school.violin_next}],
    )
    assert "Ce cours n'est pas un cours de la discipline choisie." in text(response)
    assert not Request.objects.exists()


def test_a_discipline_not_offered_any_more_cannot_be_continued(family_client, school, consent, lea):
    campaign = CampaignFactory(disciplines=[school.piano], requirements=[consent])
    html = text(family_client.get(form_url(campaign, lea)))
    assert "Cette discipline n'est pas proposée dans cette campagne." in html
    submit(family_client, campaign, lea, keep={school.piano: "continue", school.violin: "continue"})
    assert Line.objects.get(discipline=school.violin).kind == "stop"


def test_another_familys_student_is_a_404(family_client, campaign, outsider_student, school):
    assert family_client.get(form_url(campaign, outsider_student)).status_code == 404
    response = family_client.post(
        form_url(campaign, outsider_student),
        form_data(campaign, keep={school.piano: "continue", school.violin: "stop"}),
    )
    assert response.status_code == 404
    assert not Request.objects.exists()


def test_a_tampered_campaign_id_is_a_404(family_client, campaign, lea, school):
    url = form_url(campaign, lea).replace(f"/{campaign.pk}/", f"/{campaign.pk + 100}/")
    response = family_client.post(
        url, form_data(campaign, keep={school.piano: "continue", school.violin: "stop"})
    )
    assert response.status_code == 404
    assert not Request.objects.exists()


def test_a_student_without_enrolment_this_season_is_not_in_a_reenrolment(
    family_client, campaign, family
):
    newcomer = StudentFactory(family=family)
    assert family_client.get(form_url(campaign, newcomer)).status_code == 404


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (OPENS_AT.replace(hour=8), "n'est pas encore ouverte"),
        (CLOSES_AT, "est close"),
    ],
)
def test_it_refuses_submissions_outside_the_window(
    family_client, family_user, campaign, lea, school, clock, moment, message
):
    clock.set(moment)
    family_client.force_login(family_user)  # a fresh session at the new time
    response = submit(
        family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"}
    )
    assert message in text(response)
    assert "Réinscription" in text(response)
    assert not Request.objects.exists()


def test_a_decided_request_is_read_only(family_client, campaign, lea, school):
    submit(family_client, campaign, lea, keep={school.piano: "continue", school.violin: "stop"})
    Request.objects.update(status=Request.Status.REFUSED)
    Line.objects.filter(kind="continue").update(decision="refused", refusal_reason="Complet")
    response = family_client.get(form_url(campaign, lea), follow=True)
    html = text(response)
    assert "Cette demande a reçu une réponse : elle ne peut plus changer." in html
    assert "refusée (Complet)" in html
    assert "Modifier la demande" not in html
    submit(
        family_client,
        campaign,
        lea,
        revision=1,
        keep={school.piano: "stop", school.violin: "continue"},
    )
    assert Request.objects.get().lines.get(discipline=school.piano).kind == "continue"


def test_its_query_count_does_not_grow_with_the_wishes(family_client, campaign, lea, school):
    """Each wish row lists the same disciplines and courses, read once for all rows."""
    request = RequestFactory(campaign=campaign, student=lea)
    family_client.get(form_url(campaign, lea))  # the session's first read of the centre is cached
    counts = []
    for discipline in (school.dance, school.guitar, school.violin, school.piano):
        LineFactory(request=request, discipline=discipline, kind=Line.Kind.WISH)
        with CaptureQueriesContext(connection) as queries:
            response = family_client.get(form_url(campaign, lea))
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    assert text(response).count('name="wish_4_discipline"') == 1


def test_each_course_list_is_grouped_by_discipline_and_follows_its_row(
    family_client, campaign, lea, school
):
    """Without JavaScript: the courses in one <optgroup> per discipline, in the campaign's
    catalogue only; the list names the discipline list it follows (static/js/reenrolment.js),
    which the page loads from the site (the CSP allows no other script)."""
    html = text(family_client.get(form_url(campaign, lea)))
    page = parse(html)
    for i in range(3):
        select = page.by_id(f"id_wish_{i}_course")
        assert select.get("data-follows") == f"id_wish_{i}_discipline"
        groups = {
            group.get("label"): [option.text for option in group.find_all("option")]
            for group in select.find_all("optgroup")
        }
        assert list(groups) == ["Danse classique", "Piano", "Violon"]
        assert [label.split(" · ")[0] for label in groups["Piano"]] == [
            "Piano mercredi",
            "Piano samedi",
        ]
        assert [label.split(" · ")[0] for label in groups["Violon"]] == ["Violon samedi"]
        loose = [child.text for child in select.children if child.tag == "option"]
        assert loose == ["— indifférent —"]
    assert '<script src="/static/js/reenrolment.js" defer></script>' in html
