"""A document's student is one of the document's family's students."""

import pytest
from django.core.exceptions import ValidationError

from students.checklist import build_checklist
from students.models import Document, DocumentKind
from students.services import upload_document
from students.uploads import check_upload
from tests.factories import FamilyFactory
from tests.students.factories import DocumentFactory, dance_student, pdf_bytes, upload

OTHER_FAMILY_ERROR = "n'est pas un élève de cette famille"


def test_the_model_refuses_another_familys_student(family):
    stranger = dance_student(FamilyFactory(name="TEST"), first_name="Léa")
    document = DocumentFactory.build(
        family=family,
        student=stranger,
        season=stranger.enrolments.get().course.season,
        kind=DocumentKind.HEALTH_STATEMENT,
        document_date=None,
    )
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    assert OTHER_FAMILY_ERROR in " ".join(error.value.message_dict["student"])


def test_the_upload_service_refuses_another_familys_student(family, family_user):
    stranger = dance_student(FamilyFactory(name="TEST"), first_name="Léa")
    item = next(i for i in build_checklist(stranger.family).items if i.student == stranger)
    checked = check_upload(upload("attestation.pdf", pdf_bytes(), "application/pdf"))
    with pytest.raises(ValidationError, match=OTHER_FAMILY_ERROR):
        upload_document(
            family=family,
            item=item,
            checked=checked,
            kind=DocumentKind.HEALTH_STATEMENT,
            document_date=None,
            user=family_user,
        )
    assert not Document.objects.exists()
