"""Accueil cards: one per document still to provide, refused or expired (the checklist's)."""

from django.utils.translation import gettext as _

from portal.cards import Card
from students.checklist import ItemStatus, build_checklist


def home_cards(family) -> list[Card]:
    cards = []
    for item in build_checklist(family).items:
        if not item.needs_attention:
            continue
        title = item.label
        if item.student is not None:
            title = f"{item.label} — {item.student.display_name}"
        if item.status == ItemStatus.REFUSED:
            text = _("Document refusé : %(reason)s") % {"reason": item.document.refusal_reason}
            level = "danger"
        elif item.status == ItemStatus.EXPIRED:
            text = _("Le document de la saison précédente a expiré : importez-en un nouveau.")
            level = "warning"
        else:
            text = _("Document à fournir pour la saison en cours.")
            level = "warning"
        cards.append(
            Card(title=title, text=text, url=item.url, link_label=_("Importer"), level=level)
        )
    return cards
