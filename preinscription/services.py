"""Writes of the pré-inscription: an application (with its documents and receipt e-mail), a
document added later from the status link, the staff's answers to the wishes (which create the
family, its responsables, students and enrolments), the rate limits and the purge."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from families.models import Family, Responsable
from portal.emails import absolute_url, send_templated_email
from reenrolment.models import Campaign
from students.capacity import CourseFull, check_place, enrol
from students.checklist import ADDRESS, DANCE, NeededDocument, documents_needed
from students.models import Document, DocumentKind, Student
from students.services import record_enrolment_changes, refusal_reason
from students.uploads import CheckedFile

from .models import (
    ApplicantResponsable,
    ApplicantStudent,
    Application,
    ApplicationConsent,
    ApplicationDocument,
    SubmissionAttempt,
    Wish,
)

RATE_WINDOW_IP = timedelta(hours=1)
RATE_WINDOW_EMAIL = timedelta(days=1)


class PeriodClosed(Exception):
    """The pré-inscription period is not open (any more)."""


class DecisionError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def open_period(now: datetime | None = None) -> Campaign | None:
    """The pré-inscription period open now (the one closing first if several are)."""
    return (
        Campaign.objects.preregistrations()
        .open(now)
        .select_related("season")
        .order_by("closes_at", "pk")
        .first()
    )


def applications_to_decide():
    """The applications with a wish still waiting for an answer, oldest first (staff
    dashboard)."""
    return Application.objects.to_decide().order_by("submitted_at", "pk")


# --- Rate limits -----------------------------------------------------------------------------


def rate_limit_message(*, ip_address: str | None, email: str, now=None) -> str:
    """Why this post is refused ("" when it may go on): PREINSCRIPTION_IP_LIMIT posts per hour
    from one address, PREINSCRIPTION_EMAIL_LIMIT applications per day for one e-mail. Counted
    in the database: the same for every process."""
    now = now or timezone.now()
    if ip_address is not None:
        posts = SubmissionAttempt.objects.filter(
            ip_address=ip_address, created_at__gte=now - RATE_WINDOW_IP
        ).count()
        if posts >= settings.PREINSCRIPTION_IP_LIMIT:
            return gettext(
                "Trop de demandes ont été envoyées depuis cette connexion : réessayez dans une "
                "heure, ou contactez le secrétariat du centre."
            )
    email = (email or "").strip()
    if email:
        sent = Application.objects.filter(
            email__iexact=email, submitted_at__gte=now - RATE_WINDOW_EMAIL
        ).count()
        if sent >= settings.PREINSCRIPTION_EMAIL_LIMIT:
            return gettext(
                "Plusieurs pré-inscriptions ont déjà été envoyées aujourd'hui avec cette adresse "
                "e-mail : suivez-les depuis le lien reçu par e-mail, ou réessayez demain."
            )
    return ""


def record_attempt(*, ip_address: str | None, email: str) -> None:
    SubmissionAttempt.objects.create(ip_address=ip_address, email=(email or "").strip()[:254])


# --- Documents -------------------------------------------------------------------------------


def _wished_kinds(application: Application) -> list[tuple[ApplicantStudent, set[str]]]:
    """Each student with the kinds of departments of its wishes not refused."""
    result = []
    for student in application.students.all():
        kinds = {
            wish.discipline.department.kind
            for wish in student.wishes.all()
            if wish.decision != Wish.Decision.REFUSED
        }
        result.append((student, kinds))
    return result


@dataclass
class DocumentSlot:
    """A document the wishes ask for, and the one uploaded for it (None: missing)."""

    needed: NeededDocument
    document: ApplicationDocument | None = None

    @property
    def requirement(self) -> str:
        return self.needed.requirement

    @property
    def student(self):
        return self.needed.student

    @property
    def label(self) -> str:
        return self.needed.label

    @property
    def key(self) -> str:
        if self.requirement == ADDRESS:
            return ADDRESS
        return f"{DANCE}-{self.student.pk}"


def document_slots(application: Application) -> list[DocumentSlot]:
    """The documents the application's wishes need (`students.checklist.documents_needed`: a
    proof of address for music, a health document per dancer), each with its latest upload.
    Uses the prefetch of `students__wishes__discipline__department` and `documents`."""
    latest: dict[tuple[str, int | None], ApplicationDocument] = {}
    for document in sorted(application.documents.all(), key=lambda d: d.pk):
        requirement = ADDRESS if document.kind == DocumentKind.PROOF_OF_ADDRESS else DANCE
        latest[(requirement, document.student_id)] = document
    return [
        DocumentSlot(
            needed,
            latest.get((needed.requirement, needed.student.pk if needed.student else None)),
        )
        for needed in documents_needed(_wished_kinds(application))
    ]


def _with_everything(queryset):
    return queryset.select_related("campaign__season", "family").prefetch_related(
        "responsables",
        "students__wishes__discipline__department",
        "students__wishes__course",
        "documents",
        "consents__requirement",
    )


def load_application(pk: int) -> Application:
    return _with_everything(Application.objects.all()).get(pk=pk)


def _refresh_completeness(application: Application) -> None:
    application = load_application(application.pk)
    complete = all(slot.document is not None for slot in document_slots(application))
    if complete != application.is_complete:
        Application.objects.filter(pk=application.pk).update(is_complete=complete)


def _store(checked: CheckedFile, names: list[str]) -> str:
    name = default_storage.save(
        f"preinscriptions/{uuid.uuid4().hex}{checked.extension}", checked.file
    )
    names.append(name)
    return name


def _create_document(application, *, student, kind, document_date, checked, names):
    return ApplicationDocument.objects.create(
        application=application,
        student=student,
        kind=kind,
        document_date=document_date if kind == DocumentKind.PROOF_OF_ADDRESS else None,
        file=_store(checked, names),
        content_type=checked.content_type,
        size=checked.size,
        original_name=checked.original_name,
    )


def _delete_files(names) -> None:
    for name in names:
        default_storage.delete(name)


# --- The application -------------------------------------------------------------------------


@dataclass
class UploadedDocument:
    kind: str
    checked: CheckedFile
    document_date: object = None


@dataclass
class StudentData:
    last_name: str
    first_name: str
    birth_date: object
    disciplines: list  # in order of preference
    document: UploadedDocument | None = None


@dataclass
class ApplicationData:
    family: dict  # Application fields
    responsables: list[dict]  # ApplicantResponsable fields, rank 1 first
    students: list[StudentData]
    consents: list = field(default_factory=list)  # Requirements accepted
    address_document: UploadedDocument | None = None


def status_url(application: Application) -> str:
    return absolute_url(reverse("preinscription:status", args=[application.status_token]))


def submit_application(
    *,
    campaign: Campaign,
    data: ApplicationData,
    ip_address: str | None = None,
    language: str = "fr",
    now: datetime | None = None,
) -> Application:
    """Records an application, its documents and consents, flags the families it may
    duplicate, and queues the receipt e-mail: all of it, or nothing (no file left behind)."""
    now = now or timezone.now()
    names: list[str] = []
    try:
        with transaction.atomic():
            if not Campaign.objects.preregistrations().open(now).filter(pk=campaign.pk).exists():
                raise PeriodClosed
            application = Application.objects.create(
                campaign=campaign,
                submitted_at=now,
                ip_address=ip_address,
                language=language,
                **data.family,
            )
            application.reference = f"{now.year}PRE{application.pk:05d}"
            application.save(update_fields=["reference"])
            for rank, responsable in enumerate(data.responsables, start=1):
                ApplicantResponsable.objects.create(
                    application=application, rank=rank, **responsable
                )
            for student_data in data.students:
                student = ApplicantStudent.objects.create(
                    application=application,
                    last_name=student_data.last_name,
                    first_name=student_data.first_name,
                    birth_date=student_data.birth_date,
                )
                for preference, discipline in enumerate(student_data.disciplines, start=1):
                    Wish.objects.create(
                        application=application,
                        student=student,
                        discipline=discipline,
                        preference=preference,
                    )
                if student_data.document is not None:
                    _create_document(
                        application,
                        student=student,
                        kind=student_data.document.kind,
                        document_date=None,
                        checked=student_data.document.checked,
                        names=names,
                    )
            if data.address_document is not None:
                _create_document(
                    application,
                    student=None,
                    kind=DocumentKind.PROOF_OF_ADDRESS,
                    document_date=data.address_document.document_date,
                    checked=data.address_document.checked,
                    names=names,
                )
            for requirement in data.consents:
                ApplicationConsent.objects.create(
                    application=application, requirement=requirement, accepted_at=now
                )
            _refresh_completeness(application)
            application.possible_duplicates.set(find_duplicates(application))
            application = load_application(application.pk)
            _send(application, "preinscription_receipt")
    except BaseException:
        _delete_files(names)
        raise
    return application


def add_document(
    *,
    application: Application,
    requirement: str,
    student: ApplicantStudent | None,
    kind: str,
    checked: CheckedFile,
    document_date=None,
) -> ApplicationDocument:
    """A document added from the status link (a new version replaces nothing: staff see the
    latest). Refused once the family is created (its documents are then in the Élèves tab)."""
    names: list[str] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.family_id is not None:
                raise PeriodClosed
            document = _create_document(
                locked,
                student=student if requirement == DANCE else None,
                kind=kind,
                document_date=document_date,
                checked=checked,
                names=names,
            )
            _refresh_completeness(locked)
    except BaseException:
        _delete_files(names)
        raise
    return document


def _send(application: Application, template: str) -> None:
    url = status_url(application)
    send_templated_email(
        to=application.email_recipients(),
        template=template,
        language=application.language,
        context=lambda: {
            "application": application,
            "students": application.students.all(),
            "slots": document_slots(application),
            "url": url,
        },
    )


# --- Duplicates ------------------------------------------------------------------------------


def find_duplicates(application: Application) -> list[int]:
    """The ids of existing families that may be this one: a student with the same names and
    birth date, the same e-mail, or the same phone number."""
    families: set[int] = set()
    for applicant in application.students.all():
        probe = Student(
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            birth_date=applicant.birth_date,
        )
        families.update(other.family_id for other in probe.namesakes())
    emails = {
        address.lower()
        for address in [application.email, *(r.email for r in application.responsables.all())]
        if address
    }
    phones = [
        phone
        for phone in [
            application.reference_mobile,
            application.home_phone,
            *(r.mobile for r in application.responsables.all()),
        ]
        if phone
    ]
    email_match = Q()
    for address in emails:
        email_match |= Q(reference_email__iexact=address) | Q(responsables__email__iexact=address)
    phone_match = Q()
    if phones:
        phone_match = (
            Q(reference_mobile__in=phones)
            | Q(home_phone__in=phones)
            | Q(responsables__mobile__in=phones)
        )
    match = email_match | phone_match
    if match:
        families.update(Family.objects.filter(match).values_list("pk", flat=True))
    return sorted(families)


# --- The staff's answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class WishDecision:
    wish_id: int
    decision: str
    course: object = None
    position: int | None = None
    reason: str = ""


def check_wish_decision(wish: Wish, decision: str, *, season, course=None, reason="") -> None:
    """Raises DecisionError (with the field concerned) when `decision` cannot be given."""
    if wish.decision == Wish.Decision.ACCEPTED and decision != Wish.Decision.ACCEPTED:
        raise DecisionError(
            _("Ce vœu est déjà accepté : l'élève est inscrit (retirez l'inscription si besoin)."),
            "decision",
        )
    if decision == Wish.Decision.ACCEPTED:
        course = course or wish.course
        if course is None:
            raise DecisionError(_("Choisissez le cours où l'élève est inscrit."), "course")
        if course.discipline_id != wish.discipline_id or course.season_id != season.pk:
            raise DecisionError(
                _("Le cours doit être un cours de %(discipline)s de la saison %(season)s.")
                % {"discipline": wish.discipline, "season": season},
                "course",
            )
        # Checked again, the course locked, when the enrolment is written (`_enrol`).
        try:
            check_place(course)
        except CourseFull as error:
            raise _course_full(course) from error
    if decision == Wish.Decision.REFUSED:
        try:
            refusal_reason(reason)
        except Exception as error:
            raise DecisionError(error.messages[0], "reason") from error


def _next_position(wish: Wish, campaign) -> int:
    """The end of the discipline's waiting list in the period."""
    last = Wish.objects.filter(
        application__campaign=campaign,
        discipline_id=wish.discipline_id,
        decision=Wish.Decision.WAITLISTED,
    ).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def _enrol(student: Student, course, *, by=None) -> bool:
    """Enrols a created student in a course; True when the enrolment is new. The one place
    the pré-inscription creates enrolments, through the centre's enrolment rule
    (`students.capacity.enrol`): a full course is refused (the whole decision with it)."""
    try:
        return enrol(student, course, by=by)[1]
    except CourseFull as error:
        raise _course_full(course) from error


def _course_full(course) -> DecisionError:
    return DecisionError(
        _(
            "Le cours « %(course)s » est complet (%(capacity)d places) : mettez le vœu en "
            "liste d'attente, choisissez un autre cours ou augmentez ses places."
        )
        % {"course": course, "capacity": course.capacity},
        "course",
    )


def _copy_file(name: str, names: list[str]) -> str:
    with default_storage.open(name, "rb") as source:
        copy = default_storage.save(f"documents/{uuid.uuid4().hex}{PurePath(name).suffix}", source)
    names.append(copy)
    return copy


def _create_family(application: Application, *, names: list[str]) -> Family:
    """The family, its responsables and students (all the application's), and the latest
    document of each kind, copied to the family's documents for the period's season."""
    main = application.main_responsable
    family = Family.objects.create(
        name=main.last_name,
        address_line1=application.address_line1,
        address_line2=application.address_line2,
        postal_code=application.postal_code,
        city=application.city,
        home_phone=application.home_phone,
        reference_email=application.email,
        reference_mobile=application.reference_mobile,
    )
    for responsable in application.responsables.all():
        Responsable.objects.create(
            family=family,
            rank=responsable.rank,
            civility=responsable.civility,
            last_name=responsable.last_name,
            first_name=responsable.first_name,
            email=responsable.email,
            mobile=responsable.mobile,
        )
    for applicant in application.students.all():
        applicant.student = Student.objects.create(
            family=family,
            last_name=applicant.last_name,
            first_name=applicant.first_name,
            birth_date=applicant.birth_date,
        )
        applicant.save(update_fields=["student"])
    season = application.campaign.season
    for slot in document_slots(application):
        document = slot.document
        if document is None:
            continue
        Document.objects.create(
            family=family,
            student=document.student.student if document.student_id else None,
            season=season,
            kind=document.kind,
            document_date=document.document_date,
            file=_copy_file(document.file.name, names),
            content_type=document.content_type,
            size=document.size,
            original_name=document.original_name,
        )
    application.family = family
    application.save(update_fields=["family"])
    return family


def decide_wishes(
    *,
    application: Application,
    decisions: list[WishDecision],
    by=None,
    now: datetime | None = None,
) -> Application:
    """Applies the staff's answers (all or nothing). The first accepted wish creates the
    family, its responsables, students and documents (`_create_family`); each accepted wish
    enrols its student in the chosen course. A waiting list without a position goes last in
    the discipline's list. The applicant is e-mailed when an answer changed."""
    now = now or timezone.now()
    names: list[str] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            application = load_application(locked.pk)
            season = application.campaign.season
            wishes = {
                wish.pk: wish
                for student in application.students.all()
                for wish in student.wishes.all()
            }
            answered = []
            for decision in decisions:
                wish = wishes.get(decision.wish_id)
                if wish is None:
                    raise DecisionError(_("Ce vœu n'est pas dans cette pré-inscription."))
                reason = (decision.reason or "").strip()
                check_wish_decision(
                    wish, decision.decision, season=season, course=decision.course, reason=reason
                )
                position = None
                if decision.decision == Wish.Decision.WAITLISTED:
                    position = decision.position or wish.waitlist_position
                    if position is None:
                        position = _next_position(wish, application.campaign)
                course = wish.course
                if decision.decision == Wish.Decision.ACCEPTED:
                    course = decision.course or wish.course
                if decision.decision != Wish.Decision.REFUSED:
                    reason = ""
                new = (decision.decision, position, reason, course)
                if new == (wish.decision, wish.waitlist_position, wish.refusal_reason, wish.course):
                    continue
                wish.decision, wish.waitlist_position, wish.refusal_reason, wish.course = new
                wish.decided_at = now
                wish.save(
                    update_fields=[
                        "decision",
                        "waitlist_position",
                        "refusal_reason",
                        "course",
                        "decided_at",
                    ]
                )
                answered.append(wish)
            if not answered:
                return application
            accepted = [w for w in answered if w.decision == Wish.Decision.ACCEPTED]
            if accepted and application.family is None:
                _create_family(application, names=names)
            added: dict[int, list] = {}
            for wish in accepted:
                student = wish.student.student
                if _enrol(student, wish.course, by=by):
                    added.setdefault(student.pk, [student, []])[1].append(wish.course)
            for student, courses in added.values():
                record_enrolment_changes(student=student, added=courses, user=by)
            pending = any(w.decision == Wish.Decision.PENDING for w in wishes.values())
            application.status = (
                Application.Status.RECEIVED if pending else Application.Status.DECIDED
            )
            application.decided_at = now
            application.decided_by = by
            application.save(update_fields=["status", "decided_at", "decided_by"])
            _refresh_completeness(application)
            application = load_application(application.pk)
            _send(application, "preinscription_decision")
    except BaseException:
        _delete_files(names)
        raise
    return application


def delete_applications(applications) -> int:
    """Deletes applications (spam, a mistake) with their uploads' files, after the commit."""
    with transaction.atomic():
        files = list(
            ApplicationDocument.objects.filter(application__in=applications).values_list(
                "file", flat=True
            )
        )
        count = (
            Application.objects.filter(pk__in=applications.values("pk"))
            .delete()[1]
            .get(Application._meta.label, 0)
        )
        transaction.on_commit(lambda: _delete_files(files))
    return count


# --- Purge -----------------------------------------------------------------------------------


@dataclass
class PurgeSummary:
    applications: int
    documents: int
    attempts: int = 0


def purge_abandoned(*, dry_run: bool = False, now: datetime | None = None) -> PurgeSummary:
    """Deletes the uploads (rows and files) of the applications never completed (a document
    the wishes need still missing), with no family created, once their period has closed.
    The applications themselves stay for staff. Files go after the rows' commit. The record
    of posts older than the rate limits' windows (`SubmissionAttempt`) goes too."""
    now = now or timezone.now()
    abandoned = Application.objects.abandoned(now)
    attempts = SubmissionAttempt.objects.filter(
        created_at__lt=now - max(RATE_WINDOW_IP, RATE_WINDOW_EMAIL)
    )
    documents = ApplicationDocument.objects.filter(application__in=abandoned)
    summary = PurgeSummary(
        applications=abandoned.filter(documents__isnull=False).distinct().count(),
        documents=documents.count(),
        attempts=attempts.count(),
    )
    if not dry_run:
        with transaction.atomic():
            files = list(documents.values_list("file", flat=True))
            documents.delete()
            attempts.delete()
            transaction.on_commit(lambda: _delete_files(files))
    return summary
