"""Two families with data of every kind, for the black-box sweeps of this folder.

Family A is the demo family of `seed_demo` (user `demo`); family B is built after it with the
apps' own demo functions, so that B's ids and numbers sit right next to A's.
"""

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from post_office.models import Email

from accounts.models import User
from accounts.services import grant_portal_access
from billing import demo as billing_demo
from billing.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from families import demo as families_demo
from families.models import Civility, Family, Responsable
from reenrolment import services as reenrolment_services
from reenrolment.models import Campaign, Consent, Line, Request
from students import demo as students_demo
from students.checklist import build_checklist
from students.models import Course, Document, Enrolment, Season, Student

B_PASSWORD = "Famille-B-Mot-De-Passe-2026"


@dataclass
class FamilyData:
    family: Family
    user: User
    students: list[Student]
    documents: list[Document]
    invoices: list[Invoice]
    payments: list[Payment]
    requests: list[Request]
    upload_requirements: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class TwoFamilies:
    a: FamilyData
    b: FamilyData
    campaign: Campaign
    enrolment_campaign: Campaign


def _family_b() -> tuple[Family, User]:
    family = Family.objects.create(
        name="Martin",
        address_line1="3 rue des Lilas",
        postal_code="22440",
        city="Bellerive",
        home_phone="+33296000099",
        reference_email="famille.martin@example.org",
        reference_mobile="+33611111111",
    )
    first, second = (
        Responsable.objects.create(
            family=family,
            rank=rank,
            civility=civility,
            last_name="Martin",
            first_name=first_name,
            birth_date=birth_date,
            mobile=mobile,
            email=f"{first_name.lower()}.martin@example.org",
        )
        for rank, civility, first_name, birth_date, mobile in [
            (1, Civility.MADAME, "Sophie", date(1983, 2, 1), "+33611111111"),
            (2, Civility.MONSIEUR, "Yann", date(1981, 7, 9), "+33622222222"),
        ]
    )
    user = User(username="martin.sophie", family=family, responsable=first, email=first.email)
    user.set_password(B_PASSWORD)
    user.save()
    # The second responsable has an own account too: revoking it is a POST target.
    grant_portal_access(family=family, responsable=second)
    return family, user


def _students_like_a(family_b: Family, family_a: Family) -> None:
    """B gets students with the same names and courses as A's (the billing demo finds them by
    first name), then the same demo documents and invoices."""
    for student in family_a.students.prefetch_related("enrolments"):
        twin = Student.objects.create(
            family=family_b,
            first_name=student.first_name,
            last_name="Martin",
            birth_date=student.birth_date,
            civility=student.civility,
        )
        for enrolment in student.enrolments.all():
            Enrolment.objects.create(student=twin, course_id=enrolment.course_id)


def _request(campaign: Campaign, student: Student) -> Request:
    course = Course.objects.filter(season=campaign.season).select_related("discipline").first()
    return reenrolment_services.submit_request(
        campaign=campaign,
        student=student,
        lines=[
            reenrolment_services.LineChoice(
                discipline=course.discipline, kind=Line.Kind.WISH, preferred_course=course
            )
        ],
        comment="Merci",
        requirements=campaign.requirements.all(),
        revision=0,
    ).request


def _gather(family: Family, user: User) -> FamilyData:
    students = list(family.students.with_current_enrolments().order_by("pk"))
    checklist = build_checklist(family, students)
    return FamilyData(
        family=family,
        user=user,
        students=students,
        documents=list(Document.objects.filter(family=family).order_by("pk")),
        invoices=list(Invoice.objects.filter(family=family, number__isnull=False).order_by("pk")),
        payments=list(Payment.objects.filter(family=family).order_by("pk")),
        requests=list(Request.objects.filter(student__family=family).order_by("pk")),
        upload_requirements=[
            (student.pk, item.requirement)
            for student in students
            for item in checklist.for_student(student)
        ],
    )


def _build() -> TwoFamilies:
    with override_settings(DEBUG=True), TestCase.captureOnCommitCallbacks(execute=True):
        # The demo documents' files are written on commit.
        call_command("seed_demo", stdout=io.StringIO())
    with TestCase.captureOnCommitCallbacks(execute=True):
        user_a = User.objects.select_related("family").get(username="demo")
        family_b, user_b = _family_b()
        _students_like_a(family_b, user_a.family)
        families_demo.seed_demo(family_b)
        students_demo.seed_demo(family_b)
        billing_demo.seed_demo(family_b)
    campaign = Campaign.objects.get(kind=Campaign.Kind.REENROLMENT)
    for family in (user_a.family, family_b):
        for student in family.students.order_by("pk")[:2]:
            _request(campaign, student)
    now = timezone.now()
    enrolment_campaign = Campaign.objects.create(
        name="Inscriptions des frères et sœurs",
        season=Season.objects.get(name="2027-2028"),
        kind=Campaign.Kind.ENROLMENT,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    enrolment_campaign.disciplines.set(campaign.disciplines.all())
    return TwoFamilies(
        a=_gather(user_a.family, user_a),
        b=_gather(family_b, user_b),
        campaign=campaign,
        enrolment_campaign=enrolment_campaign,
    )


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    root = tmp_path_factory.mktemp("private")
    storages = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": root}},
    }
    with override_settings(MEDIA_ROOT=root, STORAGES=storages):
        yield root


@pytest.fixture(autouse=True)
def _media_root(_module_media):
    """Overrides the suite's per-test folder: the module's data and files live together."""


@pytest.fixture(scope="module")
def _two_families_data(django_db_setup, django_db_blocker, _module_media):
    """Built once per module (a dozen PDFs are rendered), in a transaction rolled back at the
    end of the module; each test runs in a savepoint inside it, as with `setUpTestData`."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture
def two_families(db, _two_families_data) -> TwoFamilies:
    return _two_families_data


def _rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


def family_state(family: Family) -> dict:
    """Everything stored about one family (rows, accounts, files, e-mails), to compare."""
    documents = Document.objects.filter(family=family)
    files = [d.file.name for d in documents] + [
        d.pdf.name
        for model in (Invoice, Payment)
        for d in model.objects.filter(family=family).exclude(pdf="")
    ]
    return {
        "family": _rows(Family.objects.filter(pk=family.pk)),
        "responsables": _rows(Responsable.objects.filter(family=family)),
        "accounts": _rows(User.objects.filter(family=family)),
        "students": _rows(Student.objects.filter(family=family)),
        "enrolments": _rows(Enrolment.objects.filter(student__family=family)),
        "documents": _rows(documents),
        "invoices": _rows(Invoice.objects.filter(family=family)),
        "invoice_lines": _rows(InvoiceLine.objects.filter(invoice__family=family)),
        "payments": _rows(Payment.objects.filter(family=family)),
        "allocations": _rows(PaymentAllocation.objects.filter(payment__family=family)),
        "requests": _rows(Request.objects.filter(student__family=family)),
        "lines": _rows(Line.objects.filter(request__student__family=family)),
        "consents": _rows(Consent.objects.filter(request__student__family=family)),
        "family_history": Family.history.filter(id=family.pk).count(),
        "student_history": Student.history.filter(family_id=family.pk).count(),
        "files": {
            name: hashlib.sha256(default_storage.open(name).read()).hexdigest() for name in files
        },
    }


def queued_emails() -> int:
    return Email.objects.count()
