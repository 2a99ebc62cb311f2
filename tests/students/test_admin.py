"""Staff: the "documents à vérifier" list, validate or refuse in one step, the student admin."""

import html
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from students.models import Document
from students.services import review_document
from tests.conftest import staff_login
from tests.factories import CourseFactory, EnrolmentFactory, SeasonFactory, StudentFactory
from tests.students.factories import DocumentFactory, image_bytes, music_student


def _review_url(document) -> str:
    return f"/admin/students/documenttoreview/{document.pk}/change/"


def test_the_list_shows_documents_waiting_for_review(staff_client, family):
    waiting = DocumentFactory(family=family)
    DocumentFactory(family=family, status=Document.Status.VALIDATED, is_current=False)
    page = staff_client.get("/admin/students/documenttoreview/").content.decode()
    assert f"/admin/students/documenttoreview/{waiting.pk}/change/" in page
    assert "1 document à vérifier" in html.unescape(page)
    assert f"/documents/{waiting.pk}/" in page


def test_all_documents_filter_by_status_type_and_season(staff_client, family):
    SeasonFactory(name="2025-2026", starts_on=date(2025, 9, 1), is_current=False)
    DocumentFactory(family=family, status=Document.Status.REFUSED, refusal_reason="Flou")
    page = staff_client.get("/admin/students/document/?status__exact=refused").content.decode()
    assert "1 document" in page
    for filter_name in ["status__exact", "kind__exact", "season__id__exact"]:
        assert filter_name in page


def test_validating_sends_the_e_mail(staff_client, family, outbox):
    music_student(family)
    document = DocumentFactory(family=family)
    page = staff_client.get(_review_url(document)).content.decode()
    assert "Décision" in page and "Télécharger" in page
    response = staff_client.post(_review_url(document), {"decision": "validate", "reason": ""})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.VALIDATED and document.reviewed_by is not None
    message = outbox()[-1]
    assert message.subject == "Document validé : Justificatif de domicile"
    assert family.reference_email in message.to


def test_refusing_needs_a_reason_and_sends_it(staff_client, family, outbox):
    document = DocumentFactory(family=family)
    response = staff_client.post(_review_url(document), {"decision": "refuse", "reason": ""})
    assert "Indiquez le motif du refus" in html.unescape(response.content.decode())
    document.refresh_from_db()
    assert document.status == Document.Status.RECEIVED
    staff_client.post(
        _review_url(document), {"decision": "refuse", "reason": "Document de plus de 3 mois"}
    )
    document.refresh_from_db()
    assert document.status == Document.Status.REFUSED
    message = outbox()[-1]
    assert message.subject == "Document refusé : Justificatif de domicile"
    assert "Document de plus de 3 mois" in message.body


def test_an_image_is_previewed_and_earlier_versions_are_listed(staff_client, family):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    earlier = DocumentFactory(
        family=family, status=Document.Status.REFUSED, refusal_reason="Flou", is_current=False
    )
    name = default_storage.save("documents/x.jpg", ContentFile(image_bytes()))
    document = DocumentFactory(family=family, file=name, content_type="image/jpeg")
    page = staff_client.get(_review_url(document)).content.decode()
    assert f'src="/documents/{document.pk}/?apercu=1"' in page
    assert f"/admin/students/document/{earlier.pk}/change/" in page
    response = staff_client.get(f"/documents/{document.pk}/?apercu=1")
    assert response["Content-Disposition"].startswith("inline;")


def test_the_student_admin_shows_enrolments_inline(staff_client, family):
    student = StudentFactory(family=family)
    enrolment = EnrolmentFactory(student=student)
    page = staff_client.get(f"/admin/students/student/{student.pk}/change/").content.decode()
    assert "Inscriptions" in page and str(enrolment.course.pk) in page
    for url in ["course", "discipline", "department", "season"]:
        assert staff_client.get(f"/admin/students/{url}/").status_code == 200


def test_certificates_stay_closed_to_staff_without_the_permission(client, family):
    from django.contrib.auth.models import Permission

    from students.models import DocumentKind
    from tests.factories import StaffFactory
    from tests.students.factories import dance_student

    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_document", "change_document"])
    )
    staff_login(client, agent)
    certificate = DocumentFactory(
        family=family,
        student=dance_student(family),
        kind=DocumentKind.MEDICAL_CERTIFICATE,
        document_date=None,
    )
    page = html.unescape(
        client.get(f"/admin/students/document/{certificate.pk}/change/").content.decode()
    )
    assert "réservé au personnel habilité" in page
    assert f"/documents/{certificate.pk}/" not in page
    listing = client.get("/admin/students/document/").content.decode()
    assert "réservé" in listing and f"/documents/{certificate.pk}/" not in listing


def test_a_staff_edit_of_a_student_sends_the_same_receipt(staff_client, family, outbox):
    from students.forms import StudentForm

    student = StudentFactory(family=family, first_name="Léa", school="École A")
    form = StudentForm(instance=student)
    data = {"family": family.pk, "enrolments-TOTAL_FORMS": 0, "enrolments-INITIAL_FORMS": 0}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(school="Collège B", mobile="0611223344")
    response = staff_client.post(f"/admin/students/student/{student.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    student.refresh_from_db()
    assert student.school == "Collège B" and student.mobile == "+33611223344"
    assert student.version == 2
    message = outbox()[-1]
    assert "École A" in message.body and "Collège B" in message.body
    assert "le secrétariat" in message.body
    # The student's history in admin reads as the family's: before → after, French header.
    history = staff_client.get(f"/admin/students/student/{student.pk}/history/")
    page = html.unescape(history.content.decode())
    assert "École A → Collège B" in page
    assert "[{" not in page and "'label'" not in page
    assert "Modifications" in page and "Changes" not in page


def _student_admin_data(student, **enrolments):
    from students.forms import StudentForm

    form = StudentForm(instance=student)
    data = {"family": student.family_id}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    data.update(enrolments)
    return data


def test_staff_enrolment_changes_are_in_the_student_history(staff_client, family, outbox):
    from datetime import time

    student = StudentFactory(family=family, first_name="Inès")
    piano = CourseFactory(name="Piano", weekday=1, start_time=time(17, 30))
    url = f"/admin/students/student/{student.pk}/change/"
    added = _student_admin_data(
        student,
        **{
            "enrolments-TOTAL_FORMS": 1,
            "enrolments-INITIAL_FORMS": 0,
            "enrolments-0-course": piano.pk,
            "enrolments-0-student": student.pk,
        },
    )
    response = staff_client.post(url, added)
    assert response.status_code == 302, response.content.decode()[:3000]
    enrolment = student.enrolments.get()
    removed = _student_admin_data(
        student,
        **{
            "enrolments-TOTAL_FORMS": 1,
            "enrolments-INITIAL_FORMS": 1,
            "enrolments-0-id": enrolment.pk,
            "enrolments-0-course": piano.pk,
            "enrolments-0-student": student.pk,
            "enrolments-0-DELETE": "on",
        },
    )
    assert staff_client.post(url, removed).status_code == 302
    assert not student.enrolments.exists()
    admin_page = html.unescape(
        staff_client.get(f"{url.removesuffix('change/')}history/").content.decode()
    )
    assert "Inscription ajoutée : ∅ → Piano — lundi 17 h 30" in admin_page
    assert "Inscription retirée : Piano — lundi 17 h 30 → ∅" in admin_page
    assert staff_client.get(f"{url.removesuffix('change/')}history/").status_code == 200
    family_client = staff_client.__class__()
    family_client.force_login(family.accounts.get())
    page = html.unescape(family_client.get(f"/eleves/{student.pk}/").content.decode())
    assert "Inscription ajoutée" in page and "Inscription retirée" in page
    assert "par le secrétariat" in page or "le secrétariat" in page
    # Stored without labels: a reader in English reads it in English.
    family_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html.unescape(family_client.get(f"/eleves/{student.pk}/").content.decode())
    translation.activate("fr")  # the request left English active in this thread
    assert "Enrolment added" in page and "Piano — Monday 17:30" in page
    assert "Inscription ajoutée" not in page and "lundi" not in page


def test_the_review_service_refuses_a_refusal_without_reason(family, staff_user, outbox):
    """The same rule as the admin form's, when the service is called directly."""
    document = DocumentFactory(family=family)
    with pytest.raises(ValidationError, match="Indiquez le motif du refus"):
        review_document(document=document, validate=False, reason="  ", reviewer=staff_user)
    document.refresh_from_db()
    assert document.status == Document.Status.RECEIVED
    assert outbox() == []
    review_document(document=document, validate=False, reason=" Illisible ", reviewer=staff_user)
    document.refresh_from_db()
    assert (document.status, document.refusal_reason) == (Document.Status.REFUSED, "Illisible")


def test_a_version_the_family_replaced_shows_as_superseded_and_is_not_reviewed(
    staff_client, staff_user, family_user, family, outbox
):
    from django.test import Client
    from django.utils import timezone

    from tests.students.factories import pdf_bytes, upload

    student = music_student(family)
    wrong = DocumentFactory(family=family, original_name="mauvais.pdf")
    family_client = Client()
    family_client.force_login(family_user)
    family_client.post(
        f"/eleves/{student.pk}/documents/address/",
        {
            "address-document_date": timezone.localdate().isoformat(),
            "address-file": upload("bon.pdf", pdf_bytes()),
        },
    )
    new = Document.objects.get(is_current=True)
    page = html.unescape(staff_client.get("/admin/students/document/").content.decode())
    assert "remplacé" in page and "en cours" in page
    page = html.unescape(
        staff_client.get(f"/admin/students/document/{new.pk}/change/").content.decode()
    )
    assert f"/admin/students/document/{wrong.pk}/change/" in page and "— remplacé" in page
    # The queue holds the new version only; the superseded one cannot be decided on.
    queue = staff_client.get("/admin/students/documenttoreview/").content.decode()
    assert _review_url(new) in queue and _review_url(wrong) not in queue
    response = staff_client.post(
        f"/admin/students/document/{wrong.pk}/change/", {"decision": "validate", "reason": ""}
    )
    assert "a été remplacé par une nouvelle version" in html.unescape(response.content.decode())
    wrong.refresh_from_db()
    assert wrong.status == Document.Status.RECEIVED
    with pytest.raises(ValidationError):
        review_document(document=wrong, validate=True, reviewer=staff_user)


def _document_reviewer():
    """A staff member who reviews documents but may not open medical certificates."""
    from django.contrib.auth.models import Permission

    from tests.factories import StaffFactory

    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_document",
                "change_document",
                "view_documenttoreview",
                "change_documenttoreview",
            ]
        )
    )
    return type(agent).objects.get(pk=agent.pk)


def _unentitled_certificate(family):
    from students.models import DocumentKind

    return DocumentFactory(
        family=family,
        student=music_student(family),
        kind=DocumentKind.MEDICAL_CERTIFICATE,
        document_date=None,
    )


def test_the_review_service_refuses_a_certificate_decision_without_the_permission(family, outbox):
    from django.core.exceptions import PermissionDenied

    document = _unentitled_certificate(family)
    with pytest.raises(PermissionDenied):
        review_document(document=document, validate=True, reviewer=_document_reviewer())
    document.refresh_from_db()
    assert document.status == Document.Status.RECEIVED
    assert outbox() == []


def test_the_admin_refuses_a_certificate_decision_without_the_permission(client, family, outbox):
    document = _unentitled_certificate(family)
    staff_login(client, _document_reviewer())
    response = client.post(_review_url(document), {"decision": "validate", "reason": ""})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.status == Document.Status.RECEIVED
    assert outbox() == []
