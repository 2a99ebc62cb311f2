from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReenrolmentConfig(AppConfig):
    name = "reenrolment"
    verbose_name = _("Réinscription")

    def ready(self):
        from reenrolment import receivers  # noqa: F401 (connects the waiting lists' signals)
