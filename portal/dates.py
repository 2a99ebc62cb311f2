"""Dates and times as every page, e-mail and PDF writes them, in the active language.

French: "2 décembre 2026" ("1er mai 2027" on the first), "9 h 30", "10 h 00 – 11 h 00",
"2 décembre 2026 à 10 h 00". English: "2 December 2026", "10:00", "10:00 – 11:00",
"2 December 2026 at 10:00". The formats are portal/formats/<language>/formats.py."""

from datetime import date, datetime, time

from django.utils import formats, timezone, translation
from django.utils.translation import gettext


def _french() -> bool:
    return (translation.get_language() or "fr").split("-")[0] == "fr"


def long_date(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if _french() and value.day == 1:
        return f"1er {formats.date_format(value, 'F Y')}"
    return formats.date_format(value, "DATE_FORMAT")


def short_time(value: time | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.time()
    return formats.time_format(value, "TIME_FORMAT")


def long_datetime(value: datetime | None) -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return gettext("%(date)s à %(time)s") % {"date": long_date(value), "time": short_time(value)}


def time_range(start: time | None, end: time | None) -> str:
    """ "10 h 00 – 11 h 00", or the start alone when the end is unknown."""
    if start is None:
        return ""
    if end is None:
        return short_time(start)
    return f"{short_time(start)} – {short_time(end)}"
