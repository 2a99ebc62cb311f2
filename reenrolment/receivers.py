"""The requests follow their course's waiting list (`students.signals`): the positions the
families read, and the acceptance when the first one waiting gets a freed place."""

from django.dispatch import receiver

from reenrolment import services
from students.signals import waitlist_changed, waitlist_promoted


@receiver(waitlist_changed, dispatch_uid="reenrolment_sync_course_positions")
def _sync_positions(sender, *, course, **kwargs):
    services.sync_course_positions(course)


@receiver(waitlist_promoted, dispatch_uid="reenrolment_accept_promoted")
def _accept_promoted(sender, *, course, student, by=None, **kwargs):
    services.accept_promoted(course, student, by=by)
