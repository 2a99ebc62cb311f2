"""Writes of the Réinscription tab: a family's request (submit, change, withdraw), a new child,
and the staff's decisions (acceptance creates the enrolments of the campaign's season).

Every function takes `now` (default: `timezone.now()`) so that campaign windows can be tested
at any date, and sends its e-mail in the same transaction as the change.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import Family
from portal.emails import absolute_url, send_family_email
from reenrolment.models import Campaign, Consent, Line, Request, Requirement
from students import checklist
from students.checklist import NeededDocument
from students.models import Course, Discipline, Enrolment, Season, Student
from students.services import record_enrolment_changes, refusal_reason


class CampaignNotOpen(Exception):
    """The campaign is closed or not open yet: nothing is recorded."""

    def __init__(self, campaign: Campaign, now: datetime):
        self.campaign = campaign
        if now < campaign.opens_at:
            message = _("La campagne « %(name)s » n'est pas encore ouverte.")
        else:
            message = _("La campagne « %(name)s » est close : la demande ne peut plus changer.")
        super().__init__(message % {"name": campaign.name})


class RequestLocked(Exception):
    """The request has been decided: the family can no longer change it."""


class DecisionError(Exception):
    """A decision that cannot be applied (no course to enrol in, withdrawn request…).

    `field` names the decision form's field the message belongs to."""

    def __init__(self, message: str, *, field: str = "decision"):
        super().__init__(message)
        self.field = field


class Outcome(enum.Enum):
    CREATED = "created"
    CHANGED = "changed"
    # Another submission of the same form already created the request (double click, second
    # tab, concurrent POST): the existing request is shown and nothing is written.
    DUPLICATE = "duplicate"
    # The form was read at an older revision of the request: nothing is written.
    STALE = "stale"


@dataclass(frozen=True)
class LineChoice:
    discipline: Discipline
    kind: str
    preferred_course: Course | None = None
    preferred_weekday: int | None = None
    preferred_time: str = ""


@dataclass(frozen=True)
class SubmitResult:
    request: Request
    outcome: Outcome


def _email_family(request: Request, *, template: str, **context) -> None:
    """Receipts and decisions: the request as it is now, with a link to its page."""
    request = (
        Request.objects.select_related("campaign__season", "student__family")
        .prefetch_related(
            "lines__discipline",
            "lines__preferred_course",
            "lines__assigned_course",
            "consents__requirement",
            "student__family__responsables",
        )
        .get(pk=request.pk)
    )
    send_family_email(
        family=request.student.family,
        template=template,
        context={
            "request": request,
            "url": absolute_url(reverse("reenrolment:request_detail", args=[request.pk])),
            **context,
        },
    )


def _send_receipt(request: Request, *, action: str) -> None:
    _email_family(request, template="reenrolment_receipt", action=action)


def _write_lines(request: Request, lines: Sequence[LineChoice]) -> None:
    request.lines.all().delete()
    Line.objects.bulk_create(
        Line(
            request=request,
            discipline=line.discipline,
            kind=line.kind,
            preferred_course=line.preferred_course,
            preferred_weekday=line.preferred_weekday,
            preferred_time=line.preferred_time,
        )
        for line in lines
    )


def _write_consents(request: Request, requirements: Iterable[Requirement], now: datetime) -> None:
    """Consents keep the date they were first given; new ones are dated now."""
    wanted = {requirement.pk for requirement in requirements}
    request.consents.exclude(requirement_id__in=wanted).delete()
    given = set(request.consents.values_list("requirement_id", flat=True))
    Consent.objects.bulk_create(
        Consent(request=request, requirement_id=pk, accepted_at=now) for pk in wanted - given
    )


def submit_request(
    *,
    campaign: Campaign,
    student: Student,
    lines: Sequence[LineChoice],
    comment: str,
    requirements: Iterable[Requirement],
    revision: int,
    now: datetime | None = None,
) -> SubmitResult:
    """Create the student's request (revision 0) or change it (the revision the form was read
    at). The caller has checked that the student is the family's and the lines are offered."""
    now = now or timezone.now()
    with transaction.atomic():
        if not campaign.is_open(now):
            raise CampaignNotOpen(campaign, now)
        existing = (
            Request.objects.select_for_update().filter(campaign=campaign, student=student).first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    request = Request.objects.create(
                        campaign=campaign,
                        student=student,
                        comment=comment,
                        submitted_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # A concurrent submission won the unique constraint: show its request.
                existing = Request.objects.get(campaign=campaign, student=student)
                return SubmitResult(existing, Outcome.DUPLICATE)
            _write_lines(request, lines)
            _write_consents(request, requirements, now)
            _send_receipt(request, action="created")
            return SubmitResult(request, Outcome.CREATED)

        if revision != existing.revision:
            return SubmitResult(existing, Outcome.DUPLICATE if revision == 0 else Outcome.STALE)
        if existing.status not in Request.OPEN_STATUSES:
            raise RequestLocked(_("Cette demande a reçu une réponse : elle ne peut plus changer."))
        action = "resubmitted" if existing.is_withdrawn else "changed"
        existing.status = Request.Status.SUBMITTED
        existing.comment = comment
        existing.revision += 1
        existing.updated_at = now
        existing.save(update_fields=["status", "comment", "revision", "updated_at"])
        _write_lines(existing, lines)
        _write_consents(existing, requirements, now)
        _send_receipt(existing, action=action)
        return SubmitResult(existing, Outcome.CHANGED)


def withdraw_request(*, request: Request, now: datetime | None = None) -> Request:
    now = now or timezone.now()
    with transaction.atomic():
        request = Request.objects.select_for_update().select_related("campaign").get(pk=request.pk)
        if not request.campaign.is_open(now):
            raise CampaignNotOpen(request.campaign, now)
        if request.status not in Request.OPEN_STATUSES:
            raise RequestLocked(_("Cette demande a reçu une réponse : elle ne peut plus changer."))
        if request.is_withdrawn:
            return request
        request.status = Request.Status.WITHDRAWN
        request.revision += 1
        request.updated_at = now
        request.save(update_fields=["status", "revision", "updated_at"])
        _send_receipt(request, action="withdrawn")
        return request


def add_child(
    *,
    campaign: Campaign,
    family: Family,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    now: datetime | None = None,
) -> Student:
    """A new child of a known family, during an inscription campaign."""
    now = now or timezone.now()
    with transaction.atomic():
        if not campaign.is_open(now):
            raise CampaignNotOpen(campaign, now)
        if not campaign.is_enrolment:
            raise DecisionError(_("Cette campagne ne concerne que les élèves actuels."))
        return Student.objects.create(
            family=family, first_name=first_name, last_name=last_name, birth_date=birth_date
        )


def pick_course(*, season: Season, line: Line) -> Course | None:
    """The course a line gets when staff did not choose one: the course wished, else the
    discipline's course of the season on the wished day, the least full first."""
    courses = list(
        Course.objects.filter(season=season, discipline_id=line.discipline_id)
        .annotate(enrolled=Count("enrolments"))
        .order_by("name", "pk")
    )
    for course in courses:
        if course.pk == line.preferred_course_id:
            return course
    if not courses:
        return None
    return min(
        courses,
        key=lambda c: (
            line.preferred_weekday is not None and c.weekday != line.preferred_weekday,
            c.enrolled,
        ),
    )


def _courses_for_acceptance(request: Request) -> dict[Line, Course]:
    """The course each continued or wished discipline gets on acceptance: the one staff
    assigned, else `pick_course`."""
    season = request.campaign.season
    courses = {}
    for line in request.lines.filter(kind__in=[Line.Kind.CONTINUE, Line.Kind.WISH]).select_related(
        "discipline", "assigned_course"
    ):
        course = line.assigned_course or pick_course(season=season, line=line)
        names = {"discipline": line.discipline, "season": season}
        if course is None:
            raise DecisionError(
                _("Aucun cours de %(discipline)s en %(season)s : créez-le d'abord.") % names
            )
        if course.season_id != season.pk:
            raise DecisionError(
                _("Aucun cours de %(discipline)s en %(season)s : choisissez le cours attribué.")
                % names
            )
        courses[line] = course
    return courses


def check_decision(request: Request, status: str, *, reason: str = "") -> dict[Line, Course]:
    """Whether staff may give `request` this status (the one rule, for the service, the
    request's admin page and the bulk actions): raises `DecisionError` if not. For an
    acceptance, returns the course each requested discipline gets."""
    statuses = Request.Status
    if status not in {statuses.REVIEWING, *Request.DECIDED_STATUSES}:
        raise DecisionError(_("Décision inconnue."))
    if request.is_withdrawn:
        raise DecisionError(_("La famille a retiré cette demande."))
    if request.status == statuses.ACCEPTED:
        if status == statuses.ACCEPTED:
            return {}
        raise DecisionError(_("Cette demande est déjà acceptée : ses inscriptions sont créées."))
    if status == statuses.REFUSED:
        try:
            refusal_reason(reason)
        except ValidationError as error:
            raise DecisionError(error.messages[0], field="reason") from error
    if status == statuses.ACCEPTED:
        return _courses_for_acceptance(request)
    return {}


def _accept(request: Request, courses: dict[Line, Course], *, by=None) -> None:
    added = []
    for line, course in courses.items():
        if line.assigned_course_id != course.pk:
            line.assigned_course = course
            line.save(update_fields=["assigned_course"])
        _, created = Enrolment.objects.get_or_create(student=request.student, course=course)
        if created:
            added.append(course)
    # Listed in the student's history, with who decided.
    record_enrolment_changes(student=request.student, added=added, user=by)


def decide(
    *,
    request: Request,
    status: str,
    position: int | None = None,
    reason: str = "",
    by=None,
    now: datetime | None = None,
) -> Request:
    """Apply a staff decision (or put the request under review, see `check_decision`) and
    e-mail the family.

    Acceptance creates the enrolments; a waiting list without a position goes last."""
    now = now or timezone.now()
    reason = reason.strip()
    statuses = Request.Status
    with transaction.atomic():
        request = (
            Request.objects.select_for_update()
            .select_related("campaign__season", "student")
            .get(pk=request.pk)
        )
        courses = check_decision(request, status, reason=reason)
        if status == statuses.WAITLISTED and position is None:
            last = Request.objects.filter(
                campaign=request.campaign, status=statuses.WAITLISTED
            ).aggregate(last=Max("waitlist_position"))["last"]
            position = (last or 0) + 1
        unchanged = (
            request.status == status
            and (status != statuses.WAITLISTED or request.waitlist_position == position)
            and (status != statuses.REFUSED or request.refusal_reason == reason)
        )
        if unchanged:
            return request
        if status == statuses.ACCEPTED:
            _accept(request, courses, by=by)
        request.status = status
        request.waitlist_position = position if status == statuses.WAITLISTED else None
        request.refusal_reason = reason if status == statuses.REFUSED else ""
        if status != statuses.REVIEWING:
            request.decided_at = now
            request.decided_by = by
        request.save()
        if status != statuses.REVIEWING:
            _send_decision(request)
        return request


def decide_many(
    *, requests: Iterable[Request], status: str, reason: str = "", by=None, now=None
) -> tuple[int, list[str]]:
    """Bulk decision, in the order the requests were submitted (first come, first on the
    waiting list). Returns how many were decided and the errors of the others."""
    done, errors = 0, []
    for request in sorted(requests, key=lambda r: (r.submitted_at, r.pk)):
        try:
            decide(request=request, status=status, reason=reason, by=by, now=now)
            done += 1
        except DecisionError as error:
            errors.append(f"{request} : {error}")
    return done, errors


def _send_decision(request: Request) -> None:
    _email_family(request, template="reenrolment_decision")


def documents_needed(requests: Iterable[Request], season) -> list[NeededDocument]:
    """The supporting documents `season` asks for (`students.checklist.documents_needed`),
    from the disciplines requested in `requests` (of campaigns for that season, with
    `lines__discipline__department`)."""
    kinds: dict[int, tuple[Student, set[str]]] = {}
    for request in requests:
        if request.is_withdrawn:
            continue
        for line in request.lines.all():
            if line.is_requested:
                kinds.setdefault(request.student_id, (request.student, set()))[1].add(
                    line.discipline.department.kind
                )
    students = sorted(kinds.values(), key=lambda item: (item[0].first_name, item[0].pk))
    return checklist.documents_needed(students, season)
