"""Accueil card: the family owes money (its balance, `billing.models.account_totals`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from billing.ledger import totals
from billing.templatetags.billing import format_euros
from portal.cards import Card


def pay_action() -> dict:
    """The card's "Payer" button, when the portal takes online payments."""
    from payments import backend

    if not backend.is_enabled():
        return {}
    return {"action_url": reverse("payments:start"), "action_label": _("Payer en ligne")}


def home_cards(family) -> list[Card]:
    balance = totals(family).balance
    if balance <= 0:
        return []
    return [
        Card(
            title=_("Solde à régler"),
            text=_("Vous devez %(amount)s au centre.") % {"amount": format_euros(balance)},
            url=reverse("billing:ledger"),
            link_label=_("Voir mes factures"),
            level="warning",
            **pay_action(),
        )
    ]
