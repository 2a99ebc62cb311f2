"""The public application form: landing entry, valid and invalid submissions, documents,
honeypot, rate limits, receipt e-mail and atomicity."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from preinscription.models import (
    Application,
    ApplicationDocument,
    SubmissionAttempt,
    Wish,
)
from tests.factories import FamilyFactory, ResponsableFactory, StudentFactory
from tests.preinscription.conftest import form_data
from tests.students.factories import image_bytes, pdf_bytes, upload

URL = "/preinscription/"


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("preinscriptions")[1]
    except FileNotFoundError:
        return []


def test_the_landing_page_offers_it_only_during_a_period(client, school):
    html = client.get("/").content.decode()
    assert 'href="/preinscription/"' in html
    assert "Pré-inscriptions 2027-2028" in html
    school.campaign.closes_at = timezone.now() - timedelta(minutes=1)
    school.campaign.opens_at = timezone.now() - timedelta(days=2)
    school.campaign.save()
    assert 'href="/preinscription/"' not in client.get("/").content.decode()
    response = client.get(URL)
    assert response.status_code == 200
    assert "La pré-inscription n'est pas ouverte en ce moment" in response.content.decode()


def test_the_form_shows_the_offer_and_the_reglement(client, school):
    html = client.get(URL).content.decode()
    assert "Pré-inscription" in html
    for name in ("Piano", "Violon", "Danse classique"):
        assert name in html
    assert "accepte le règlement intérieur." in html
    assert 'name="famille-website"' in html


def test_a_valid_application_is_recorded_with_its_receipt(client, school, outbox):
    response = client.post(URL, form_data(school))
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert re.fullmatch(r"\d{4}PRE\d{5}", application.reference)
    assert response["Location"] == f"/preinscription/suivi/{application.status_token}/"
    assert [r.display_name for r in application.responsables.all()] == ["LE GALL Anne"]
    students = {s.first_name: s for s in application.students.all()}
    assert set(students) == {"Maël", "Lou"}
    assert [w.discipline.name for w in students["Lou"].wishes.all()] == [
        "Danse classique",
        "Violon",
    ]
    assert [w.preference for w in students["Lou"].wishes.all()] == [1, 2]
    assert application.consents.count() == 1
    assert application.is_complete is False  # proof of address and dance document missing
    (message,) = outbox()
    assert message.to == ["anne.legall@example.org"]
    assert application.reference in message.subject
    url = f"https://portail.example.org/preinscription/suivi/{application.status_token}/"
    assert url in message.body
    assert "Justificatif de domicile" in message.body and "à fournir" in message.body
    html = message.alternatives[0][0]
    assert url in html
    page = client.get(url.removeprefix("https://portail.example.org"))
    assert page.status_code == 200
    assert application.reference in page.content.decode()


def test_the_documents_sent_with_it_are_stored_privately(client, school, outbox):
    data = form_data(
        school,
        **{
            "domicile-document_date": timezone.localdate().isoformat(),
            "eleve2-danse-kind": "statement",
        },
    )
    data["domicile-file"] = upload("facture.pdf", pdf_bytes())
    data["eleve2-danse-file"] = upload("attestation.jpg", image_bytes(), "image/jpeg")
    response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.is_complete is True
    documents = list(application.documents.order_by("kind"))
    assert [d.kind for d in documents] == ["address", "statement"]
    assert documents[1].student.first_name == "Lou"
    assert documents[1].content_type == "image/jpeg"
    assert len(stored_files()) == 2
    assert all(d.file.name.startswith("preinscriptions/") for d in documents)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"r1-last_name": ""}, "Ce champ est obligatoire."),
        ({"famille-email": "pas-un-email"}, "Saisissez une adresse de courriel valide."),
        ({"famille-postal_code": "2244"}, "code postal"),
        ({"eleve1-wish_1": ""}, "Choisissez au moins une discipline."),
        ({"eleve1-birth_date": ""}, "Ce champ est obligatoire."),
        ({"eleve2-wish_2": None, "eleve2-wish_3": "DANCE"}, "Cette discipline est déjà choisie"),
        ({"r2-first_name": "Yann"}, "Ce champ est obligatoire."),
        ({"famille-consent_REQ": None}, "Cochez cette case pour envoyer la demande."),
        ({"eleve1-wish_1": "999999"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_input_is_refused_with_a_french_message(client, school, outbox, overrides, message):
    requirement = school.campaign.requirements.get()
    overrides = {
        key.replace("REQ", str(requirement.pk)): (
            str(school.dance.pk) if value == "DANCE" else value
        )
        for key, value in overrides.items()
    }
    data = form_data(school, **overrides)
    if "famille-consent_" + str(requirement.pk) in overrides:
        data.pop(f"famille-consent_{requirement.pk}", None)
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "La demande n'a pas été envoyée" in html
    assert message in html
    assert not Application.objects.exists()
    assert outbox() == []


@pytest.mark.parametrize(
    ("files", "extra", "message"),
    [
        ({"domicile-file": ("virus.exe", b"MZ\x90\x00")}, {}, "type de fichier"),
        ({"domicile-file": ("facture.pdf", b"%PDF-1.4 broken")}, {}, "PDF"),
        ({"domicile-file": ("facture.pdf", "PDF")}, {}, "Ce champ est obligatoire."),
        (
            {"domicile-file": ("facture.pdf", "PDF")},
            {"domicile-document_date": "2000-01-01"},
            "moins de 3 mois",
        ),
        ({"eleve2-danse-file": ("a.pdf", "PDF")}, {}, "Ce champ est obligatoire."),
        (
            {"eleve3-danse-file": ("a.pdf", "PDF")},
            {"eleve3-danse-kind": "statement"},
            "que ce document concerne",
        ),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_kept(client, school, files, extra, message):
    data = form_data(school, **extra)
    for name, (filename, content) in files.items():
        data[name] = upload(filename, pdf_bytes() if content == "PDF" else content)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Application.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_the_honeypot_refuses_robots(client, school, outbox):
    response = client.post(URL, form_data(school, **{"famille-website": "http://spam"}))
    assert response.status_code == 400
    assert "laissez vide le champ « Site web »" in response.content.decode()
    assert not Application.objects.exists()
    assert outbox() == []


@override_settings(PREINSCRIPTION_IP_LIMIT=3)
def test_posts_from_one_address_are_limited(client, school):
    for _ in range(3):
        client.post(URL, form_data(school, **{"r1-last_name": ""}))
    response = client.post(URL, form_data(school))
    assert response.status_code == 429
    assert "Trop de demandes ont été envoyées depuis cette connexion" in response.content.decode()
    assert not Application.objects.exists()
    # Another address may still apply.
    response = client.post(URL, form_data(school), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert SubmissionAttempt.objects.count() == 5


@override_settings(PREINSCRIPTION_EMAIL_LIMIT=1)
def test_applications_with_one_email_are_limited(client, school):
    assert client.post(URL, form_data(school)).status_code == 302
    response = client.post(URL, form_data(school, **{"famille-email": "ANNE.LEGALL@example.org"}))
    assert response.status_code == 429
    assert "avec cette adresse e-mail" in response.content.decode()
    assert Application.objects.count() == 1


def test_a_failure_leaves_nothing_half_created(client, school, monkeypatch):
    from preinscription import services

    def broken(*args, **kwargs):
        raise RuntimeError("SMTP queue down")

    monkeypatch.setattr(services, "send_templated_email", broken)
    data = form_data(school, **{"domicile-document_date": timezone.localdate().isoformat()})
    data["domicile-file"] = upload("facture.pdf", pdf_bytes())
    with pytest.raises(RuntimeError):
        client.post(URL, data)
    assert not Application.objects.exists()
    assert not Wish.objects.exists()
    assert not ApplicationDocument.objects.exists()
    assert stored_files() == []


def test_a_closed_period_takes_no_application(client, school):
    school.campaign.closes_at = timezone.now() - timedelta(minutes=1)
    school.campaign.save()
    response = client.post(URL, form_data(school))
    assert response.status_code == 302
    assert not Application.objects.exists()


def test_possible_duplicates_of_existing_families_are_flagged(client, school):
    same_child = FamilyFactory(name="Autre")
    StudentFactory(
        family=same_child, first_name="MAËL", last_name="le gall", birth_date="2016-04-02"
    )
    same_email = FamilyFactory(name="Courriel", reference_email="Anne.LeGall@example.org")
    same_phone = FamilyFactory(name="Téléphone")
    ResponsableFactory(family=same_phone, mobile="+33611223344")
    unrelated = FamilyFactory(name="Sans rapport")
    StudentFactory(
        family=unrelated, first_name="Maël", last_name="Le Gall", birth_date="2015-04-02"
    )
    client.post(URL, form_data(school))
    application = Application.objects.get()
    assert set(application.possible_duplicates.all()) == {same_child, same_email, same_phone}


def test_the_period_is_not_a_campaign_of_the_reinscription_tab(family_client, family, school):
    student = StudentFactory(family=family, first_name="Zoé")
    assert "Pré-inscriptions 2027-2028" not in family_client.get("/reinscription/").content.decode()
    assert "Pré-inscriptions 2027-2028" not in family_client.get("/accueil/").content.decode()
    url = f"/reinscription/campagnes/{school.campaign.pk}/eleves/{student.pk}/"
    assert family_client.get(url).status_code == 404


def test_the_emails_are_written_in_the_language_of_the_form(client, school, outbox):
    client.cookies["django_language"] = "en"
    response = client.post(URL, form_data(school))
    assert response.status_code == 302
    (message,) = outbox()
    assert message.subject.startswith("Pre-registration received: ")
    assert Application.objects.get().language == "en"
