"""`{{ name|of_name }}`: "de Léa", "d'Inès" (`portal.french.of_name`)."""

from django import template

from portal import french

register = template.Library()


@register.filter
def of_name(name) -> str:
    return french.of_name(name)
