"""A message to families: staff pick them (selection, course, discipline, department), write
or pick a template, preview it for a real family, send it to the outbox and the families'
history."""

import html
import re
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Delivery, Message, MessageTemplate
from students.models import Department
from tests.conftest import staff_login
from tests.factories import (
    CourseFactory,
    DepartmentFactory,
    DisciplineFactory,
    EnrolmentFactory,
    FamilyFactory,
    ResponsableFactory,
    SeasonFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)

COMPOSE = "/admin/messaging/message/ecrire/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def new_family(name, first_name="Anne"):
    family = FamilyFactory(name=name, reference_email=f"{name.lower()}@example.org")
    ResponsableFactory(family=family, last_name=name, first_name=first_name, email="")
    return family


def enrol(family, course, first_name="Léa", **kwargs):
    student = StudentFactory(family=family, first_name=first_name, **kwargs)
    EnrolmentFactory(student=student, course=course)
    return student


@pytest.fixture
def school(db):
    season = SeasonFactory()
    old = SeasonFactory(
        name="2025-2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 30), is_current=False
    )
    music = DepartmentFactory(name="Musique", kind=Department.Kind.MUSIC)
    dance = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    piano = DisciplineFactory(name="Piano", department=music)
    violin = DisciplineFactory(name="Violon", department=music)
    classical = DisciplineFactory(name="Danse classique", department=dance)
    piano_course = CourseFactory(season=season, discipline=piano, name="Piano 1er cycle")
    violin_course = CourseFactory(season=season, discipline=violin, name="Violon débutant")
    dance_course = CourseFactory(season=season, discipline=classical, name="Classique 2")
    old_piano = CourseFactory(season=old, discipline=piano, name="Piano 1er cycle")

    dupont = new_family("Dupont", "Marie")
    enrol(dupont, piano_course, "Léa")
    enrol(dupont, dance_course, "Tom")
    kerjean = new_family("Kerjean", "Paul")
    enrol(kerjean, violin_course, "Ewen")
    # Left: the only student is archived.
    tanguy = new_family("Tanguy")
    enrol(tanguy, piano_course, left_on=date(2026, 10, 1))
    # Left: enrolled last season only.
    riou = new_family("Riou")
    enrol(riou, old_piano)
    return {
        "season": season,
        "piano": piano,
        "music": music,
        "dance": dance,
        "piano_course": piano_course,
        "dance_course": dance_course,
        "dupont": dupont,
        "kerjean": kerjean,
        "tanguy": tanguy,
        "riou": riou,
    }


@pytest.fixture
def staff_client(client, db):
    staff_login(client, StaffFactory())
    return client


def compose(client, step="apercu", **data):
    token = data.pop("token", None) or str(uuid.uuid4())
    return client.post(COMPOSE, {"token": token, step: "1", **data})


MESSAGE = {
    "objet": "Concert de {famille}",
    "texte": "Bonjour {responsable},\nLe concert de {eleves} a lieu samedi.",
}


def test_pick_by_course_excludes_families_that_left(staff_client, school):
    page = text(compose(staff_client, cours=school["piano_course"].pk, **MESSAGE))
    assert "1 famille destinataire." in page
    assert "DUPONT Marie" in page
    for name in ("TANGUY", "RIOU", "KERJEAN"):
        assert name not in page
    assert "Concert de Dupont" in page
    assert "Bonjour Marie DUPONT," in page
    assert "Le concert de Léa et Tom a lieu samedi." in page


def test_pick_by_discipline_and_department(staff_client, school):
    page = text(compose(staff_client, discipline=school["piano"].pk, **MESSAGE))
    assert "1 famille destinataire." in page and "DUPONT Marie" in page
    page = text(compose(staff_client, departement=school["music"].pk, **MESSAGE))
    assert "2 familles destinataires." in page
    assert "DUPONT Marie" in page and "KERJEAN Paul" in page and "TANGUY" not in page
    page = text(compose(staff_client, departement=school["dance"].pk, **MESSAGE))
    assert "1 famille destinataire." in page and "KERJEAN" not in page


def test_one_criterion_is_required(staff_client, school):
    page = text(compose(staff_client, **MESSAGE))
    assert "Choisissez les destinataires : un cours, une discipline ou un département." in page
    page = text(
        compose(
            staff_client, cours=school["piano_course"].pk, discipline=school["piano"].pk, **MESSAGE
        )
    )
    assert "Choisissez un seul critère" in page


def test_an_unknown_placeholder_is_refused_in_french(staff_client, school):
    page = text(
        compose(
            staff_client,
            cours=school["piano_course"].pk,
            objet="Bonjour {prenom}",
            texte="Texte {famille",
        )
    )
    assert "Champ inconnu : {prenom}." in page
    assert "Une accolade n'est pas fermée" in page
    assert "Aperçu</h2>" not in page


def test_a_saved_template_is_validated_and_used(staff_client, school, outbox):
    response = staff_client.post(
        "/admin/messaging/messagetemplate/add/",
        {"name": "Rentrée", "subject": "Rentrée {annee}", "body": "Bonjour"},
    )
    assert "Champ inconnu : {annee}." in text(response)
    assert not MessageTemplate.objects.exists()
    template = MessageTemplate.objects.create(
        name="Rentrée", subject="Rentrée de {famille}", body="Bonjour {responsable}."
    )
    page = text(compose(staff_client, cours=school["piano_course"].pk, modele=template.pk))
    assert "Rentrée de Dupont" in page and "Bonjour Marie DUPONT." in page
    loaded = text(
        compose(staff_client, step="charger", cours=school["piano_course"].pk, modele=template.pk)
    )
    assert "Bonjour {responsable}." in loaded


def test_selection_from_the_family_list_preview_and_send(staff_client, school, outbox):
    outbox.clear()
    dupont, kerjean, tanguy = school["dupont"], school["kerjean"], school["tanguy"]
    UserFactory(family=kerjean, email="kerjean@example.org", language="en")
    page = text(
        staff_client.post(
            "/admin/families/family/",
            {
                "action": "write_to_families",
                "_selected_action": [dupont.pk, kerjean.pk, tanguy.pk],
            },
        )
    )
    assert "Destinataires : les 3 familles sélectionnées dans la liste." in page
    familles = re.search(r'name="familles" value="([^"]+)"', page).group(1)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    page = text(compose(staff_client, familles=familles, token=token, **MESSAGE))
    assert "3 familles destinataires." in page
    assert "Tel que le recevra la famille DUPONT Marie" in page
    assert "Envoyer à 3 familles" in page
    response = compose(staff_client, step="envoyer", familles=familles, token=token, **MESSAGE)
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sent_by.is_staff and message.audience == "Sélection de 3 familles"
    assert message.kind == Message.Kind.MESSAGE
    sent = {m.to[0]: m for m in outbox()}
    assert set(sent) == {"dupont@example.org", "kerjean@example.org", "tanguy@example.org"}
    assert sent["dupont@example.org"].subject == "Concert de Dupont"
    assert "Bonjour Marie DUPONT," in sent["dupont@example.org"].body
    assert "Portail des familles : https://portail.example.org" in sent["dupont@example.org"].body
    # The staff's text as written; the e-mail around it in the recipient's language.
    assert "Bonjour Paul KERJEAN," in sent["kerjean@example.org"].body
    assert "Families' portal: https://portail.example.org" in sent["kerjean@example.org"].body
    # In each family's history, on its admin page.
    assert Delivery.objects.filter(message=message).count() == 3
    page = text(staff_client.get(f"/admin/families/family/{dupont.pk}/change/"))
    assert "Messages et relances reçus" in page and "Concert de Dupont" in page
    assert "envoyé" in page
    # The sent message lists whom it reached.
    page = text(staff_client.get(f"/admin/messaging/message/{message.pk}/change/"))
    assert "KERJEAN Paul" in page and "tanguy@example.org" in page


def test_a_double_submission_sends_nothing_more(staff_client, school, outbox):
    outbox.clear()
    token = str(uuid.uuid4())
    data = {"cours": school["piano_course"].pk, "token": token, **MESSAGE}
    compose(staff_client, step="envoyer", **data)
    response = compose(staff_client, step="envoyer", **data)
    assert len(outbox()) == 1 and Message.objects.count() == 1
    assert "Ce message a déjà été envoyé" in text(staff_client.get(response.url))


def test_families_without_an_address_are_reported(staff_client, school, outbox):
    family = FamilyFactory(name="Sansmail", reference_email="")
    ResponsableFactory(family=family, email="")
    enrol(family, school["piano_course"])
    response = compose(staff_client, step="envoyer", cours=school["piano_course"].pk, **MESSAGE)
    page = text(staff_client.get(response.url))
    assert "Message mis en file d'attente pour 1 famille." in page
    assert "Aucune adresse e-mail, rien n'a été envoyé à : SANSMAIL" in page


def test_the_preview_s_queries_do_not_grow_with_families(
    staff_client, school, django_assert_max_num_queries
):
    department = school["music"].pk
    compose(staff_client, departement=department, **MESSAGE)
    with django_assert_max_num_queries(40) as few:
        compose(staff_client, departement=department, **MESSAGE)
    for index in range(8):
        enrol(new_family(f"Famille{index}"), school["piano_course"], f"Élève{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(compose(staff_client, departement=department, **MESSAGE))
    assert "10 familles destinataires." in page


def test_staff_without_the_permission_are_refused(client, school, outbox):
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_family", "change_family", "view_message"])
    )
    staff_login(client, user)
    outbox.clear()
    assert client.get(COMPOSE).status_code == 403
    assert (
        compose(client, step="envoyer", cours=school["piano_course"].pk, **MESSAGE).status_code
        == 403
    )
    assert "write_to_families" not in text(client.get("/admin/families/family/"))
    assert outbox() == [] and not Message.objects.exists()
    user.user_permissions.add(Permission.objects.get(codename="send_message"))
    assert client.get(COMPOSE).status_code == 200


def test_the_form_is_protected_against_cross_site_requests(school):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    staff_login(client, StaffFactory())
    response = compose(client, step="envoyer", cours=school["piano_course"].pk, **MESSAGE)
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_nothing_is_recorded_when_no_family_would_receive_it(staff_client, school, outbox):
    outbox.clear()
    empty = CourseFactory(season=school["season"], discipline=school["piano"], name="Vide")
    page = text(compose(staff_client, cours=empty.pk, **MESSAGE))
    assert "Aucune famille ne correspond à ce choix." in page
    family = FamilyFactory(name="Sansmail", reference_email="")
    ResponsableFactory(family=family, email="")
    enrol(family, empty)
    page = text(compose(staff_client, step="envoyer", cours=empty.pk, **MESSAGE))
    assert "Aucune des familles choisies n'a d'adresse e-mail : rien n'a été envoyé." in page
    assert not Message.objects.exists() and outbox() == []


def test_the_sent_messages_list_leads_to_the_form(staff_client, school):
    compose(staff_client, step="envoyer", cours=school["piano_course"].pk, **MESSAGE)
    page = text(staff_client.get("/admin/messaging/message/"))
    assert 'href="/admin/messaging/message/ecrire/"' in page
    assert "Concert de {famille}" in page and "Cours : Piano 1er cycle (2026-2027)" in page
    assert staff_client.get("/admin/messaging/message/add/").url == COMPOSE


def test_the_sent_message_page_s_queries_do_not_grow_with_families(
    staff_client, school, django_assert_max_num_queries
):
    course = school["piano_course"].pk
    compose(staff_client, step="envoyer", cours=course, token=str(uuid.uuid4()), **MESSAGE)
    small = Message.objects.get()
    for index in range(6):
        enrol(new_family(f"Famille{index}"), school["piano_course"], f"Élève{index}")
    compose(staff_client, step="envoyer", cours=course, token=str(uuid.uuid4()), **MESSAGE)
    large = Message.objects.exclude(pk=small.pk).get()
    staff_client.get(f"/admin/messaging/message/{small.pk}/change/")
    with django_assert_max_num_queries(40) as few:
        staff_client.get(f"/admin/messaging/message/{small.pk}/change/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(staff_client.get(f"/admin/messaging/message/{large.pk}/change/"))
    assert "FAMILLE5 Anne" in page


def test_a_family_s_history_page_s_queries_do_not_grow_with_messages(staff_client, school):
    url = f"/admin/families/family/{school['dupont'].pk}/change/"
    course = school["piano_course"].pk
    compose(staff_client, step="envoyer", cours=course, token=str(uuid.uuid4()), **MESSAGE)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for _ in range(4):
        compose(staff_client, step="envoyer", cours=course, token=str(uuid.uuid4()), **MESSAGE)
    with CaptureQueriesContext(connection) as five:
        page = text(staff_client.get(url))
    assert page.count(">Concert de Dupont</a>") == 5
    assert len(five.captured_queries) == len(one.captured_queries) > 0
