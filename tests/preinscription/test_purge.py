"""`purge_preinscriptions`: uploads of applications never completed go once the period has
closed; complete ones, accepted ones and open periods' stay."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from preinscription.models import Application, ApplicationDocument
from tests.students.factories import image_bytes, pdf_bytes, upload


def with_document(client, school, email, *, complete=False):
    extra = {"famille-email": email, "domicile-document_date": timezone.localdate().isoformat()}
    if complete:
        extra["eleve2-danse-kind"] = "statement"
    data_files = {"domicile-file": upload("facture.pdf", pdf_bytes())}
    if complete:
        data_files["eleve2-danse-file"] = upload("a.jpg", image_bytes(), "image/jpeg")
    from tests.preinscription.conftest import form_data

    data = {**form_data(school, **extra), **data_files}
    assert client.post("/preinscription/", data).status_code == 302
    return Application.objects.order_by("-pk").first()


def test_it_purges_uploads_of_incomplete_applications_after_the_period(
    client, school, django_capture_on_commit_callbacks
):
    incomplete = with_document(client, school, "a@example.org")
    complete = with_document(client, school, "b@example.org", complete=True)
    assert complete.__class__.objects.get(pk=complete.pk).is_complete
    name = incomplete.documents.get().file.name
    call_command("purge_preinscriptions")
    assert ApplicationDocument.objects.count() == 3  # the period is still open
    school.campaign.closes_at = timezone.now() - timedelta(minutes=1)
    school.campaign.save()
    from io import StringIO

    out = StringIO()
    call_command("purge_preinscriptions", "--dry-run", stdout=out)
    assert "justificatifs à supprimer : 1" in out.getvalue()
    assert ApplicationDocument.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_preinscriptions", stdout=out)
    assert not incomplete.documents.exists()
    assert not default_storage.exists(name)
    assert complete.documents.count() == 2
    assert Application.objects.count() == 2  # the applications stay for staff


def test_it_keeps_the_uploads_of_an_application_a_family_was_created_from(client, school):
    application = with_document(client, school, "a@example.org")
    from families.models import Family

    application.family = Family.objects.create(name="Le Gall")
    application.save()
    school.campaign.closes_at = timezone.now() - timedelta(minutes=1)
    school.campaign.save()
    call_command("purge_preinscriptions")
    assert application.documents.count() == 1


def test_it_forgets_old_posts_of_the_form(client, school):
    from preinscription.models import SubmissionAttempt

    apply_data = with_document(client, school, "a@example.org")
    assert apply_data
    old = SubmissionAttempt.objects.create(ip_address="192.0.2.1")
    SubmissionAttempt.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    call_command("purge_preinscriptions")
    assert SubmissionAttempt.objects.count() == 1
    assert not SubmissionAttempt.objects.filter(pk=old.pk).exists()
