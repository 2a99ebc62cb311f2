"""Deletes the previous seasons' supporting documents (health data and proofs of address)."""

from django.core.management.base import BaseCommand

from students.services import purge_previous_seasons


class Command(BaseCommand):
    help = (
        "Supprime les documents (certificats, attestations, justificatifs de domicile) des "
        "saisons précédant la saison en cours : lignes et fichiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter sans rien supprimer.")

    def handle(self, *args, dry_run=False, **options):
        summary = purge_previous_seasons(dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimé(s)"
        for label, count in summary.counts.items():
            self.stdout.write(f"{label} : {count} {verb}")
        self.stdout.write(f"Total : {summary.total} document(s), {summary.files} fichier(s) {verb}")
        if dry_run:
            self.stdout.write("--dry-run : rien n'a été supprimé.")
