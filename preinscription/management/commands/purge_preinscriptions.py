"""Deletes the uploads of pré-inscriptions never completed, once their period has closed."""

from django.core.management.base import BaseCommand

from preinscription.services import purge_abandoned


class Command(BaseCommand):
    help = (
        "Supprime les justificatifs (lignes et fichiers) des pré-inscriptions jamais complétées "
        "dont la période est close et dont aucune famille n'a été créée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien supprimer.")

    def handle(self, *args, dry_run=False, **options):
        summary = purge_abandoned(dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimé(s)"
        self.stdout.write(
            f"Pré-inscriptions incomplètes : {summary.applications} ; "
            f"justificatifs {verb} : {summary.documents} ; "
            f"envois anciens du formulaire {verb} : {summary.attempts}"
        )
        if dry_run:
            self.stdout.write("--dry-run : rien n'a été supprimé.")
