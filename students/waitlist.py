"""The courses' waiting lists: join, leave, move, and the first one waiting enrolled in a
freed place. Positions are 1, 2, 3… without gaps; every change locks the course row first
(`students.capacity.lock_course`), so that concurrent changes of one list are serialised."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext

from students.capacity import enrol, free_places, lock_course, remove_entry
from students.models import Course, Enrolment, WaitlistEntry
from students.signals import waitlist_changed, waitlist_promoted


def add(student, course: Course, *, position: int | None = None, by=None) -> WaitlistEntry:
    """Puts `student` on the course's waiting list: last, or at `position` (the ones from
    there move back one place; a position past the end means last). A student already
    waiting keeps the entry (moved to `position` when one is given). A student already
    enrolled in the course is refused (nothing written)."""
    if position is not None and position < 1:
        raise ValidationError(gettext("Une position commence à 1."), code="position")
    with transaction.atomic():
        course = lock_course(course)
        if Enrolment.objects.filter(student=student, course=course).exists():
            raise ValidationError(
                gettext("%(student)s est déjà inscrit(e) au cours « %(course)s ».")
                % {"student": student, "course": course},
                code="enrolled",
            )
        entries = WaitlistEntry.objects.filter(course=course)
        entry = entries.filter(student=student).first()
        if entry is not None:
            if position is None or position == entry.position:
                return entry
            remove_entry(entry)
        last = entries.aggregate(last=Max("position"))["last"] or 0
        if position is None or position > last:
            position = last + 1
        else:
            # From the end backwards, one row at a time: no two rows share a position at
            # any moment (the order is what the families read).
            for pk in (
                entries.filter(position__gte=position)
                .order_by("-position")
                .values_list("pk", flat=True)
            ):
                WaitlistEntry.objects.filter(pk=pk).update(position=F("position") + 1)
        entry = WaitlistEntry.objects.create(
            course=course, student=student, position=position, added_by=by
        )
        waitlist_changed.send(sender=WaitlistEntry, course=course)
        return entry


def leave(entry: WaitlistEntry) -> None:
    """Takes the student off the list (the ones behind move up)."""
    with transaction.atomic():
        lock_course(entry.course_id)
        entry = WaitlistEntry.objects.filter(pk=entry.pk).first()
        if entry is not None:
            remove_entry(entry)


def promote_first(course: Course, *, by=None) -> Enrolment:
    """Enrols the first student waiting in a place that became free (the others move up).
    Refused, with a French message, when nobody waits or the course is still full."""
    with transaction.atomic():
        course = lock_course(course)
        entry = WaitlistEntry.objects.filter(course=course).select_related("student").first()
        if entry is None:
            raise ValidationError(
                gettext("Personne n'attend une place au cours « %(course)s ».")
                % {"course": course},
                code="empty",
            )
        if free_places(course) == 0:
            raise ValidationError(
                gettext(
                    "Le cours « %(course)s » n'a pas de place libre (%(capacity)d places) : "
                    "augmentez ses places ou désinscrivez d'abord un élève."
                )
                % {"course": course, "capacity": course.capacity},
                code="full",
            )
        enrolment, _created = enrol(entry.student, course, by=by)
        waitlist_promoted.send(
            sender=WaitlistEntry, course=course, student=entry.student, enrolment=enrolment, by=by
        )
        return enrolment
