"""`/documents/<id>/`: the owning family or staff, as an attachment, never cached or sniffed."""

from django.contrib.auth.models import Permission

from students.models import DocumentKind
from tests.conftest import staff_login
from tests.factories import StaffFactory
from tests.students.factories import DocumentFactory, dance_student, pdf_bytes


def _read(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_serves_the_family_its_document_as_an_attachment(family_client, family):
    document = DocumentFactory(family=family)
    response = family_client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="justificatif-de-domicile-' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert _read(response) == pdf_bytes()


def test_it_is_a_404_for_another_family(other_client, family):
    document = DocumentFactory(family=family)
    assert other_client.get(f"/documents/{document.pk}/").status_code == 404


def test_it_redirects_anonymous_visitors_to_the_login(client, family):
    document = DocumentFactory(family=family)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_staff_open_any_document(staff_client, family):
    document = DocumentFactory(family=family)
    response = staff_client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert _read(response) == pdf_bytes()


def test_medical_certificates_need_the_dedicated_permission(client, family):
    student = dance_student(family)
    certificate = DocumentFactory(
        family=family, student=student, kind=DocumentKind.MEDICAL_CERTIFICATE, document_date=None
    )
    agent = StaffFactory(is_superuser=False)
    agent.user_permissions.add(Permission.objects.get(codename="view_document"))
    staff_login(client, agent)
    assert client.get(f"/documents/{certificate.pk}/").status_code == 403
    agent.user_permissions.add(Permission.objects.get(codename="view_medical_certificate"))
    staff_login(client, type(agent).objects.get(pk=agent.pk))
    response = client.get(f"/documents/{certificate.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_family_cannot_reopen_a_medical_certificate(family_client, family):
    student = dance_student(family)
    certificate = DocumentFactory(
        family=family, student=student, kind=DocumentKind.MEDICAL_CERTIFICATE, document_date=None
    )
    assert family_client.get(f"/documents/{certificate.pk}/").status_code == 404
    html = family_client.get(f"/eleves/{student.pk}/").content.decode()
    assert "consultable uniquement par le personnel habilité" in html
    assert f"/documents/{certificate.pk}/" not in html
