"""Campaign deadlines in the page's language, Europe/Paris time: "30 juin 2027 à 23 h 59",
"1er mai 2027" in French, "30 June 2027 at 23:59", "1 May 2027" in English. The portal's one way
of writing dates (portal.dates), under the names the Réinscription templates use."""

from datetime import datetime

from django import template

from portal.dates import long_date, long_datetime, time_range

register = template.Library()


@register.filter
def fr_datetime(value: datetime | None) -> str:
    return long_datetime(value)


@register.filter
def fr_date(value) -> str:
    return long_date(value)


@register.filter
def course_schedule(course) -> str:
    """A course's day and times as the family reads them: "mercredi, 14 h 00 – 14 h 30"
    ("" when unknown)."""
    if course is None:
        return ""
    parts = []
    if course.weekday:
        parts.append(str(course.get_weekday_display()))
    if course.start_time:
        parts.append(time_range(course.start_time, course.end_time))
    return ", ".join(parts)
