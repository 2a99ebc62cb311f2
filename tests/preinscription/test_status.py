"""The status page the receipt links to: per-wish answers, a missing document added later,
and no access without the exact signed token."""

from django.utils import timezone

from preinscription.models import ApplicationDocument
from tests.preinscription.helpers import apply, status_path
from tests.students.factories import pdf_bytes, upload


def test_it_shows_each_wish_and_the_missing_documents(client, school):
    application = apply(client, school)
    html = client.get(status_path(application)).content.decode()
    assert "Choix 1 — Piano : en attente de réponse" in html
    assert "Choix 2 — Violon : en attente de réponse" in html
    assert "Justificatif de domicile de moins de 3 mois" in html
    assert "Attestation sur l&#x27;honneur ou certificat médical (danse) — Lou LE GALL" in html
    assert html.count("à fournir") == 2


def test_a_wrong_token_is_a_404(client, school):
    application = apply(client, school)
    token = application.status_token
    assert client.get(f"/preinscription/suivi/{token}x/").status_code == 404
    forged = token.replace(application.access_key, "A" * len(application.access_key))
    assert client.get(f"/preinscription/suivi/{forged}/").status_code == 404
    assert client.get(f"/preinscription/suivi/{application.pk}/").status_code == 404
    # A signed token with another key (e.g. an old one) is refused too.
    old_key = application.access_key
    application.access_key = "autre"
    application.save()
    assert client.get(f"/preinscription/suivi/{token}/").status_code == 404
    assert old_key not in client.get("/preinscription/").content.decode()


def test_a_missing_document_is_added_later(client, school, outbox):
    application = apply(client, school)
    student = application.students.get(first_name="Lou")
    url = status_path(application) + f"documents/dance-{student.pk}/"
    response = client.post(url, {f"dance-{student.pk}-kind": "medical"})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    response = client.post(
        url,
        {
            f"dance-{student.pk}-kind": "medical",
            f"dance-{student.pk}-file": upload("certificat.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert (document.kind, document.student) == ("medical", student)
    application.refresh_from_db()
    assert application.is_complete is False  # the proof of address is still missing
    response = client.post(
        status_path(application) + "documents/address/",
        {
            "address-document_date": timezone.localdate().isoformat(),
            "address-file": upload("facture.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.is_complete is True
    html = client.get(status_path(application)).content.decode()
    assert "à fournir" not in html
    # Once provided, the slot takes no other file.
    response = client.post(
        status_path(application) + "documents/address/",
        {
            "address-document_date": timezone.localdate().isoformat(),
            "address-file": upload("facture.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 404


def test_an_upload_needs_the_token_and_a_needed_slot(client, school):
    application = apply(client, school)
    data = {
        "address-document_date": timezone.localdate().isoformat(),
        "address-file": upload("facture.pdf", pdf_bytes()),
    }
    assert (
        client.post(f"/preinscription/suivi/{application.pk}/documents/address/", data).status_code
        == 404
    )
    response = client.post(status_path(application) + "documents/dance-999/", data)
    assert response.status_code == 404
    assert not ApplicationDocument.objects.exists()


def test_a_bad_file_is_refused_on_the_status_page(client, school):
    application = apply(client, school)
    response = client.post(
        status_path(application) + "documents/address/",
        {
            "address-document_date": timezone.localdate().isoformat(),
            "address-file": upload("facture.pdf", b"not a pdf at all"),
        },
    )
    assert response.status_code == 400
    assert "type de fichier" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_the_reglement_is_readable_without_an_account_during_the_period(client, school):
    from django.core.files.base import ContentFile

    requirement = school.campaign.requirements.get()
    requirement.document.save("r.pdf", ContentFile(pdf_bytes()))
    url = f"/preinscription/consentements/{requirement.pk}/document/"
    assert url in client.get("/preinscription/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    school.campaign.closes_at = timezone.now()
    school.campaign.save()
    assert client.get(url).status_code == 404


def test_the_status_page_is_private_and_its_queries_do_not_grow(client, school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = apply(
        client,
        school,
        **{
            "eleve2-last_name": None,
            "eleve2-first_name": None,
            "eleve2-birth_date": None,
            "eleve2-wish_1": None,
            "eleve2-wish_2": None,
        },
    )
    big = apply(
        client,
        school,
        **{
            "famille-email": "autre@example.org",
            "eleve3-last_name": "Le Gall",
            "eleve3-first_name": "Nina",
            "eleve3-birth_date": "2019-01-05",
            "eleve3-wish_1": str(school.violin.pk),
            "eleve3-wish_2": str(school.piano.pk),
        },
    )
    counts = []
    for application in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(status_path(application))
        counts.append(len(queries))
        assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert counts[0] == counts[1]
