"""Chasing missing supporting documents across families (admin "Documents manquants") and the
reminder e-mail it sends."""

import html
import re
from datetime import date

import pytest
from django.utils import timezone

from messaging.models import Delivery, Message
from students.chasing import missing_documents
from students.checklist import ADDRESS, DANCE, QUOTIENT, ItemStatus
from students.models import Document, DocumentKind
from tests.conftest import staff_login
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    FamilyFactory,
    ResponsableFactory,
    SeasonFactory,
    StaffFactory,
    StudentFactory,
    UserFactory,
)
from tests.students.factories import DocumentFactory, dance_student, music_student

LIST = "/admin/messaging/familymissingdocuments/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def new_family(name, **kwargs):
    family = FamilyFactory(name=name, reference_email=f"{name.lower()}@example.org", **kwargs)
    ResponsableFactory(family=family, last_name=name, first_name="Anne", email="")
    return family


@pytest.fixture
def season(db):
    return SeasonFactory()


@pytest.fixture
def chased(season):
    """Morvan: music, nothing sent. Le Gall: dance, refused certificate. Kerjean: music,
    proof validated. Riou: music, proof waiting for review. Tanguy: archived student.
    Quéré: music and dance, proof sent, QF attestation refused."""
    morvan = new_family("Morvan")
    music_student(morvan, first_name="Yann")
    legall = new_family("Gall")
    nolwenn = dance_student(legall, first_name="Nolwenn")
    DocumentFactory(
        family=legall,
        student=nolwenn,
        season=season,
        kind=DocumentKind.MEDICAL_CERTIFICATE,
        status=Document.Status.REFUSED,
        refusal_reason="Certificat illisible",
    )
    kerjean = new_family("Kerjean")
    music_student(kerjean)
    DocumentFactory(family=kerjean, season=season, status=Document.Status.VALIDATED)
    riou = new_family("Riou")
    music_student(riou)
    DocumentFactory(family=riou, season=season)
    tanguy = new_family("Tanguy")
    music_student(tanguy, left_on=date(2026, 10, 1))
    quere = new_family("Quere")
    music_student(quere, first_name="Lena")
    dance_student(quere, first_name="Ewen")
    DocumentFactory(family=quere, season=season)
    DocumentFactory(
        family=quere,
        season=season,
        kind=DocumentKind.FAMILY_QUOTIENT,
        status=Document.Status.REFUSED,
        refusal_reason="Attestation de 2019",
    )
    return {
        "morvan": morvan,
        "legall": legall,
        "kerjean": kerjean,
        "riou": riou,
        "tanguy": tanguy,
        "quere": quere,
    }


def summary(missing):
    return {
        (item.requirement, item.student.first_name if item.student else None, item.status)
        for item in missing.items
    }


def test_missing_documents_of_a_season(chased, season):
    missing = missing_documents(season)
    assert set(missing) == {chased["morvan"].pk, chased["legall"].pk, chased["quere"].pk}
    assert summary(missing[chased["morvan"].pk]) == {(ADDRESS, None, ItemStatus.TO_PROVIDE)}
    # A refused document counts as missing.
    assert summary(missing[chased["legall"].pk]) == {(DANCE, "Nolwenn", ItemStatus.REFUSED)}
    assert summary(missing[chased["quere"].pk]) == {
        (DANCE, "Ewen", ItemStatus.TO_PROVIDE),
        (QUOTIENT, None, ItemStatus.REFUSED),
    }


def test_another_season_has_its_own_list(chased, season):
    later = SeasonFactory(
        name="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 6, 30), is_current=False
    )
    family = new_family("Prigent")
    student = StudentFactory(family=family)
    EnrolmentFactory(student=student, course=CourseFactory(season=later))
    assert set(missing_documents(later)) == {family.pk}
    assert family.pk not in missing_documents(season)


@pytest.fixture
def staff_client(client, db):
    staff_login(client, StaffFactory())
    return client


def test_the_admin_list_shows_who_misses_what(staff_client, chased):
    page = text(staff_client.get(LIST))
    assert "Documents manquants — saison 2026-2027" in page
    for name in ("MORVAN Anne", "GALL Anne", "QUERE Anne"):
        assert name in page
    for name in ("KERJEAN", "RIOU", "TANGUY"):
        assert name not in page
    assert "Justificatif de domicile de moins de 3 mois (à fournir)" in page
    assert (
        "Nolwenn GALL</strong> : Attestation sur l'honneur ou certificat médical (danse) (refusé)"
        in page
    )
    assert "jamais" in page


def test_the_list_s_queries_do_not_grow_with_families(
    staff_client, chased, django_assert_max_num_queries
):
    staff_client.get(LIST)
    with django_assert_max_num_queries(30) as few:
        staff_client.get(LIST)
    for index in range(6):
        family = new_family(f"Famille{index}")
        music_student(family)
        dance_student(family)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = text(staff_client.get(LIST))
    assert "FAMILLE5 Anne" in page


def select(staff_client, families, **extra):
    return staff_client.post(
        LIST,
        {"action": "send_reminders", "_selected_action": [f.pk for f in families], **extra},
    )


def test_reminders_are_confirmed_then_queued_with_what_is_missing_and_the_links(
    staff_client, chased, outbox
):
    outbox.clear()
    morvan, legall = chased["morvan"], chased["legall"]
    page = text(select(staff_client, [morvan, legall, chased["kerjean"]]))
    assert "Les 2 familles suivantes recevront" in page and "KERJEAN" not in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = select(staff_client, [morvan, legall], post="yes", token=token)
    assert response.status_code == 302
    messages = outbox()
    assert len(messages) == 2
    by_address = {message.to[0]: message for message in messages}
    nolwenn = legall.students.get()
    to_legall = by_address["gall@example.org"]
    assert to_legall.subject.startswith("Documents manquants pour la saison 2026-2027")
    assert (
        "Pour Nolwenn GALL : Attestation sur l'honneur ou certificat médical (danse) (refusé)"
        in to_legall.body
    )
    assert "Motif du refus : Certificat illisible" in to_legall.body
    assert f"https://portail.example.org/eleves/{nolwenn.pk}/#documents" in to_legall.body
    assert (
        f"https://portail.example.org/eleves/{nolwenn.pk}/#documents"
        in to_legall.alternatives[0][0]
    )
    yann = morvan.students.get()
    to_morvan = by_address["morvan@example.org"]
    assert (
        "Pour la famille : Justificatif de domicile de moins de 3 mois (à fournir)"
        in to_morvan.body
    )
    assert f"https://portail.example.org/eleves/{yann.pk}/#documents" in to_morvan.body
    # Recorded: staff see when each family was last reminded, and it is in its history.
    message = Message.objects.get()
    assert message.kind == Message.Kind.DOCUMENTS_REMINDER and message.season_id
    assert set(Delivery.objects.values_list("family", flat=True)) == {morvan.pk, legall.pk}
    page = text(staff_client.get(LIST))
    assert page.count(timezone.localtime(message.sent_at).strftime("%Y")) >= 2
    assert page.count("jamais") == 1  # Quéré only
    history = text(staff_client.get(f"/admin/families/family/{morvan.pk}/change/"))
    assert "Messages et relances reçus" in history
    assert "Documents manquants pour la saison 2026-2027" in history


def test_a_double_submission_sends_nothing_more(staff_client, chased, outbox):
    outbox.clear()
    morvan = chased["morvan"]
    page = text(select(staff_client, [morvan]))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    select(staff_client, [morvan], post="yes", token=token)
    response = select(staff_client, [morvan], post="yes", token=token)
    assert len(outbox()) == 1
    assert Message.objects.count() == 1
    followed = text(staff_client.get(response.url))
    assert "Cette relance a déjà été envoyée" in followed
    # Choosing the family again shows when it was last reminded.
    page = text(select(staff_client, [morvan]))
    assert "Dernière relance" in page and "jamais" not in page


def test_the_reminder_is_written_in_the_recipient_s_language(staff_client, chased, outbox):
    outbox.clear()
    morvan = chased["morvan"]
    UserFactory(family=morvan, email="morvan@example.org", language="en")
    page = text(select(staff_client, [morvan]))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    select(staff_client, [morvan], post="yes", token=token)
    (message,) = outbox()
    assert message.subject.startswith("Missing documents for the 2026-2027 season")
    assert "Proof of address" in message.body


def test_staff_without_the_permission_cannot_send_reminders(client, chased, outbox):
    from django.contrib.auth.models import Permission

    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_familymissingdocuments"))
    staff_login(client, user)
    outbox.clear()
    page = text(client.get(LIST))
    assert "MORVAN Anne" in page and "send_reminders" not in page
    response = client.post(
        LIST,
        {
            "action": "send_reminders",
            "_selected_action": [chased["morvan"].pk],
            "post": "yes",
            "token": "0b6f5a3e-9d0c-4a7e-8a55-2b7c6f0a1d2e",
        },
    )
    assert response.status_code in (200, 302)
    assert outbox() == [] and not Message.objects.exists()


def test_a_family_whose_documents_came_meanwhile_gets_nothing(staff_client, chased, season, outbox):
    outbox.clear()
    morvan = chased["morvan"]
    page = text(select(staff_client, [morvan]))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    DocumentFactory(family=morvan, season=season)  # uploaded before staff confirm
    response = select(staff_client, [morvan], post="yes", token=token)
    assert "rien n'a été envoyé" in text(staff_client.get(response.url))
    assert outbox() == [] and not Message.objects.exists()


def test_a_re_enrolment_request_for_the_season_asks_for_documents_too(chased, season):
    from students.models import Department
    from tests.factories import DepartmentFactory, DisciplineFactory
    from tests.reenrolment.factories import CampaignFactory, LineFactory, RequestFactory

    dance = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    jazz = DisciplineFactory(name="Modern'jazz", department=dance)
    family = new_family("Prigent")
    student = StudentFactory(family=family, first_name="Maël")
    campaign = CampaignFactory(
        season=SeasonFactory(
            name="2027-2028",
            is_current=False,
            starts_on=date(2027, 9, 1),
            ends_on=date(2028, 6, 30),
        )
    )
    LineFactory(request=RequestFactory(campaign=campaign, student=student), discipline=jazz)
    later = campaign.season
    assert summary(missing_documents(later)[family.pk]) == {(DANCE, "Maël", ItemStatus.TO_PROVIDE)}
    assert family.pk not in missing_documents(season)
