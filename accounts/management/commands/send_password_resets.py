from django.core.management.base import BaseCommand

from accounts.services import process_password_resets


class Command(BaseCommand):
    help = (
        "Queues the e-mails of the pending 'mot de passe perdu' requests (run it just before "
        "send_queued_mail, from the same timer)."
    )

    def handle(self, *args, **options):
        sent = process_password_resets()
        self.stdout.write(f"{sent} password reset e-mail(s) queued.")
