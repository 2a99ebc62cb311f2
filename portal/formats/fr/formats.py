# Django date format syntax: "2 décembre 2026", "9 h 30", "2 décembre 2026 à 10 h 00".
DATE_FORMAT = "j F Y"
TIME_FORMAT = r"G \h i"
DATETIME_FORMAT = r"j F Y à G \h i"
