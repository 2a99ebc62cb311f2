"""Campaign deadlines in the page's language, Europe/Paris time.

French (the default, and always in e-mails, which are rendered in French): "30 juin 2027 à
23 h 59", "1er mai 2027", as the school writes them in its letters. English: "30 June 2027 at
23:59", "1 May 2027", so that an English page never shows a French date."""

from datetime import datetime

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

register = template.Library()


@register.filter
def fr_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return gettext("%(date)s à %(hour)s h %(minute)s") % {
        "date": fr_date(local),
        "hour": local.hour,
        "minute": f"{local.minute:02d}",
    }


@register.filter
def fr_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    if (translation.get_language() or "fr").split("-")[0] != "fr":
        return date_format(value, "j F Y")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"


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
        when = f"{course.start_time:%H} h {course.start_time:%M}"
        if course.end_time:
            when += f" – {course.end_time:%H} h {course.end_time:%M}"
        parts.append(when)
    return ", ".join(parts)
