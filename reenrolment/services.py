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
from students import checklist, waitlist
from students.capacity import CourseFull, check_place, enrol
from students.checklist import NeededDocument
from students.models import Course, Discipline, Enrolment, Season, Student, WaitlistEntry
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
            "answers": answers(request),
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
    shown_at: datetime | None = None,
    now: datetime | None = None,
) -> Student:
    """A new child of a known family, during an inscription campaign (a ValidationError when
    the family already has this child).

    Idempotent for one form: when the same child was added to the family since `shown_at` (the
    moment its form was shown), it is that form posted again (a double click, the browser
    re-sending it): that child is returned, nothing is added. Adds of one family are serialised
    (its row is locked), so two posts at once find each other."""
    now = now or timezone.now()
    with transaction.atomic():
        if not campaign.is_open(now):
            raise CampaignNotOpen(campaign, now)
        if not campaign.is_enrolment:
            raise DecisionError(_("Cette campagne ne concerne que les élèves actuels."))
        Family.objects.select_for_update().only("pk").get(pk=family.pk)
        student = Student(
            family=family, first_name=first_name, last_name=last_name, birth_date=birth_date
        )
        try:
            student.clean()  # the same child twice in the family: a ValidationError
        except ValidationError:
            twins = student.namesakes(Student.objects.filter(family=family))
            if shown_at is not None and twins and _added_since(twins[0], shown_at):
                return twins[0]
            raise
        student.save()
        return student


def _added_since(student: Student, moment: datetime) -> bool:
    """Whether the student was created at or after `moment` (its creation in its history)."""
    return student.history.filter(history_type="+", history_date__gte=moment).exists()


def pick_course(*, season: Season, line: Line) -> Course | None:
    """The course a line gets when staff did not choose one: the course wished, else the
    discipline's course of the season with a free place, on the wished day, the least full
    first."""
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
            c.capacity is not None and c.enrolled >= c.capacity,  # a full course last
            line.preferred_weekday is not None and c.weekday != line.preferred_weekday,
            c.enrolled,
        ),
    )


@dataclass(frozen=True)
class LineDecision:
    """The staff's answer to one line: `Line.Decision` (`PENDING` takes an answer back, except
    an acceptance), with the waiting list position (empty: the next one) or the reason."""

    line_id: int
    decision: str
    position: int | None = None
    reason: str = ""
    # An acceptance into a full course forced by staff (`students.capacity.enrol`).
    override: bool = False


def check_line_decision(
    line: Line,
    decision: str,
    *,
    season: Season,
    reason: str = "",
    course: Course | None = None,
    override: bool = False,
) -> Course | None:
    """Whether staff may give `line` this answer (the one rule, for the services, the request's
    admin page and the bulk actions): raises `DecisionError` if not. For an acceptance,
    returns the course the line gets: `course` (the one being chosen), else the one staff
    assigned, else `pick_course`; a full course is refused unless `override` (staff forcing
    it)."""
    names = {"discipline": line.discipline, "season": season}
    if decision not in Line.Decision.values:
        raise DecisionError(_("Décision inconnue."))
    if not line.is_requested:
        if decision == Line.Decision.PENDING:
            return None
        raise DecisionError(
            _("%(discipline)s : l'élève arrête cette discipline, il n'y a rien à décider.") % names
        )
    if line.is_accepted:
        if decision == Line.Decision.ACCEPTED:
            return line.assigned_course
        raise DecisionError(
            _("%(discipline)s : discipline déjà acceptée, son inscription est créée.") % names
        )
    if decision == Line.Decision.REFUSED:
        try:
            refusal_reason(reason)
        except ValidationError as error:
            raise DecisionError(error.messages[0], field="reason") from error
    if decision != Line.Decision.ACCEPTED:
        return None
    course = course or line.assigned_course or pick_course(season=season, line=line)
    if course is None:
        raise DecisionError(
            _("Aucun cours de %(discipline)s en %(season)s : créez-le d'abord.") % names
        )
    if course.season_id != season.pk:
        raise DecisionError(
            _("Aucun cours de %(discipline)s en %(season)s : choisissez le cours attribué.")
            % names,
            field="assigned_course",
        )
    if error := line.course_error(course, season):
        raise DecisionError(error, field="assigned_course")
    student_id = line.request.student_id if line.request_id else None
    if not Enrolment.objects.filter(student_id=student_id, course=course).exists():
        # Checked again, the course locked, when the enrolment is written (`enrol`).
        try:
            check_place(course, override=override)
        except CourseFull as error:
            raise DecisionError(_full_message(course), field="assigned_course") from error
    return course


def _full_message(course: Course) -> str:
    return _(
        "Le cours « %(course)s » est complet (%(capacity)d places) : mettez la discipline "
        "en liste d'attente (celle du cours), choisissez un autre cours ou augmentez ses places."
    ) % {"course": course, "capacity": course.capacity}


def _requested_lines(request: Request) -> list[Line]:
    return [
        line
        for line in request.lines.select_related("discipline", "assigned_course")
        if line.is_requested
    ]


def plan_decision(
    request: Request, status: str, *, position: int | None = None, reason: str = ""
) -> list[LineDecision]:
    """A decision for the whole request (the bulk actions, the request page's "toutes les
    disciplines"), as the answer of each requested line not accepted yet (an accepted line
    keeps its enrolment). Raises `DecisionError` if it cannot apply; `REVIEWING` and a
    request without requested line plan no line."""
    statuses = Request.Status
    if status not in {statuses.REVIEWING, statuses.ACCEPTED, statuses.WAITLISTED, statuses.REFUSED}:
        raise DecisionError(_("Décision inconnue."))
    if request.is_withdrawn:
        raise DecisionError(_("La famille a retiré cette demande."))
    lines = _requested_lines(request)
    if status == statuses.REVIEWING:
        if any(line.is_answered for line in lines):
            raise DecisionError(
                _(
                    "Cette demande a déjà une réponse : changez la réponse de chaque "
                    "discipline dans la page de la demande."
                )
            )
        return []
    if lines and all(line.is_accepted for line in lines):
        if status == statuses.ACCEPTED:
            return []
        raise DecisionError(_("Cette demande est déjà acceptée : ses inscriptions sont créées."))
    if not lines and status != statuses.ACCEPTED:
        raise DecisionError(
            _("L'élève arrête toutes ses disciplines : il n'y a rien à refuser ni à attendre.")
        )
    return [
        LineDecision(line.pk, status, position, reason) for line in lines if not line.is_accepted
    ]


def check_decision(
    request: Request, status: str, *, position: int | None = None, reason: str = ""
) -> None:
    """Whether staff may give this decision to the whole request (`plan_decision`, then
    `check_line_decision` for each line): raises `DecisionError` if not."""
    season = request.campaign.season
    lines = {line.pk: line for line in _requested_lines(request)}
    for planned in plan_decision(request, status, position=position, reason=reason):
        check_line_decision(
            lines[planned.line_id], planned.decision, season=season, reason=planned.reason.strip()
        )


def _next_position(line: Line, campaign: Campaign) -> int:
    """The end of the discipline's waiting list in the campaign (for the lines waiting
    without an assigned course: the others are on their course's list, `students.waitlist`)."""
    last = Line.objects.filter(
        request__campaign=campaign,
        discipline_id=line.discipline_id,
        decision=Line.Decision.WAITLISTED,
        assigned_course__isnull=True,
    ).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def decide_lines(
    *,
    request: Request,
    decisions: Sequence[LineDecision],
    by=None,
    now: datetime | None = None,
) -> Request:
    """Apply the staff's answers to some lines of `request` (all or nothing, see
    `check_line_decision`), derive the request's status from its lines and e-mail the family
    when an answer was given.

    An acceptance creates the line's enrolment (listed in the student's history, with who
    decided); a waiting list without a position goes last in the discipline's list."""
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            Request.objects.select_for_update()
            .select_related("campaign__season", "student")
            .get(pk=request.pk)
        )
        if request.is_withdrawn:
            raise DecisionError(_("La famille a retiré cette demande."))
        season = request.campaign.season
        lines = {
            line.pk: line
            for line in request.lines.select_related("discipline", "assigned_course").order_by("pk")
        }
        added, answered = [], False
        for decision in decisions:
            line = lines.get(decision.line_id)
            if line is None:
                raise DecisionError(_("Cette discipline n'est pas dans la demande."))
            reason = decision.reason.strip()
            course = check_line_decision(
                line, decision.decision, season=season, reason=reason, override=decision.override
            )
            position = None
            waiting_for = line.assigned_course
            if decision.decision == Line.Decision.WAITLISTED and waiting_for is not None:
                # The course's own waiting list: its position is the one the family reads.
                position = waitlist.add(
                    request.student, waiting_for, position=decision.position, by=by
                ).position
            elif decision.decision == Line.Decision.WAITLISTED:
                position = decision.position
                if position is None and line.decision == Line.Decision.WAITLISTED:
                    position = line.waitlist_position
                if position is None:
                    position = _next_position(line, request.campaign)
            elif line.decision == Line.Decision.WAITLISTED and waiting_for is not None:
                _leave_course_waitlist(request.student, waiting_for)
            if decision.decision != Line.Decision.REFUSED:
                reason = ""
            if (line.decision, line.waitlist_position, line.refusal_reason) == (
                decision.decision,
                position,
                reason,
            ):
                continue
            if decision.decision == Line.Decision.ACCEPTED:
                line.assigned_course = course
                try:
                    created = enrol(request.student, course, override=decision.override, by=by)[1]
                except CourseFull as error:
                    raise DecisionError(_full_message(course), field="assigned_course") from error
                if created:
                    added.append(course)
            line.decision = decision.decision
            line.waitlist_position = position
            line.refusal_reason = reason
            line.save(
                update_fields=["decision", "waitlist_position", "refusal_reason", "assigned_course"]
            )
            answered = answered or line.is_answered
        # Listed in the student's history, with who decided.
        record_enrolment_changes(student=request.student, added=added, user=by)
        status = request.derived_status(lines.values())
        if status == request.status and not answered:
            return request
        request.status = status
        if answered:
            request.decided_at = now
            request.decided_by = by
        request.save(update_fields=["status", "decided_at", "decided_by"])
        if answered:
            _send_decision(request)
        return request


def decide(
    *,
    request: Request,
    status: str,
    position: int | None = None,
    reason: str = "",
    by=None,
    now: datetime | None = None,
) -> Request:
    """A decision for the whole request (`plan_decision`): every requested line not accepted
    yet gets it (`decide_lines`), or the request goes under review (nothing is sent)."""
    now = now or timezone.now()
    statuses = Request.Status
    with transaction.atomic():
        request = (
            Request.objects.select_for_update()
            .select_related("campaign__season", "student")
            .get(pk=request.pk)
        )
        planned = plan_decision(request, status, position=position, reason=reason)
        if planned:
            return decide_lines(request=request, decisions=planned, by=by, now=now)
        if status == statuses.REVIEWING and request.status == statuses.SUBMITTED:
            request.status = status
            request.save(update_fields=["status"])
        elif status == statuses.ACCEPTED and request.status != statuses.ACCEPTED:
            # Nothing to enrol in (the student stops everything): the request is answered.
            request.status = status
            request.decided_at = now
            request.decided_by = by
            request.save(update_fields=["status", "decided_at", "decided_by"])
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


def _leave_course_waitlist(student: Student, course: Course) -> None:
    entry = WaitlistEntry.objects.filter(student=student, course=course).first()
    if entry is not None:
        waitlist.leave(entry)


def sync_course_positions(course: Course) -> None:
    """The lines waiting for `course` (assigned to it) show its waiting list's positions:
    called whenever the list changes (`students.signals.waitlist_changed`)."""
    positions = dict(
        WaitlistEntry.objects.filter(course=course).values_list("student_id", "position")
    )
    lines = Line.objects.filter(
        assigned_course=course, decision=Line.Decision.WAITLISTED
    ).select_related("request")
    for line in lines:
        position = positions.get(line.request.student_id)
        if position is not None and position != line.waitlist_position:
            Line.objects.filter(pk=line.pk).update(waitlist_position=position)


def accept_promoted(course: Course, student: Student, by=None) -> None:
    """The first student of a course's waiting list was enrolled in a freed place: the
    request line waiting for that course is accepted (and the family told)."""
    lines = (
        Line.objects.filter(
            assigned_course=course,
            decision=Line.Decision.WAITLISTED,
            request__student=student,
        )
        .exclude(request__status=Request.Status.WITHDRAWN)
        .select_related("request")
    )
    for line in lines:
        decide_lines(
            request=line.request,
            decisions=[LineDecision(line.pk, Line.Decision.ACCEPTED)],
            by=by,
        )


def _send_decision(request: Request) -> None:
    _email_family(request, template="reenrolment_decision")


def answers(request: Request) -> dict[str, list[Line]]:
    """The requested lines of `request` (lines prefetched), grouped by answer: what the family
    reads in the decision e-mail."""
    grouped: dict[str, list[Line]] = {decision: [] for decision in Line.Decision.values}
    for line in request.lines.all():
        if line.is_requested:
            grouped[line.decision].append(line)
    return grouped


def documents_needed(requests: Iterable[Request], season) -> list[NeededDocument]:
    """The supporting documents `season` asks for (`students.checklist.documents_needed`),
    from the disciplines requested in `requests` (of campaigns for that season, with
    `lines__discipline__department`)."""
    kinds: dict[int, tuple[Student, set[str]]] = {}
    for request in requests:
        if request.is_withdrawn:
            continue
        for line in request.lines.all():
            if line.is_requested and line.decision != Line.Decision.REFUSED:
                kinds.setdefault(request.student_id, (request.student, set()))[1].add(
                    line.discipline.department.kind
                )
    students = sorted(kinds.values(), key=lambda item: (item[0].first_name, item[0].pk))
    return checklist.documents_needed(students, season)
