from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreinscriptionConfig(AppConfig):
    name = "preinscription"
    verbose_name = _("Pré-inscriptions")
