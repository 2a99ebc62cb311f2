"""`{% link_validity_hours "reset" as hours %}`: how long a password link lives, for the
texts that say so (from the settings, never written by hand)."""

from django import template

from accounts.tokens import link_validity_hours as _hours

register = template.Library()


@register.simple_tag
def link_validity_hours(kind: str) -> int:
    return _hours(kind)
