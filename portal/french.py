"""French elision before a first name: "la demande de Léa", but "la demande d'Inès".

`of_name` is the one helper (and the `of_name` template filter, `{% load french %}`) for every
"de <prénom>" the portal writes. In other languages the phrase is translated as a whole
("for Inès")."""

import unicodedata

from django.utils.translation import gettext

# First names beginning with an aspirated h (no elision: "de Harry"); every other h is mute
# ("d'Hugo", "d'Hélène").
ASPIRATED_H = frozenset(
    {"hamid", "hamza", "hans", "harold", "harry", "hassan", "heidi", "hilda", "hulk"}
)
VOWELS = frozenset("aeiou")


def _plain(word: str) -> str:
    """Lower case, accents removed: "Élodie" → "elodie"."""
    decomposed = unicodedata.normalize("NFD", word.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def elides(name: str) -> bool:
    """Whether French elides "de" before `name`: an initial vowel ("Inès", "Élodie", "Œnone"),
    a y before a consonant ("Yves", not "Yann") or a mute h ("Hugo", not "Harry")."""
    plain = _plain(name)
    if not plain:
        return False
    first = plain[0]
    if first in VOWELS or plain.startswith("oe") or first == "œ":
        return True
    if first == "y":
        return len(plain) > 1 and plain[1] not in VOWELS and plain[1] != "y"
    if first == "h":
        return plain.split()[0].split("-")[0] not in ASPIRATED_H
    return False


def of_name(name) -> str:
    """ "de Léa" or "d'Inès" (in English "for Léa"): the student a request, a record… is for."""
    name = str(name)
    if elides(name):
        # Translators: "of" before a first name beginning with a vowel ("la demande d'Inès").
        return gettext("d'%(name)s") % {"name": name}
    # Translators: "of" before a first name ("la demande de Léa").
    return gettext("de %(name)s") % {"name": name}
