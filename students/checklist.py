"""The documents a family must provide this season, computed from its enrolments.

- one justificatif de domicile per family when any student has a music enrolment;
- one attestation sur l'honneur (or certificat médical) per student enrolled in dance.

Each item has a status: à fournir, reçu – en cours de vérification, validé, refusé, expiré
(the only document is from a previous season).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students.models import Department, Document, DocumentKind, Enrolment, Student

ADDRESS = "address"
DANCE = "dance"
PROOF_OF_ADDRESS_MONTHS = 3


class ItemStatus(models.TextChoices):
    TO_PROVIDE = "to_provide", _("à fournir")
    RECEIVED = "received", _("reçu – en cours de vérification")
    VALIDATED = "validated", _("validé")
    REFUSED = "refused", _("refusé")
    EXPIRED = "expired", _("expiré")


STATUS_BADGES = {
    ItemStatus.TO_PROVIDE: "text-bg-warning",
    ItemStatus.RECEIVED: "text-bg-info",
    ItemStatus.VALIDATED: "text-bg-success",
    ItemStatus.REFUSED: "text-bg-danger",
    ItemStatus.EXPIRED: "text-bg-danger",
}


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it has fewer days)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def oldest_proof_of_address_date(today: date | None = None) -> date:
    return months_before(today or timezone.localdate(), PROOF_OF_ADDRESS_MONTHS)


LABELS = {
    ADDRESS: _("Justificatif de domicile de moins de 3 mois"),
    DANCE: _("Attestation sur l'honneur ou certificat médical (danse)"),
}


@dataclass(frozen=True)
class NeededDocument:
    requirement: str  # ADDRESS or DANCE
    student: Student | None = None  # the dancer, for DANCE

    @property
    def label(self) -> str:
        return str(LABELS[self.requirement])


def documents_needed(enrolled: Iterable[tuple[Student, set[str]]]) -> list[NeededDocument]:
    """The documents a family must provide for a season, from the kinds of departments
    (music, dance) each student takes in it: one justificatif de domicile per family when a
    student plays music, one attestation sur l'honneur or certificat médical per student who
    dances, in the students' order. The one rule: the checklist and the Accueil cards read it
    from this season's enrolments, the Réinscription tab from the disciplines requested."""
    enrolled = list(enrolled)
    needed = []
    if any(Department.Kind.MUSIC in kinds for _student, kinds in enrolled):
        needed.append(NeededDocument(ADDRESS))
    needed += [
        NeededDocument(DANCE, student)
        for student, kinds in enrolled
        if Department.Kind.DANCE in kinds
    ]
    return needed


@dataclass
class ChecklistItem:
    requirement: str  # ADDRESS or DANCE
    student: Student | None
    document: Document | None  # this season's current version, if any
    status: str
    # The student whose page holds the item: the student, or the first music student.
    page_student: Student | None = None

    @property
    def url(self) -> str:
        return reverse("students:detail", args=[self.page_student.pk]) + "#documents"

    @property
    def key(self) -> str:
        return ADDRESS if self.requirement == ADDRESS else f"{DANCE}-{self.student.pk}"

    @property
    def label(self) -> str:
        return str(LABELS[self.requirement])

    @property
    def kinds(self) -> list[str]:
        if self.requirement == ADDRESS:
            return [DocumentKind.PROOF_OF_ADDRESS]
        return [DocumentKind.HEALTH_STATEMENT, DocumentKind.MEDICAL_CERTIFICATE]

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def can_upload(self) -> bool:
        """A new file is taken when none is valid or waiting: it replaces a refused/expired one."""
        return self.status in {ItemStatus.TO_PROVIDE, ItemStatus.REFUSED, ItemStatus.EXPIRED}

    @property
    def needs_attention(self) -> bool:
        return self.can_upload


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)
    musicians: set[int] = field(default_factory=set)  # pks of the students playing music

    def for_student(self, student: Student) -> list[ChecklistItem]:
        """The items shown on a student's page: the family's proof of address when the student
        plays music, and the student's own dance document."""
        return [
            item
            for item in self.items
            if (item.requirement == ADDRESS and student.pk in self.musicians)
            or (item.student is not None and item.student.pk == student.pk)
        ]

    def get(self, key: str) -> ChecklistItem | None:
        return next((item for item in self.items if item.key == key), None)


def _enrolled_students(family) -> list[tuple[Student, set[str]]]:
    """The family's students enrolled this season, with their departments' kinds."""
    enrolments = (
        Enrolment.objects.current()
        .filter(student__family=family)
        .select_related("student")
        .annotate(department_kind=F("course__discipline__department__kind"))
        .order_by("student__first_name", "student_id")
    )
    found: dict[int, tuple[Student, set[str]]] = {}
    for enrolment in enrolments:
        found.setdefault(enrolment.student_id, (enrolment.student, set()))[1].add(
            enrolment.department_kind
        )
    return list(found.values())


def _status(document: Document | None, earlier: Document | None) -> str:
    if document is None:
        return ItemStatus.EXPIRED if earlier is not None else ItemStatus.TO_PROVIDE
    return {
        Document.Status.RECEIVED: ItemStatus.RECEIVED,
        Document.Status.VALIDATED: ItemStatus.VALIDATED,
        Document.Status.REFUSED: ItemStatus.REFUSED,
    }[document.status]


def build_checklist(family, students=None) -> Checklist:
    """The family's checklist.

    `students` may be given with `current_enrolments` loaded (as the Élèves pages do, from
    `Student.objects.with_current_enrolments()`): the checklist then covers those students
    only, the family's proof of address included when one of them plays music."""
    if students is None:
        enrolled = _enrolled_students(family)
    else:
        enrolled = [
            (student, {e.course.discipline.department.kind for e in student.current_enrolments})
            for student in students
        ]
    documents = Document.objects.for_family(family).current()
    documents = documents.annotate(of_this_season=F("season__is_current"))
    this_season: dict[tuple, Document] = {}
    earlier: dict[tuple, Document] = {}
    for document in documents.order_by("season__starts_on", "uploaded_at"):
        slot = (ADDRESS,) if document.student_id is None else (DANCE, document.student_id)
        (this_season if document.of_this_season else earlier)[slot] = document

    musicians = [student for student, kinds in enrolled if Department.Kind.MUSIC in kinds]
    items = []
    for needed in documents_needed(enrolled):
        slot = (ADDRESS,) if needed.student is None else (DANCE, needed.student.pk)
        items.append(
            ChecklistItem(
                needed.requirement,
                needed.student,
                this_season.get(slot),
                _status(this_season.get(slot), earlier.get(slot)),
                # The proof of address is shown on the first music student's page.
                page_student=needed.student or musicians[0],
            )
        )
    return Checklist(items, musicians={student.pk for student in musicians})
