from django.core.management.base import BaseCommand

from payments.services import check_unfinished


class Command(BaseCommand):
    help = (
        "Closes the online payments families left unfinished: asks the payment service where "
        "they stand (PayFiP), and marks abandoned those still without an answer after two hours. "
        "Run it from the e-mail timer; running it again changes nothing more."
    )

    def handle(self, *args, **options):
        done = check_unfinished()
        self.stdout.write(
            f"{done['verified']} payment(s) settled by the service's answer, "
            f"{done['abandoned']} marked abandoned."
        )
        return False
