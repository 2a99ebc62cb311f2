"""CSV exports shared by the admin: cells safe to open in a spreadsheet."""


def csv_cell(value) -> str:
    """Text typed by families must not run as a spreadsheet formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
