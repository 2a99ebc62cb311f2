"""Accueil: a card while the family record is incomplete (no query: the family is loaded)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.cards import Card


def home_cards(family) -> list[Card]:
    missing = family.missing_fields()
    if not missing:
        return []
    return [
        Card(
            title=_("Fiche famille incomplète"),
            text=_(
                "Il manque : %(missing)s. Il faut un mail et un mobile de référence par famille."
            )
            % {"missing": ", ".join(missing)},
            url=reverse("families:detail"),
            link_label=_("Compléter la fiche famille"),
            level="warning",
        )
    ]
