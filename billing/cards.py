"""Accueil card: the family owes money (two aggregate queries)."""

from django.urls import reverse

from billing.ledger import totals
from billing.templatetags.billing import format_euros
from portal.cards import Card


def home_cards(family) -> list[Card]:
    balance = totals(family).balance
    if balance <= 0:
        return []
    return [
        Card(
            title="Solde à régler",
            text=f"Vous devez {format_euros(balance)} au centre.",
            url=reverse("billing:ledger"),
            link_label="Voir mes factures",
            level="warning",
        )
    ]
