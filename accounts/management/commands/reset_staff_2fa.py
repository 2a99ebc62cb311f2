"""Recovery of a staff member who lost both the authentication application and the backup
codes: deletes the account's second-factor devices (logged to `portal.security`); the person
enrols again right after the next password login."""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.models import User


class Command(BaseCommand):
    help = "Deletes a staff account's second-factor devices: it enrols again at next login."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the staff account's identifiant")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"No account with the identifiant {username!r}.")
        if not two_factor.needs_second_factor(user):
            raise CommandError(f"{user.username!r} is not a staff account.")
        count = two_factor.reset_devices(user)
        self.stdout.write(
            f"{user.username}: {count} device(s) deleted; a new enrolment is asked at next login."
        )
