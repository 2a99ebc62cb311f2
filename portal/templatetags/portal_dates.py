"""Template filters for the portal's one way of writing dates and times (portal.dates):
`{{ value|long_date }}`, `{{ value|long_datetime }}`, `{{ value|short_time }}`,
`{{ start|time_range:end }}`."""

from django import template

from portal import dates

register = template.Library()

register.filter("long_date", dates.long_date)
register.filter("long_datetime", dates.long_datetime)
register.filter("short_time", dates.short_time)
register.filter("time_range", dates.time_range)
