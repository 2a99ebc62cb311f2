"""Generated families for `make bench`, added to the demo data (run `seed_demo` first)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bench.seed import BENCH_PASSWORD, generate_families


class Command(BaseCommand):
    help = "Ajoute N familles générées pour les mesures (uniquement avec DEBUG=1)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--families",
            type=int,
            required=True,
            metavar="N",
            help="Nombre de familles à générer (identifiants bench000000…).",
        )
        parser.add_argument(
            "--drafts",
            action="store_true",
            help="Un brouillon de facture par famille générée (mesure d'une émission groupée).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Ne rien enregistrer.")

    def handle(self, *args, families, drafts=False, dry_run=False, **options):
        if not settings.DEBUG:
            raise CommandError("bench_seed refuse de s'exécuter sans DEBUG=1.")
        if families < 1:
            raise CommandError("--families attend un nombre positif.")
        with transaction.atomic():
            generated = generate_families(families, stdout=self.stdout, drafts=drafts)
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(f"{generated} familles générées (mot de passe commun {BENCH_PASSWORD}).")
        if dry_run:
            self.stdout.write("--dry-run : rien n'a été enregistré.")
