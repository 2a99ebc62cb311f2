"""Campaign deadlines in the page's language, Europe/Paris time: "30 juin 2027 à 23 h 59",
"1er mai 2027" in French, "30 June 2027 at 23:59", "1 May 2027" in English. The portal's one way
of writing dates (portal.dates), under the names the Réinscription templates use."""

from datetime import datetime

from django import template

from portal.dates import long_date, long_datetime

register = template.Library()


@register.filter
def fr_datetime(value: datetime | None) -> str:
    return long_datetime(value)


@register.filter
def fr_date(value) -> str:
    return long_date(value)
