"""French date-times for campaign deadlines: "30 juin 2027 à 23 h 59" (Europe/Paris)."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fr_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    day = _("1er") if local.day == 1 else str(local.day)
    return _("%(day)s %(month_year)s à %(hour)s h %(minute)s") % {
        "day": day,
        "month_year": date_format(local, "F Y"),
        "hour": local.hour,
        "minute": f"{local.minute:02d}",
    }


@register.filter
def fr_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    day = _("1er") if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"
