"""A course's places: the one function that creates enrolments (`enrol`) and its rule.

Every place that enrols a student goes through `enrol`: the student admin's enrolments, the
re-enrolment decisions (`reenrolment.services.decide_lines`), the promotion of the first
student of a waiting list (`students.waitlist.promote_first`) and the pré-inscription's
acceptance. A full course is refused with a French message, unless staff force it
(`override=True`): the enrolment is then marked `over_capacity`, with who forced it, and
logged.

Race safety: the course row is locked (`SELECT … FOR UPDATE`) before its enrolments are
counted, so two concurrent enrolments in the last place are serialised on PostgreSQL; SQLite
serialises every write transaction anyway (`select_for_update` is a no-op there).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from students.models import Course, Enrolment, WaitlistEntry
from students.signals import waitlist_changed

logger = logging.getLogger(__name__)


class CourseFull(ValidationError):
    """The course has no free place (a `ValidationError`: forms show it as it is)."""

    def __init__(self, course: Course, enrolled: int):
        self.course = course
        self.enrolled = enrolled
        super().__init__(
            gettext(
                "Le cours « %(course)s » est complet (%(capacity)d places, %(enrolled)d "
                "inscrits) : mettez l'élève sur sa liste d'attente, ou cochez « Inscrire "
                "au-delà des places » pour le forcer."
            )
            % {"course": course, "capacity": course.capacity, "enrolled": enrolled},
            code="course_full",
        )


def lock_course(course: Course | int) -> Course:
    """The course, its row locked until the end of the transaction (call inside one)."""
    return Course.objects.select_for_update().get(pk=getattr(course, "pk", course))


def free_places(course: Course) -> int | None:
    """How many students the course can still take, None when not limited."""
    if course.capacity is None:
        return None
    return max(course.capacity - course.enrolments.count(), 0)


def check_place(course: Course, *, override: bool = False) -> bool:
    """Raises `CourseFull` when the course has no free place and staff do not force it;
    returns whether the enrolment goes beyond the places (forced). Lock the course first
    (`lock_course`) for the answer to hold until the enrolment is written."""
    if course.capacity is None:
        return False
    enrolled = course.enrolments.count()
    if enrolled < course.capacity:
        return False
    if not override:
        raise CourseFull(course, enrolled)
    return True


def enrol(student, course: Course, *, override: bool = False, by=None) -> tuple[Enrolment, bool]:
    """Enrols `student` in `course`, as `Model.objects.get_or_create` answers: (the enrolment,
    whether it was created). Already enrolled: the existing enrolment, nothing written.

    A full course raises `CourseFull` (nothing written) unless `override` (staff forcing it:
    the enrolment is marked `over_capacity` and the forcing logged with `by`, the user). A
    student enrolled leaves the course's waiting list (the ones behind move up). The caller
    lists the enrolment in the student's history (`services.record_enrolment_changes`)."""
    with transaction.atomic():
        course = lock_course(course)
        existing = Enrolment.objects.filter(student=student, course=course).first()
        if existing is not None:
            return existing, False
        over = check_place(course, override=override)
        enrolment = Enrolment.objects.create(
            student=student, course=course, over_capacity=over, created_by=by
        )
        if over:
            logger.warning(
                "Enrolment beyond capacity forced: student %s in course %s (%s places) by %s",
                student.pk,
                course.pk,
                course.capacity,
                getattr(by, "pk", None),
            )
        entry = WaitlistEntry.objects.filter(course=course, student=student).first()
        if entry is not None:
            remove_entry(entry)
        return enrolment, True


def remove_entry(entry: WaitlistEntry) -> None:
    """Takes `entry` off its course's waiting list, the ones behind moving up one place (the
    list stays 1, 2, 3…). The caller holds the course's lock (`lock_course`)."""
    entry.delete()
    WaitlistEntry.objects.filter(course_id=entry.course_id, position__gt=entry.position).update(
        position=F("position") - 1
    )
    waitlist_changed.send(sender=WaitlistEntry, course=entry.course)
