"""Factories and real files for the Élèves tab's tests."""

import io
import uuid

import factory
import pillow_heif
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from students.models import Department, Document, DocumentKind
from tests.factories import (
    CourseFactory,
    DepartmentFactory,
    DisciplineFactory,
    EnrolmentFactory,
    SeasonFactory,
    StudentFactory,
)

pillow_heif.register_heif_opener()


def music_student(family, **kwargs):
    student = StudentFactory(family=family, **kwargs)
    EnrolmentFactory(student=student, course=CourseFactory(season=SeasonFactory()))
    return student


def dance_course(season=None):
    dance = DepartmentFactory(name="Danse", kind=Department.Kind.DANCE)
    discipline = DisciplineFactory(name="Danse classique", department=dance)
    return CourseFactory(
        season=season or SeasonFactory(), discipline=discipline, teacher="Mme PRIGENT"
    )


def dance_student(family, **kwargs):
    student = StudentFactory(family=family, **kwargs)
    EnrolmentFactory(student=student, course=dance_course())
    return student


# --- real files, made in the tests ---------------------------------------------------------


def pdf_bytes(*, password: str | None = None, javascript: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    if password:
        writer.encrypt(password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def image_bytes(fmt: str = "JPEG", *, size=(64, 48), gps: bool = False) -> bytes:
    image = Image.effect_noise(size, 60).convert("RGB")
    output = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Phone 15"  # Model
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}  # GPS
        kwargs["exif"] = exif.tobytes()
    image.save(output, fmt, **kwargs)
    return output.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    family = factory.LazyAttribute(lambda o: o.student.family if o.student else None)
    student = None
    season = factory.SubFactory(SeasonFactory)
    kind = DocumentKind.PROOF_OF_ADDRESS
    document_date = factory.LazyFunction(timezone.localdate)
    file = factory.LazyFunction(
        lambda: default_storage.save(f"documents/{uuid.uuid4().hex}.pdf", ContentFile(pdf_bytes()))
    )
    content_type = "application/pdf"
    size = 100
    original_name = "justificatif.pdf"
    status = Document.Status.RECEIVED
