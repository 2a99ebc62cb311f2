"""The portal's tab bar, in the order of the old portal."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tab:
    label: str
    url_name: str
    namespace: str


TABS = [
    Tab(_("Accueil"), "portal:home", "portal-home"),
    Tab(_("Famille"), "families:detail", "families"),
    Tab(_("Élèves"), "students:list", "students"),
    Tab(_("Réinscription"), "reenrolment:index", "reenrolment"),
    Tab(_("Facturation"), "billing:ledger", "billing"),
    Tab(_("Accessibilité"), "portal:accessibility", "portal-accessibility"),
    Tab(_("Mot de passe"), "accounts:password_change", "accounts-password"),
]


def current_tab_key(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "portal":
        return f"portal-{match.url_name}"
    if match.app_name == "accounts":
        return "accounts-password" if match.url_name == "password_change" else ""
    return match.app_name
