"""French date-times for campaign deadlines: "30 juin 2027 à 23 h 59" (Europe/Paris).

Always in French, whatever language the browser asks for: the school's dates are written the
French way in its letters, e-mails and pages."""

from datetime import datetime

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format

register = template.Library()


@register.filter
def fr_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{fr_date(local)} à {local.hour} h {local.minute:02d}"


@register.filter
def fr_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    day = "1er" if value.day == 1 else str(value.day)
    with translation.override("fr"):
        return f"{day} {date_format(value, 'F Y')}"
