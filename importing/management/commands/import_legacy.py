"""`manage.py import_legacy <kind> <file> [--dry-run]`: imports one CSV file of the previous
software (docs/import.md) as the admin's import pages do, and prints what it did."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importing.formats import UnreadableFile
from importing.resources import RESOURCES
from importing.services import import_file, summarize


class Command(BaseCommand):
    help = (
        "Imports a CSV export of the previous software: familles, responsables, eleves, "
        "inscriptions (in that order). All-or-nothing: a rejected row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(RESOURCES))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Montre ce que l'import ferait, sans rien enregistrer.",
        )

    def handle(self, *args, kind, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from error
        try:
            result = import_file(kind, data, dry_run=dry_run)
        except UnreadableFile as error:
            raise CommandError(str(error)) from error
        summary = summarize(result)
        for message in summary.file_errors:
            self.stderr.write(message)
        for row in summary.rejected:
            self.stderr.write(f"ligne {row.line} : " + " ; ".join(row.reasons))
        self.stdout.write(
            f"{file.name} ({kind}) : {summary.created} créée(s), {summary.updated} mise(s) à "
            f"jour, {summary.unchanged} inchangée(s), {len(summary.rejected)} rejetée(s)."
        )
        if not summary.ok:
            raise CommandError(
                "Rien n'a été importé : corrigez les lignes rejetées puis relancez l'import."
            )
        if dry_run:
            self.stdout.write("--dry-run : rien n'a été enregistré.")
