"""French display of stored values: `{% load portal_format %}` then `{{ number|phone_fr }}`."""

from django import template

from portal.validators import format_phone

register = template.Library()


@register.filter
def phone_fr(value: str) -> str:
    """+33612345678 → "06 12 34 56 78"; a foreign number keeps its international form."""
    return format_phone(value or "")
