"""Signals of the courses' waiting lists, for the apps whose pages show a position
(`reenrolment` keeps its lines' positions in step with their course's list)."""

from django.dispatch import Signal

# Sent (inside the transaction, the course locked) whenever a course's waiting list changes:
# someone joined, left, moved or was enrolled. Argument: `course`.
waitlist_changed = Signal()

# Sent when the first student waiting was enrolled in a freed place
# (`students.waitlist.promote_first`). Arguments: `course`, `student`, `enrolment`, `by`.
waitlist_promoted = Signal()
