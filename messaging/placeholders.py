"""The placeholders staff may write in a message to families: `{famille}`, `{responsable}`,
`{eleves}`, `{portail}`. Any other name, or a lone brace, is refused with a French message
(write `{{` and `}}` for a literal brace)."""

from string import Formatter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "famille": _("le nom de la famille (ex. Dupont)"),
    "responsable": _("le prénom et le nom du responsable 1 (ex. Marie DUPONT)"),
    "eleves": _("les prénoms des élèves présents (ex. Léa et Tom)"),
    "portail": _("l'adresse du portail"),
}


def placeholders_help() -> str:
    return gettext("Champs possibles : %(list)s. Écrivez {{ et }} pour une accolade.") % {
        "list": " ; ".join(f"{{{name}}} : {label}" for name, label in PLACEHOLDERS.items())
    }


# For a field's help text (evaluated in the reader's language).
placeholders_help_lazy = lazy(placeholders_help, str)


def validate_placeholders(text: str) -> None:
    """Refuses a text with an unknown placeholder, a format or a lone brace."""
    try:
        parts = list(Formatter().parse(text or ""))
    except ValueError:
        raise ValidationError(
            gettext(
                "Une accolade n'est pas fermée (ou est seule) : écrivez par exemple {famille}, "
                "ou {{ et }} pour une accolade."
            ),
            code="braces",
        ) from None
    unknown = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            field = (
                "{"
                + name
                + ("!" + conversion if conversion else "")
                + (":" + spec if spec else "")
                + "}"
            )
            if field not in unknown:
                unknown.append(field)
    if unknown:
        raise ValidationError(
            gettext("Champ inconnu : %(fields)s. %(help)s")
            % {"fields": ", ".join(unknown), "help": placeholders_help()},
            code="unknown_placeholder",
        )


def placeholder_values(family) -> dict[str, str]:
    """The values of the placeholders for `family` (uses the prefetched `responsables` and
    `present_students` when given)."""
    main = family.main_responsable
    students = getattr(family, "present_students", None)
    if students is None:
        students = family.students.filter(left_on__isnull=True).order_by("first_name", "pk")
    return {
        "famille": family.name,
        "responsable": f"{main.first_name} {main.last_name.upper()}".strip() if main else "",
        "eleves": str(get_text_list([s.first_name for s in students], gettext("et"))),
        "portail": settings.SITE_URL,
    }


def render_placeholders(text: str, family) -> str:
    """`text` with its placeholders replaced for `family` (validated first)."""
    validate_placeholders(text)
    return text.format(**placeholder_values(family))
