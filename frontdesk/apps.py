from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    """The staff's front desk in admin: the index's dashboard of what waits, the locked-out
    accounts and their unlocking, the preset roles and the French permission names."""

    name = "frontdesk"
    verbose_name = _("Suivi du centre")

    def ready(self):
        from frontdesk.permissions import name_permissions_in_french

        # Connected after django.contrib.auth's create_permissions (auth is installed, hence
        # ready, first): for each app, its permissions exist by the time this runs.
        post_migrate.connect(name_permissions_in_french, dispatch_uid="frontdesk.french_names")
