"""A student who leaves is archived, never deleted: its enrolments, requests, consents,
documents and invoices stay; the family's current lists no longer show it (issue 12, item 8)."""

import html

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from billing.models import InvoiceLine
from reenrolment.models import Consent, Request
from students.models import Document, DocumentKind, Enrolment, Student
from tests.billing.factories import issued_invoice
from tests.factories import EnrolmentFactory, StudentFactory
from tests.reenrolment.factories import CampaignFactory, RequestFactory, RequirementFactory
from tests.students.factories import DocumentFactory, dance_student, music_student

CHANGELIST = "/admin/students/student/"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def lea(family):
    """A dancer with her enrolment, her certificate, a request with its consent, an invoice."""
    student = dance_student(family, first_name="Léa")
    DocumentFactory(
        family=family,
        student=student,
        kind=DocumentKind.MEDICAL_CERTIFICATE,
        document_date=None,
        status=Document.Status.REFUSED,
        refusal_reason="Illisible",
    )
    requirement = RequirementFactory()
    request = RequestFactory(campaign=CampaignFactory(requirements=[requirement]), student=student)
    Consent.objects.create(request=request, requirement=requirement, accepted_at=timezone.now())
    issued_invoice(family, "120.00", student=student)
    return student


def history_kept(student):
    assert Student.objects.filter(pk=student.pk).exists()
    assert Enrolment.objects.filter(student=student).count() == 1
    assert Document.objects.filter(student=student).count() == 1
    assert Request.objects.filter(student=student).count() == 1
    assert Consent.objects.filter(request__student=student).count() == 1
    assert InvoiceLine.objects.filter(student=student).count() == 1


def test_staff_cannot_delete_a_student(staff_client, lea):
    assert staff_client.get(f"{CHANGELIST}{lea.pk}/delete/").status_code == 403
    changelist = page(staff_client.get(CHANGELIST))
    assert "delete_selected" not in changelist
    assert 'value="archive"' in changelist
    response = staff_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [lea.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    history_kept(lea)
    change = page(staff_client.get(f"{CHANGELIST}{lea.pk}/change/"))
    assert f"{CHANGELIST}{lea.pk}/delete/" not in change


def test_deleting_in_code_is_refused_too(lea):
    with pytest.raises(ProtectedError):
        lea.delete()
    history_kept(lea)


def test_the_archive_action_keeps_everything_and_is_in_the_history(staff_client, lea, family):
    stays = music_student(family, first_name="Noé")
    response = staff_client.post(
        CHANGELIST, {"action": "archive", "_selected_action": [lea.pk]}, follow=True
    )
    assert "1 élève archivé : il n'apparaît plus dans les listes de la famille." in page(response)
    lea.refresh_from_db()
    stays.refresh_from_db()
    assert lea.left_on == timezone.localdate()
    assert stays.left_on is None
    history_kept(lea)
    assert list(Student.objects.present().filter(family=family)) == [stays]
    archived = page(staff_client.get(f"{CHANGELIST}?presence=left"))
    assert f"{CHANGELIST}{lea.pk}/change/" in archived
    assert f"{CHANGELIST}{stays.pk}/change/" not in archived
    history = page(staff_client.get(f"{CHANGELIST}{lea.pk}/history/"))
    assert "A quitté le centre le" in history

    response = staff_client.post(
        CHANGELIST, {"action": "restore", "_selected_action": [lea.pk]}, follow=True
    )
    assert "1 élève réactivé." in page(response)
    lea.refresh_from_db()
    assert lea.left_on is None


def test_the_family_no_longer_sees_an_archived_student_but_keeps_its_invoices(
    family_client, lea, family
):
    noe = music_student(family, first_name="Noé")
    before = page(family_client.get("/eleves/"))
    assert "Léa" in before and "Noé" in before
    assert "Léa" in page(family_client.get("/accueil/"))  # her refused certificate

    Student.objects.filter(pk=lea.pk).update(left_on=timezone.localdate())
    students = page(family_client.get("/eleves/"))
    assert "Léa" not in students and "Noé" in students
    assert family_client.get(f"/eleves/{lea.pk}/").status_code == 404
    assert family_client.get(f"/eleves/{noe.pk}/").status_code == 200
    # Her dance document is no longer asked for (Accueil card).
    home = page(family_client.get("/accueil/"))
    assert "Léa" not in home
    # Billing keeps her invoice and its line.
    invoice = InvoiceLine.objects.get(student=lea).invoice
    assert invoice.number in page(family_client.get("/facturation/"))
    assert family_client.get(f"/facturation/{invoice.number}.pdf").status_code == 200


def test_duplicates_are_still_checked_against_an_archived_child(staff_client, family):
    StudentFactory(family=family, first_name="Léa", last_name="Test", left_on=timezone.localdate())
    from tests.students.test_integrity import student_data

    response = staff_client.post("/admin/students/student/add/", student_data(family))
    assert "est déjà un élève de cette famille" in page(response)


def test_an_enrolment_cannot_outlive_its_student_silently(family):
    student = StudentFactory(family=family)
    EnrolmentFactory(student=student)
    with pytest.raises(ProtectedError):
        student.delete()
