# Django date format syntax: "2 December 2026", "9:30", "2 December 2026 at 10:00".
DATE_FORMAT = "j F Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = r"j F Y \a\t G:i"
