"""The portal's date and time formats (FORMAT_MODULE_PATH): one French way of writing them
("2 décembre 2026", "10 h 00"), and its English twin ("2 December 2026", "10:00").

Only the display formats are set here; the input formats stay Django's."""
