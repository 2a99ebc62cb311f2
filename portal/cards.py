"""The "needs attention" cards of the Accueil page.

Each tab app may offer a `home_cards(family) -> list[Card]` function in a `cards` module and
list it in PROVIDERS; the Accueil page shows them all, most urgent first.
"""

from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import import_string

PROVIDERS: list[str] = [
    "families.cards.home_cards",
    "billing.cards.home_cards",
    "reenrolment.cards.home_cards",
    "students.cards.home_cards",
]


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    url: str
    link_label: str
    level: str = "info"  # "info", "warning" or "danger"
    # An optional main action beside the link (the balance card's "Payer").
    action_url: str = ""
    action_label: str = ""

    @property
    def urgency(self) -> int:
        return {"danger": 0, "warning": 1}.get(self.level, 2)


@cache
def _providers() -> list:
    return [import_string(path) for path in PROVIDERS]


def home_cards(family) -> list[Card]:
    cards: list[Card] = []
    for provider in _providers():
        cards.extend(provider(family))
    return sorted(cards, key=lambda card: card.urgency)
