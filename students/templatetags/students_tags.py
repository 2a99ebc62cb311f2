"""Template tags of the Élèves pages."""

from functools import cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def enrolments_head():
    """The enrolments table's caption and header row: the same for every student of a page,
    so translated once per language rather than once per table."""
    return _enrolments_head(get_language())


@cache
def _enrolments_head(language: str):
    columns = [_("Discipline"), _("Département"), _("Cours"), _("Professeur"), _("Jour et horaire")]
    return format_html(
        '<caption class="caption-top">{}</caption>\n      <thead>\n        <tr>\n{}\n'
        "        </tr>\n      </thead>",
        _("Inscriptions de la saison en cours"),
        format_html_join(
            "\n", '          <th scope="col">{}</th>', ((column,) for column in columns)
        ),
    )
