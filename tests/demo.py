"""The demo data of `seed_demo` for a test, also after a transactional test flushed the tables
(which removes the payment modes that a data migration created)."""

import io
from importlib import import_module

from django.core.management import call_command

from billing.models import PaymentMode


def seed_demo(settings) -> None:
    migration = import_module("billing.migrations.0002_default_payment_modes")
    for position, name in enumerate(migration.MODES, start=1):
        PaymentMode.objects.get_or_create(name=name, defaults={"position": position * 10})
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
