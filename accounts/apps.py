from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes du portail")

    def ready(self):
        from django.apps import apps

        from accounts import security_log  # noqa: F401  (connects the receivers)

        # django-axes names its admin section after itself ("Axes").
        apps.get_app_config("axes").verbose_name = _("Sécurité des connexions")
