from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportingConfig(AppConfig):
    name = "importing"
    verbose_name = _("Import depuis l'ancien logiciel")
