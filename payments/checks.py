"""System checks of the online payment settings (`manage.py check`, `check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from payments import backend


@register()
def payment_settings(app_configs, **kwargs):
    if not backend.is_enabled():
        return []
    try:
        backend.spec()
        options = backend.options()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="payments.E001")]
    if backend.name() == "payfip_ws":
        numcli = str(options.get("numcli", ""))
        if not (numcli.isdigit() and len(numcli) == 6):
            return [
                Error(
                    "PAYMENT_OPTIONS needs the régie's PayFiP client number "
                    '("numcli", 6 digits) with PAYMENT_BACKEND=payfip_ws.',
                    id="payments.E002",
                )
            ]
    return []


@register(Tags.security, deploy=True)
def no_simulated_payment_in_production(app_configs, **kwargs):
    if backend.name() == "dummy" and not settings.DEBUG and not settings.TESTING:
        return [
            Warning(
                "PAYMENT_BACKEND=dummy simulates payments: anyone can declare a payment made. "
                "Use a real backend (payfip_ws…) or leave PAYMENT_BACKEND empty.",
                id="payments.W001",
            )
        ]
    return []
