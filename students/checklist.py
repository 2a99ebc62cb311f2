"""The documents a family must provide for a season, from its enrolments and requests.

- one justificatif de domicile per family when any student has a music enrolment;
- one attestation sur l'honneur (or certificat médical) per student enrolled in dance.

Each item has a status: à fournir, reçu – en cours de vérification, validé, refusé, expiré
(the only document is from a previous season).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from students.models import Department, Document, DocumentKind, Enrolment, Season, Student

ADDRESS = "address"
DANCE = "dance"
# Optional: the family's quotient familial attestation (without it, the highest tariff bracket).
QUOTIENT = "qf"
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
    QUOTIENT: _(
        "Attestation de quotient familial (CAF/MSA), facultative : sans elle, le tarif de la "
        "tranche la plus haute s'applique"
    ),
}


@dataclass(frozen=True)
class NeededDocument:
    requirement: str  # ADDRESS or DANCE
    student: Student | None = None  # the dancer, for DANCE
    season: Season | None = None  # the season it is asked for

    @property
    def label(self) -> str:
        return str(LABELS[self.requirement])


def documents_needed(
    enrolled: Iterable[tuple[Student, set[str]]], season: Season | None = None
) -> list[NeededDocument]:
    """The documents a family must provide for `season`, from the kinds of departments
    (music, dance) each student takes in it: one justificatif de domicile per family when a
    student plays music, one attestation sur l'honneur or certificat médical per student who
    dances, in the students' order. The one rule: the checklist, the Accueil cards and the
    Réinscription tab read it (`concerned_students` says who takes what in a season)."""
    enrolled = list(enrolled)
    needed = []
    if any(Department.Kind.MUSIC in kinds for _student, kinds in enrolled):
        needed.append(NeededDocument(ADDRESS, season=season))
    needed += [
        NeededDocument(DANCE, student, season)
        for student, kinds in enrolled
        if Department.Kind.DANCE in kinds
    ]
    return needed


def _asking_requests():
    # Imported here: the Réinscription app builds on this one, not the other way round.
    from reenrolment.models import Request

    return Request.objects.asking_documents()


def _kinds_by_student(season: Season, families, students=None) -> dict[int, set[str]]:
    """{student pk: kinds of departments taken in `season`} for the present students of
    `families` (instances or pks; every family when None), limited to `students` when given.
    One query."""
    enrolments = Enrolment.objects.filter(
        course__season=season, student__left_on__isnull=True
    ).values_list("student_id", "course__discipline__department__kind")
    from reenrolment.models import Line

    lines = (
        Line.objects.filter(
            request__in=_asking_requests().filter(campaign__season=season),
            request__student__left_on__isnull=True,
        )
        .exclude(kind=Line.Kind.STOP)
        .exclude(decision=Line.Decision.REFUSED)
        .values_list("request__student_id", "discipline__department__kind")
    )
    if families is not None:
        enrolments = enrolments.filter(student__family__in=families)
        lines = lines.filter(request__student__family__in=families)
    if students is not None:
        pks = [student.pk for student in students]
        enrolments = enrolments.filter(student_id__in=pks)
        lines = lines.filter(request__student_id__in=pks)
    kinds: dict[int, set[str]] = {}
    for student_id, kind in enrolments.order_by().union(lines.order_by()):
        kinds.setdefault(student_id, set()).add(kind)
    return kinds


def _in_order(pairs) -> list[tuple[Student, set[str]]]:
    return sorted(pairs, key=lambda pair: (pair[0].first_name, pair[0].pk))


def concerned_students(family, season: Season, students=None) -> list[tuple[Student, set[str]]]:
    """The family's students concerned by `season`, with the kinds of departments they take
    in it: enrolled in one of its courses, or asking for a discipline in a request for it
    (neither withdrawn nor refused, nor that discipline refused). `students` limits it to
    those. One query, and one for the students when not given."""
    kinds = _kinds_by_student(season, [family], students)
    if students is None:
        students = Student.objects.filter(pk__in=kinds)
    return _in_order((student, kinds[student.pk]) for student in students if student.pk in kinds)


def concerned_students_by_family(
    season: Season, families=None
) -> dict[int, list[tuple[Student, set[str]]]]:
    """`concerned_students` of many families at once ({family pk: pairs}; only the families
    concerned by `season`; every family when `families` is None). Two queries."""
    kinds = _kinds_by_student(season, families)
    # The students enrolled or asking in the season (a superset of `kinds`' keys, found without
    # a list of pks as long as the season's students).
    candidates = Student.objects.present().filter(
        models.Q(pk__in=Enrolment.objects.filter(course__season=season).values("student_id"))
        | models.Q(pk__in=_asking_requests().filter(campaign__season=season).values("student_id"))
    )
    if families is not None:
        candidates = candidates.filter(family__in=families)
    by_family: dict[int, list] = {}
    for student in candidates.order_by():
        if student.pk in kinds:
            by_family.setdefault(student.family_id, []).append((student, kinds[student.pk]))
    return {family_id: _in_order(pairs) for family_id, pairs in by_family.items()}


def upload_seasons(family) -> list[Season]:
    """The seasons the family provides documents for, in order: the current one, then each
    later season one of its students is enrolled in or asked for (request neither withdrawn
    nor refused)."""
    current_start = Season.objects.filter(is_current=True).values("starts_on")[:1]
    later = Season.objects.filter(starts_on__gt=models.Subquery(current_start)).filter(
        models.Q(courses__enrolments__student__family=family)
        | models.Q(campaigns__requests__in=_asking_requests().filter(student__family=family))
    )
    seasons = Season.objects.filter(
        models.Q(is_current=True) | models.Q(pk__in=later.values("pk"))
    ).order_by("starts_on", "pk")
    # One query; the current season starts before the later ones.
    return list(seasons)


@dataclass
class ChecklistItem:
    requirement: str  # ADDRESS or DANCE
    student: Student | None
    document: Document | None  # the season's current version, if any
    status: str
    # The student whose page holds the item: the student, or the first music student.
    page_student: Student | None = None
    season: Season | None = None

    @property
    def url(self) -> str:
        anchor = "documents"
        if self.season is not None and not self.season.is_current:
            anchor = f"documents-saison-{self.season.pk}"
        return reverse("students:detail", args=[self.page_student.pk]) + f"#{anchor}"

    @property
    def key(self) -> str:
        """Unique on a page (form prefixes, ids): the season is named unless current."""
        key = (
            self.requirement
            if self.requirement in (ADDRESS, QUOTIENT)
            else f"{DANCE}-{self.student.pk}"
        )
        if self.season is not None and not self.season.is_current:
            key += f"-s{self.season.pk}"
        return key

    @property
    def label(self) -> str:
        return str(LABELS[self.requirement])

    @property
    def kinds(self) -> list[str]:
        if self.requirement == ADDRESS:
            return [DocumentKind.PROOF_OF_ADDRESS]
        if self.requirement == QUOTIENT:
            return [DocumentKind.FAMILY_QUOTIENT]
        return [DocumentKind.HEALTH_STATEMENT, DocumentKind.MEDICAL_CERTIFICATE]

    @property
    def status_label(self) -> str:
        return str(ItemStatus(self.status).label)

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def can_upload(self) -> bool:
        """A new file is taken until one is validated: it replaces a refused or expired one,
        or one still waiting for review (sent by mistake)."""
        return self.status != ItemStatus.VALIDATED

    @property
    def replaces(self) -> bool:
        """Whether an upload would replace a file still waiting for review."""
        return self.status == ItemStatus.RECEIVED

    @property
    def needs_attention(self) -> bool:
        if self.requirement == QUOTIENT:  # optional
            return self.status == ItemStatus.REFUSED
        return self.status in {ItemStatus.TO_PROVIDE, ItemStatus.REFUSED, ItemStatus.EXPIRED}


@dataclass
class Checklist:
    items: list[ChecklistItem] = field(default_factory=list)
    musicians: set[int] = field(default_factory=set)  # pks of the students playing music
    season: Season | None = None

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


def _status(document: Document | None, earlier: Document | None) -> str:
    if document is None:
        return ItemStatus.EXPIRED if earlier is not None else ItemStatus.TO_PROVIDE
    return {
        Document.Status.RECEIVED: ItemStatus.RECEIVED,
        Document.Status.VALIDATED: ItemStatus.VALIDATED,
        Document.Status.REFUSED: ItemStatus.REFUSED,
    }[document.status]


def build_checklist(family, students=None, season: Season | None = None) -> Checklist:
    """The family's checklist for `season` (the current one by default; see `upload_seasons`).

    `students` limits it to those students, the family's proof of address included when one
    of them plays music in the season. A document of an earlier season makes the current
    season's item "expiré"; a later season's item is simply "à fournir" until its own
    document comes."""
    if season is None:
        season = Season.objects.current()
        if season is None:
            return Checklist()
    enrolled = concerned_students(family, season, students)
    documents = _documents_until(season).filter(family=family)
    return _checklist(season, enrolled, documents)


def build_checklists(season: Season, families=None) -> dict[int, Checklist]:
    """`build_checklist` of many families for `season` ({family pk: checklist}; the families
    concerned by the season among `families`, every family when None), each with its
    quotient familial item (`quotient_item`) after the others. Four queries, however many
    families."""
    enrolled = concerned_students_by_family(season, families)
    documents: dict[int, list[Document]] = {}
    quotients: dict[int, Document] = {}
    rows = (
        Document.objects.current()
        .filter(season__starts_on__lte=season.starts_on)
        .exclude(models.Q(kind=DocumentKind.FAMILY_QUOTIENT) & ~models.Q(season=season))
        .order_by("season__starts_on", "uploaded_at")
    )
    if families is not None:
        rows = rows.filter(family__in=families)
    for document in rows:
        if document.family_id not in enrolled:
            continue
        if document.kind == DocumentKind.FAMILY_QUOTIENT:
            quotients[document.family_id] = document
        else:
            documents.setdefault(document.family_id, []).append(document)
    checklists = {}
    for family_id, pairs in enrolled.items():
        checklist = _checklist(season, pairs, documents.get(family_id, []))
        quotient = quotients.get(family_id)
        checklist.items.append(
            ChecklistItem(
                QUOTIENT,
                None,
                quotient,
                _status(quotient, None),
                page_student=pairs[0][0],
                season=season,
            )
        )
        checklists[family_id] = checklist
    return checklists


def _documents_until(season: Season):
    return (
        Document.objects.current()
        .filter(season__starts_on__lte=season.starts_on)
        .exclude(kind=DocumentKind.FAMILY_QUOTIENT)
        .order_by("season__starts_on", "uploaded_at")
    )


def _checklist(season: Season, enrolled, documents) -> Checklist:
    """The checklist of a family's `enrolled` students (`concerned_students`) from its current
    documents up to `season`, oldest first (`_documents_until`)."""
    this_season: dict[tuple, Document] = {}
    earlier: dict[tuple, Document] = {}
    for document in documents:
        slot = (ADDRESS,) if document.student_id is None else (DANCE, document.student_id)
        if document.season_id == season.pk:
            this_season[slot] = document
        elif season.is_current:
            earlier[slot] = document

    musicians = [student for student, kinds in enrolled if Department.Kind.MUSIC in kinds]
    items = []
    for needed in documents_needed(enrolled, season):
        slot = (ADDRESS,) if needed.student is None else (DANCE, needed.student.pk)
        items.append(
            ChecklistItem(
                needed.requirement,
                needed.student,
                this_season.get(slot),
                _status(this_season.get(slot), earlier.get(slot)),
                # The proof of address is shown on the first music student's page.
                page_student=needed.student or musicians[0],
                season=season,
            )
        )
    return Checklist(items, musicians={student.pk for student in musicians}, season=season)


def quotient_item(family, season: Season, page_student: Student) -> ChecklistItem:
    """The family's quotient familial attestation for `season` (optional; one query), shown on
    each of its students' pages: validated, staff set the family's QF and its validity."""
    document = (
        Document.objects.for_family(family)
        .current()
        .filter(kind=DocumentKind.FAMILY_QUOTIENT, season=season)
        .first()
    )
    return ChecklistItem(
        QUOTIENT,
        None,
        document,
        _status(document, None),
        page_student=page_student,
        season=season,
    )
