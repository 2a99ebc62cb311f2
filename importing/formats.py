"""The CSV files of the previous software, as spreadsheets and old programs write them: UTF-8
(with or without a byte order mark) or Windows-1252, columns separated by ";" (French Excel)
or ",". django-import-export's own CSV format decodes one fixed encoding and splits on ","
only; this one decodes and sniffs itself (it is "binary" to import-export, which then hands it
the file's bytes)."""

import csv
import io

import tablib
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = ";,"


class UnreadableFile(ValueError):
    """The file is not a CSV file the import can read; the message says why, in French."""


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8 when it is valid UTF-8, else Windows-1252 (which maps almost
    every byte, so a binary file is caught by the header check, not here)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        gettext("Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en CSV UTF-8.")
    )


def sniff_delimiter(text: str) -> str:
    """ ";" or ",", whichever splits the header line into more columns (";" on a tie)."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def read_dataset(data: bytes | str) -> tablib.Dataset:
    """The rows of a CSV file, its first line giving the column names (stripped, lower case);
    blank lines are left out."""
    text = decode(data)
    if not text.strip():
        raise UnreadableFile(gettext("Le fichier est vide."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        # With the line each row ends on in the file (a quoted cell may span lines).
        lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise UnreadableFile(
            gettext("Ce fichier n'est pas un CSV lisible (%(error)s).") % {"error": error}
        ) from error
    (_number, header), *rows = lines
    dataset = tablib.Dataset(headers=[column.strip().lower() for column in header])
    for number, row in rows:
        if len(row) != len(header):
            raise UnreadableFile(
                gettext(
                    "La ligne %(line)s du fichier a %(found)s colonnes au lieu de %(expected)s "
                    "(celles de la première ligne) : vérifiez le séparateur et les guillemets."
                )
                % {"line": number, "found": len(row), "expected": len(header)}
            )
        dataset.append(row)
    # Read by the resources to name a row by its line in the file, as a spreadsheet shows it.
    dataset.line_numbers = [number for number, _row in rows]
    return dataset


class LegacyCSV(CSV):
    """The admin's only import format (import-export's file-to-dataset step)."""

    def is_binary(self):
        return True  # bytes in: `read_dataset` decodes

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_dataset(in_stream)
