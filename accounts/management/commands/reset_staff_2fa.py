"""Recovery of a staff member who lost both the authentication application and the backup
codes: deletes the account's second-factor devices (logged to `portal.security`); the person
enrols again right after the next password login."""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Supprime la double authentification d'un compte du personnel : nouvelle activation "
        "à la prochaine connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="identifiant du compte du personnel")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'identifiant « {username} ».")
        if not two_factor.needs_second_factor(user):
            raise CommandError(f"« {user.username} » n'est pas un compte du personnel.")
        count = two_factor.reset_devices(user)
        self.stdout.write(
            f"{user.username} : {count} appareil(s) supprimé(s) ; la double authentification "
            "sera de nouveau activée à la prochaine connexion."
        )
