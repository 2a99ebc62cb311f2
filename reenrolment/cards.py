"""Accueil card: a campaign is open and the family has not answered it yet."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.cards import Card
from reenrolment.models import Campaign
from reenrolment.templatetags.reenrolment_tags import fr_datetime


def home_cards(family) -> list[Card]:
    cards = []
    for campaign in Campaign.objects.of_families().open().order_by("closes_at", "pk"):
        if not campaign.awaits_answer_from(family):
            continue
        cards.append(
            Card(
                title=campaign.name,
                text=_("Les demandes sont ouvertes jusqu'au %(deadline)s.")
                % {"deadline": fr_datetime(campaign.closes_at)},
                url=reverse("reenrolment:index"),
                link_label=_("Faire ma demande"),
                level="warning",
            )
        )
    return cards
