from django.core.management.base import BaseCommand

from billing.reminders import send_payment_reminders


class Command(BaseCommand):
    help = (
        "Records and queues the payment reminder e-mails due today (first and second reminders "
        "of overdue invoices); run it before send_queued_mail, from the same timer. Running it "
        "again sends nothing more."
    )

    def handle(self, *args, **options):
        sent = send_payment_reminders()
        self.stdout.write(f"{sent} payment reminder e-mail(s) queued.")
        return False
